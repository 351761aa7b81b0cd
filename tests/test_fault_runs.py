"""Apply and rollback against AWS that fails the way it does under load (benchmarks/fake_aws.py: S3
503 SlowDown and 500 InternalError, dropped connections, at a seeded rate): every bucket ends as
declared, every configuration an apply replaced was backed up first, and rollback under the same
faults puts everything back. A bucket that fails for good (AccessDenied, deleted mid-run) fails
alone, by its address, and a re-run converges once it is fixed."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from benchmarks.fake_aws import control, start
from corsdeploy.state.folder import STATE_DIR
from corsdeploy.state.names import file_name_for
from tests.cli_support import InProcessCli

BUCKETS = [f"fault-{index:02d}" for index in range(30)]
DECLARED = [{"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET", "PUT"]}]
# What every third bucket holds before the apply (the others have no CORS): the apply replaces it.
EARLIER = [{"ID": "legacy", "AllowedOrigins": ["https://old.example.com"], "AllowedMethods": ["GET"],
            "MaxAgeSeconds": 60}]
ENVIRONMENT = """\
aws:
  region: eu-west-1
  endpoint_url: {url}
s3_buckets:
{buckets}"""
BUCKET = """\
  {name}:
    cors:
      - AllowedOrigins: ["https://app.example.com"]
        AllowedMethods: [GET, PUT]
"""


@pytest.fixture(scope="module")
def fake_aws() -> Iterator[str]:
    server, url = start(latency_ms=2, seed=10)
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def s3(fake_aws: str) -> Any:
    """A clean fake with the buckets seeded, and a client to read them back (faults are off whenever
    the test reads or seeds)."""
    control(fake_aws, "/__faults?rate=0", "POST")
    control(fake_aws, "/__clear", "POST")
    control(fake_aws, "/moto-api/reset", "POST")
    client = boto3.client("s3", endpoint_url=fake_aws, region_name="eu-west-1")
    for index, name in enumerate(BUCKETS):
        client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        if index % 3 == 0:
            client.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": EARLIER})
    return client


@pytest.fixture
def project(tmp_path: Path, fake_aws: str) -> InProcessCli:
    runner = InProcessCli(tmp_path)
    runner.write_env("prod", ENVIRONMENT.format(
        url=fake_aws, buckets="".join(BUCKET.format(name=name) for name in BUCKETS)))
    return runner


def faults(url: str, rate: float) -> None:
    control(url, f"/__faults?rate={rate}", "POST")


def live_rules(s3: Any, name: str) -> list[dict[str, Any]] | None:
    """A bucket's CORS as S3 returns it (read with faults off)."""
    try:
        return s3.get_bucket_cors(Bucket=name)["CORSRules"]  # type: ignore[no-any-return]
    except s3.exceptions.ClientError as error:
        assert error.response["Error"]["Code"] == "NoSuchCORSConfiguration", error
        return None


def earlier(index: int) -> list[dict[str, Any]] | None:
    return EARLIER if index % 3 == 0 else None


def last_apply(runner: InProcessCli) -> str:
    history = runner("history", "--env", "prod", "--format", "json")
    assert history.returncode == 0, history.stderr
    return str(json.loads(history.stdout)["applies"][0]["apply_id"])


def backup_of(runner: InProcessCli, apply_id: str, name: str) -> Any:
    """The configuration the apply's backup file holds for the bucket, read raw from the state folder."""
    folder = runner.project / str(STATE_DIR) / "backups" / apply_id
    path = folder / (file_name_for(f"s3_bucket.{name}") + ".json")
    return json.loads(path.read_text())["configuration"] if path.exists() else "missing"


def faulted(url: str) -> int:
    return sum(control(url, "/__stats")["faults"].values())


@pytest.mark.parametrize("rate", [0.2, 0.5])
def test_apply_and_rollback_converge_under_transient_faults(
        rate: float, s3: Any, project: InProcessCli, fake_aws: str) -> None:
    control(fake_aws, "/__stats/reset", "POST")
    faults(fake_aws, rate)
    applied = project("apply", "--env", "prod", "--auto-approve")
    faults(fake_aws, 0)
    assert faulted(fake_aws) > 0  # the run did meet faults
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert [live_rules(s3, name) for name in BUCKETS] == [DECLARED] * len(BUCKETS)
    # Every replaced configuration was saved before its write: the backup holds the old rules.
    apply_id = last_apply(project)
    for index, name in enumerate(BUCKETS):
        assert backup_of(project, apply_id, name) == _wire(earlier(index)), name

    control(fake_aws, "/__stats/reset", "POST")
    faults(fake_aws, rate)
    rolled_back = project("rollback", "--env", "prod", "--auto-approve")
    faults(fake_aws, 0)
    assert faulted(fake_aws) > 0
    assert rolled_back.returncode == 0, rolled_back.stdout + rolled_back.stderr
    assert [live_rules(s3, name) for name in BUCKETS] == [earlier(i) for i in range(len(BUCKETS))]


# The caller may read the bucket but not write it (no s3:PutBucketCORS), or someone deletes the
# bucket between corsdeploy's read and its write.
@pytest.mark.parametrize("failure", ["deny", "delete"])
def test_a_bucket_that_fails_for_good_fails_alone_and_a_rerun_converges(
        failure: str, s3: Any, project: InProcessCli, fake_aws: str) -> None:
    broken = BUCKETS[7]
    control(fake_aws, f"/__{failure}?bucket={broken}&on=PutBucketCors", "POST")
    faults(fake_aws, 0.2)
    applied = project("apply", "--env", "prod", "--auto-approve")
    faults(fake_aws, 0)

    assert applied.returncode == 1
    assert f"s3_bucket.{broken}" in applied.stdout + applied.stderr
    assert all(live_rules(s3, name) == DECLARED for name in BUCKETS if name != broken)

    # Fixed (permission given back, the bucket created again): the next apply finishes the job.
    control(fake_aws, "/__clear", "POST")
    if failure == "delete":
        s3.create_bucket(Bucket=broken, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    faults(fake_aws, 0.2)
    again = project("apply", "--env", "prod", "--auto-approve")
    faults(fake_aws, 0)
    assert again.returncode == 0, again.stdout + again.stderr
    assert [live_rules(s3, name) for name in BUCKETS] == [DECLARED] * len(BUCKETS)
    assert project("plan", "--env", "prod", "--detailed-exitcode").returncode == 0


def _wire(rules: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    """A bucket's configuration as a backup keeps it (S3's own CORSConfiguration shape)."""
    return None if rules is None else {"CORSRules": rules}
