"""The engine's write path on moto in-process: one session (account guard, then lock), backups and a
history record in the store `state:` names, the lock released however the apply ends."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from corsdeploy.config import load_environment
from corsdeploy.engine import apply_run, environment_history, open_store, plan_environment, write_session
from corsdeploy.errors import CorsdeployError
from corsdeploy.model import Environment
from corsdeploy.providers.s3 import S3Provider
from corsdeploy.state import Backups, Locks, RunOutcome

OLD = {"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]}


@pytest.fixture
def s3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.chdir(tmp_path)
    with mock_aws():
        client = boto3.client("s3", region_name="eu-west-1")
        for name in ("uploads", "ops-state"):
            client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        client.put_bucket_cors(Bucket="uploads", CORSConfiguration=OLD)
        yield client


def environment(tmp_path: Path, state: str = "s3://ops-state/cd",
                account: str = "123456789012") -> Environment:
    (tmp_path / "envs").mkdir(exist_ok=True)
    (tmp_path / "envs" / "dev.yaml").write_text(f"""\
state: {state}
aws: {{region: eu-west-1, account_id: "{account}"}}
s3_buckets:
  uploads:
    cors:
      - AllowedOrigins: ["https://app.example.com"]
        AllowedMethods: [GET]
""")
    return load_environment(tmp_path / "envs", "dev")


@pytest.mark.parametrize("state", ["s3://ops-state/cd", ".corsdeploy"])
def test_an_apply_that_is_interrupted_releases_the_lock_and_stays_in_the_history(
        s3: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, state: str) -> None:
    def interrupted(*_args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(S3Provider, "write", interrupted)
    env = environment(tmp_path, state)
    with pytest.raises(KeyboardInterrupt), write_session(env) as session:
        apply_run(plan_environment(env, (), session.clients), session)
    store = open_store(env)
    assert Locks(store).holder("dev") is None
    (record,) = environment_history(env).records
    assert record.outcome is RunOutcome.INCOMPLETE and record.caller.startswith("arn:aws:")
    assert Backups(store).load(record.apply_id, "dev") == {"s3_bucket.uploads": OLD}  # what a rollback needs
    assert s3.get_bucket_cors(Bucket="uploads")["CORSRules"] == OLD["CORSRules"]


def test_an_apply_with_nothing_to_change_records_nothing(s3: Any, tmp_path: Path) -> None:
    env = environment(tmp_path, ".corsdeploy")
    with write_session(env) as session:
        first = apply_run(plan_environment(env, (), session.clients), session)
    with write_session(env) as session:
        second = apply_run(plan_environment(env, (), session.clients), session)
    assert first.ok and second.ok and second.backup_location is None
    (record,) = environment_history(env).records
    assert record.apply_id == first.apply_id and record.outcome is RunOutcome.APPLIED
    assert [p.name for p in (tmp_path / ".corsdeploy" / "backups").iterdir()] == [first.apply_id]


def test_the_account_guard_runs_before_the_lock_or_any_state(s3: Any, tmp_path: Path) -> None:
    env = environment(tmp_path, account="999999999999")
    with pytest.raises(CorsdeployError, match="wrong AWS account"), write_session(env):
        pytest.fail("the session must not open")
    with pytest.raises(CorsdeployError, match="wrong AWS account"):
        environment_history(env)
    assert s3.list_objects_v2(Bucket="ops-state").get("KeyCount") == 0
    assert not (tmp_path / ".corsdeploy").exists()


def test_the_session_holds_the_lock_for_its_caller(s3: Any, tmp_path: Path) -> None:
    env = environment(tmp_path)
    with write_session(env, operation="rollback") as session:
        held = Locks(session.store).holder("dev")
        assert held is not None and held.info == session.lock
        assert session.lock.operation == "rollback" and session.lock.caller == session.identity.arn
    assert Locks(open_store(env)).holder("dev") is None
