"""How long does an apply over many REST APIs take under API Gateway's fixed quotas? Prints numbers;
asserts nothing.

Runs corsdeploy's own plan and apply (the engine's steps: account check, parallel read, plan,
re-read, parallel apply with backups and verification) against benchmarks/fake_aws.py with its quotas
on (facts §7.1: CreateDeployment 1 per 5 s, GetResources 5 per 2 s, 10 rps with a burst of 40; 429
when exceeded).
Each of N REST APIs has a few resources (the sandbox's seed) and gets CORS, so each needs one
deployment: no run can take less than (N - 1) x 5 s. Compared in the same process with a baseline:
the same apply with pacing off (throttled calls are still retried).

usage: python benchmarks/bench_rest_apply.py [--apis N] [--latency-ms MS] [--no-baseline]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from fake_aws import control, start

from corsdeploy.aws import Clients
from corsdeploy.config import load_environment
from corsdeploy.engine import WriteSession, apply_run, plan_environment
from corsdeploy.errors import CorsdeployError
from corsdeploy.live import providers_for, read_live
from corsdeploy.model import Environment
from corsdeploy.plan import make_plan
from corsdeploy.providers.pacing import PacerRegistry
from corsdeploy.providers.retry import CONCURRENT_MODIFICATION
from corsdeploy.results import Outcome
from corsdeploy.sandbox.seed_rest import seed_rest_api
from corsdeploy.state import FolderStore, environment_lock

DEPLOYMENT_SECONDS = 5.0
ENVIRONMENT = """\
aws:
  region: eu-west-1
  endpoint_url: {url}
rest_apis:
{apis}"""
API = """\
  bench-{index:03d}:
    stage: prod
    cors:
      AllowOrigins: ["https://app.example.com", "https://admin.example.com"]
      AllowMethods: [GET, POST]
      AllowHeaders: [Content-Type, Authorization]
      MaxAge: 600
"""


@dataclass(frozen=True)
class Run:
    seconds: float
    exit_status: int
    failures: Counter[str]
    calls: dict[str, int]
    throttled: dict[str, int]
    converged: int


def environment(url: str, apis: int, folder: Path) -> Environment:
    """Loaded by corsdeploy's own loader, as `apply --env bench` would."""
    (folder / "bench.yaml").write_text(ENVIRONMENT.format(url=url, apis="".join(
        API.format(index=index) for index in range(apis))))
    return load_environment(folder, "bench")


def seed(url: str, env: Environment) -> None:
    """Fresh APIs, created with the quotas off; then counters zeroed and quotas on."""
    control(url, "/moto-api/reset", "POST")
    control(url, "/__quotas?on=0", "POST")
    clients = Clients(env.aws, pacers=PacerRegistry(paced=False))
    for resource in env.resources:
        seed_rest_api(clients, resource)
    control(url, "/__stats/reset", "POST")
    control(url, "/__quotas?on=1", "POST")


def apply(url: str, env: Environment, pacers: PacerRegistry, state: Path) -> Run:
    """Plan and apply as `corsdeploy apply --env bench --auto-approve` does; exit status as the CLI's."""
    seed(url, env)
    started = time.perf_counter()
    clients = Clients(env.aws, pacers=pacers)
    failures: Counter[str] = Counter()
    try:
        identity = clients.check_account()
        store = FolderStore(base=state)
        with environment_lock(store, env.name, "apply", identity.arn) as lock:
            run_ = plan_environment(env, (), clients)
            result = apply_run(run_, WriteSession(env, clients, identity, store, lock))
        failures.update(_reason(r.error.code, r.error.message) for r in result.results
                        if r.outcome is Outcome.FAILED and r.error)
        exit_status = 0 if result.ok else 1
    except CorsdeployError as error:  # the plan itself failed: nothing applied
        failures.update(_reason(error.code or "PlanError", str(error)) for _ in env.resources)
        exit_status = 1
    seconds = time.perf_counter() - started
    stats = control(url, "/__stats")
    return Run(seconds, exit_status, failures, stats["calls"], stats["throttled"], converged(url, env))


def _reason(code: str, message: str) -> str:
    return f"{code} (concurrent modification)" if CONCURRENT_MODIFICATION in message.lower() else code


def converged(url: str, env: Environment) -> int:
    """How many APIs now match the file (read with the quotas off, unpaced)."""
    control(url, "/__quotas?on=0", "POST")
    clients = Clients(env.aws, pacers=PacerRegistry(paced=False))
    lives = read_live(env.resources, providers_for(env.resources, clients))
    plan = make_plan(env.name, env.resources, lives)
    return sum(change.action.value == "no-op" for change in plan.changes)


def report(label: str, run: Run, apis: int) -> None:
    api_calls = {op: n for op, n in run.calls.items() if op.startswith("apigateway")}
    throttled = sum(run.throttled.values())
    per_api = sum(api_calls.values()) / apis
    print(f"  {label:<22} {run.seconds:7.1f} s  exit {run.exit_status}  converged {run.converged}/{apis}  "
          f"{per_api:5.1f} API Gateway calls per API  {throttled} throttled (429)")
    for operation, count in sorted(api_calls.items()):
        extra = f", {run.throttled[operation]} throttled" if operation in run.throttled else ""
        print(f"      {operation.split(' ', 1)[1]:<26} {count / apis:5.2f} per API{extra}")
    for reason, count in sorted(run.failures.items()):
        print(f"      failed: {count} x {reason}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apis", type=int, default=20, help="REST APIs to apply (default 20)")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="added to every request (default 20)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the run with pacing off")
    args = parser.parse_args()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    server, url = start(args.latency_ms, quotas=True)
    try:
        with tempfile.TemporaryDirectory() as folder:
            env = environment(url, args.apis, Path(folder))
            paced = apply(url, env, PacerRegistry(), Path(folder) / "paced")
            baseline = None if args.no_baseline else apply(url, env, PacerRegistry(paced=False),
                                                           Path(folder) / "baseline")
    finally:
        server.terminate()
        server.wait(timeout=10)
    bound = (args.apis - 1) * DEPLOYMENT_SECONDS
    print(f"apply of {args.apis} REST APIs under API Gateway's quotas, {args.latency_ms:.0f} ms per request")
    print(f"  lower bound: {args.apis} deployments, 1 per {DEPLOYMENT_SECONDS:.0f} s = {bound:.0f} s")
    report("corsdeploy (paced)", paced, args.apis)
    if baseline:
        report("baseline (unpaced)", baseline, args.apis)
    print(f"  paced: {paced.seconds / bound:.2f}x the lower bound" if bound else "")


if __name__ == "__main__":
    main()
