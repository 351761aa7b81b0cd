"""`--parallelism N` on plan, apply and rollback: at most N reads and writes at once, every client's
connection pool sized to match, and a default wider than the 16 it used to be.

The CLI runs in-process against the moto server; S3Provider's read and write are wrapped to count
how many run at once (each holds on a little so that the pool fills up).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner, Result

from corsdeploy.cli import cli
from corsdeploy.model import DEFAULT_PARALLELISM
from corsdeploy.providers.s3 import S3Provider
from tests.conftest import MotoServer

RULES = '[{AllowedOrigins: ["https://app.example.com"], AllowedMethods: [GET]}]'
HOLD_SECONDS = 0.05


class Watch:
    """How many wrapped calls ran at once at most, and the connection pool sizes of their clients."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._now = 0
        self.most = 0
        self.pools: set[int] = set()

    def wrap(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def counted(provider: S3Provider, *args: Any) -> Any:
            with self._lock:
                self._now += 1
                self.most = max(self.most, self._now)
                self.pools.add(provider._clients.client("s3").meta.config.max_pool_connections)
            try:
                time.sleep(HOLD_SECONDS)
                return method(provider, *args)
            finally:
                with self._lock:
                    self._now -= 1
        return counted


@pytest.fixture
def project(tmp_path: Path, moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`dev` of 20 buckets (more than the old 16 workers), `test` of 6; none with CORS yet."""
    monkeypatch.chdir(tmp_path)
    s3 = boto3.client("s3", endpoint_url=moto_server.url, region_name="eu-west-1")
    (tmp_path / "environments").mkdir()
    for env, count in (("dev", 20), ("test", 6)):
        entries = []
        for index in range(count):
            name = f"{env}-bucket-{index:02d}"
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
            entries.append(f"  {name}:\n    cors: {RULES}\n")
        (tmp_path / "environments" / f"{env}.yaml").write_text(
            f"aws:\n  region: eu-west-1\n  endpoint_url: {moto_server.url}\ns3_buckets:\n" + "".join(entries))
    return tmp_path


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Watch:
    watch = Watch()
    monkeypatch.setattr(S3Provider, "read", watch.wrap(S3Provider.read))
    return watch


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> Watch:
    watch = Watch()
    monkeypatch.setattr(S3Provider, "write", watch.wrap(S3Provider.write))
    return watch


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_plan_reads_at_most_n_at_once(project: Path, reads: Watch) -> None:
    result = run("plan", "--env", "dev", "--parallelism", "3")
    assert result.exit_code == 0, result.output
    assert reads.most == 3 and reads.pools == {3}


def test_apply_and_rollback_write_at_most_n_at_once(project: Path, reads: Watch, writes: Watch) -> None:
    applied = run("apply", "--env", "test", "--auto-approve", "--parallelism", "2")
    assert applied.exit_code == 0, applied.output
    assert writes.most == 2 and writes.pools == {2}
    rolled_back = run("rollback", "--env", "test", "--auto-approve", "--parallelism", "5")
    assert rolled_back.exit_code == 0, rolled_back.output
    assert writes.most == 5 and writes.pools == {2, 5}
    assert reads.most == 5


def test_plan_all_gives_each_environment_n(project: Path, reads: Watch) -> None:
    result = run("plan", "--all", "--parallelism", "2")
    assert result.exit_code == 0, result.output
    assert reads.pools == {2}
    assert reads.most <= 2 * 2  # two environments, each at most 2 at once


def test_the_default_reads_wider_than_sixteen(project: Path, reads: Watch) -> None:
    result = run("plan", "--env", "dev")
    assert result.exit_code == 0, result.output
    assert reads.pools == {DEFAULT_PARALLELISM}
    assert reads.most > 16


@pytest.mark.parametrize("value", ["0", "-1", "many", "100000"])
def test_a_parallelism_that_is_not_a_sensible_count_is_a_usage_error(value: str) -> None:
    result = run("plan", "--env", "dev", "--parallelism", value)
    assert result.exit_code == 1
    assert "--parallelism" in result.output and "Traceback" not in result.output
