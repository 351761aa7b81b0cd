"""corsdeploy at scale: plan and apply of N buckets, start-up time and memory. Prints a table;
asserts nothing.

Each measurement runs the real CLI (`python -m corsdeploy plan|apply|validate --env bench`) in its
own process against benchmarks/fake_aws.py (moto behind a per-request latency, 50 ms by default),
so its wall time includes start-up and its peak memory (RSS) is that process's alone. The baseline is
a sequential boto3 loop in this process against the same server in the same run (plan: one
GetBucketCors per bucket; apply: GetBucketCors then PutBucketCors per bucket), timed on a sample of
buckets and scaled to N (the table says so when it is scaled). Seeding is done with the latency off.

  python benchmarks/bench_scale.py --quick    N = 100 and 1,000; 2,000 for the speed-up; 2,000 for memory
  python benchmarks/bench_scale.py            N = 100, 1,000, 5,000; 2,000; 10,000 for memory
"""
from __future__ import annotations

import argparse
import contextlib
import os
import platform
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import boto3
from fake_aws import control, start

REGION = "eu-west-1"
OLD_RULES = [{"AllowedOrigins": ["https://old.example.com"], "AllowedMethods": ["GET"]}]
NEW_RULES = [{"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET", "PUT"]}]
ENVIRONMENT = "aws:\n  region: eu-west-1\n  endpoint_url: {url}\ns3_buckets:\n{buckets}"
# One line per bucket: 10,000 of them stay under the loader's 1 MiB limit on environment files.
BUCKET = '  {name}: {{cors: [{{AllowedOrigins: ["https://app.example.com"], AllowedMethods: [GET, PUT]}}]}}\n'

LOOP_SAMPLE = 200  # buckets the sequential loop is timed on before scaling


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_mb: float
    exit_status: int


@dataclass(frozen=True)
class Row:
    label: str
    resources: int
    run: Measured
    calls_per_resource: float
    loop_seconds: float
    loop_scaled: bool


def run_cli(project: Path, *args: str) -> Measured:
    """`python -m corsdeploy ARGS` in the project; its wall time and its own peak RSS (wait4)."""
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "corsdeploy", *args], cwd=project, env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 2):
        print(f"  ! corsdeploy {' '.join(args)} exited {process.returncode}: "
              f"{errors.decode(errors='replace')[-500:]}", file=sys.stderr)
    return Measured(seconds, usage.ru_maxrss / 1024.0, process.returncode)


def names(count: int) -> list[str]:
    return [f"bench-{index:05d}" for index in range(count)]


def write_environment(project: Path, url: str, count: int) -> None:
    folder = project / "environments"
    folder.mkdir(exist_ok=True)
    buckets = "".join(BUCKET.format(name=name) for name in names(count))
    (folder / "bench.yaml").write_text(ENVIRONMENT.format(url=url, buckets=buckets))


def s3_client(url: str) -> Any:
    return boto3.client("s3", endpoint_url=url, region_name=REGION, aws_access_key_id="testing",
                        aws_secret_access_key="testing")


def seed(url: str, count: int) -> None:
    """`count` buckets, each with CORS that differs from the file's, created with the latency off."""
    control(url, "/moto-api/reset", "POST")
    control(url, "/__latency?ms=0", "POST")
    s3 = s3_client(url)

    def one(name: str) -> None:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": OLD_RULES})

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, names(count)))


def calls(url: str) -> int:
    stats = control(url, "/__stats")["calls"]
    return sum(count for label, count in stats.items() if not label.startswith("sts"))


def loop_seconds(url: str, count: int, write: bool) -> tuple[float, bool]:
    """The sequential boto3 loop over min(count, LOOP_SAMPLE) buckets, scaled to `count`."""
    s3 = s3_client(url)
    sample = names(min(count, LOOP_SAMPLE))
    s3.list_buckets()  # connect first, as corsdeploy's run also pays for its first connection
    started = time.perf_counter()
    for name in sample:
        with contextlib.suppress(s3.exceptions.ClientError):  # a bucket without CORS answers an error
            s3.get_bucket_cors(Bucket=name)
        if write:
            s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": OLD_RULES})
    return (time.perf_counter() - started) * count / len(sample), len(sample) < count


def measure(project: Path, url: str, count: int, latency_ms: float, apply: bool) -> list[Row]:
    """Plan (and apply) of `count` buckets, each against its own sequential loop."""
    seed(url, count)
    write_environment(project, url, count)
    control(url, f"/__latency?ms={latency_ms}", "POST")
    plan_loop, scaled = loop_seconds(url, count, write=False)
    control(url, "/__stats/reset", "POST")
    plan = run_cli(project, "plan", "--env", "bench")
    rows = [Row("plan", count, plan, calls(url) / count, plan_loop, scaled)]
    if apply:
        apply_loop, scaled = loop_seconds(url, count, write=True)  # writes the old rules back: a no-op
        control(url, "/__stats/reset", "POST")
        applied = run_cli(project, "apply", "--env", "bench", "--auto-approve")
        rows.append(Row("apply", count, applied, calls(url) / count, apply_loop, scaled))
    return rows


def version_seconds(tries: int = 7) -> float:
    """Best of several `python -m corsdeploy --version` runs, each a fresh process."""
    best = float("inf")
    for _ in range(tries):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "corsdeploy", "--version"], check=True,
                       stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - started)
    return best


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown CPU")
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, {platform.system()}"


def print_table(rows: list[Row], latency_ms: float) -> None:
    print(f"\n| Run | Resources | Wall time | API calls per resource | Peak RSS | Sequential boto3 loop "
          f"| Speed-up |  ({latency_ms:.0f} ms per call)")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        loop = f"{row.loop_seconds:.1f} s" + (" (scaled)" if row.loop_scaled else "")
        status = "" if row.run.exit_status in (0, 2) else f" (exit {row.run.exit_status})"
        print(f"| {row.label}{status} | {row.resources:,} | {row.run.seconds:.1f} s "
              f"| {row.calls_per_resource:.2f} | {row.run.peak_mb:.0f} MB | {loop} "
              f"| {row.loop_seconds / row.run.seconds:.1f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller N: a run of a few minutes")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="per call (default 50)")
    parser.add_argument("--sizes", help="comma-separated N for plan and apply ('' for none)")
    parser.add_argument("--no-speed-up", action="store_true", help="skip the plan of 2,000 buckets")
    args = parser.parse_args()
    sizes = [100, 1000] if args.quick else [100, 1000, 5000]
    if args.sizes is not None:
        sizes = [int(size) for size in args.sizes.split(",") if size]
    memory_size = 2000 if args.quick else 10000
    print(f"machine: {machine()}")
    print(f"corsdeploy --version: best of 7 runs {version_seconds():.3f} s (target <= 0.3 s)")
    server, url = start(args.latency_ms)
    try:
        with tempfile.TemporaryDirectory() as folder:
            project = Path(folder)
            rows: list[Row] = []
            for size in sizes:
                rows += measure(project, url, size, args.latency_ms, apply=True)
                print_table(rows[-2:], args.latency_ms)
            if not args.no_speed_up:
                (speed,) = measure(project, url, 2000, args.latency_ms, apply=False)
                rows.append(replace(speed, label="plan (target >= 15x)"))
            seed(url, memory_size)
            write_environment(project, url, memory_size)
            control(url, "/__stats/reset", "POST")
            memory_plan = run_cli(project, "plan", "--env", "bench")
            plan_calls = calls(url) / memory_size
            validate = run_cli(project, "validate", "--env", "bench")
    finally:
        server.terminate()
        server.wait(timeout=10)
    print_table(rows, args.latency_ms)
    print(f"\nmemory at {memory_size:,} buckets (no latency; target <= 200 MB):")
    print(f"  plan:     {memory_plan.peak_mb:.0f} MB peak RSS, {memory_plan.seconds:.1f} s, "
          f"{plan_calls:.2f} API calls per resource, exit {memory_plan.exit_status}")
    print(f"  validate: {validate.peak_mb:.0f} MB peak RSS, {validate.seconds:.1f} s, "
          f"exit {validate.exit_status}")


if __name__ == "__main__":
    main()
