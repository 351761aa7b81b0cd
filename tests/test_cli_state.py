"""State end to end: the real `corsdeploy` against a moto server, two writers at once, history and
unlock from another working directory (S3 store), a lock released after a failing apply."""
from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from corsdeploy.cli import cli as main_cli
from tests.cli_support import apply_with_failing_write
from tests.conftest import CORSDEPLOY, ROOT, Cli, MotoServer

STATE_BUCKET = "ops-state"


def environment(url: str, state: str | None = None) -> str:
    return (f"state: {state}\n" if state else "") + f"""\
aws:
  region: eu-west-1
  endpoint_url: {url}
  account_id: "123456789012"
s3_buckets:
  uploads:
    cors:
      - AllowedOrigins: ["https://app.example.com"]
        AllowedMethods: [GET]
"""


@pytest.fixture
def s3(moto_server: MotoServer) -> Any:
    client = boto3.client("s3", endpoint_url=moto_server.url, region_name="eu-west-1")
    for name in ("uploads", STATE_BUCKET):
        client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    return client


class Paused:
    """`corsdeploy apply` in its own process, holding the lock while its write waits for `go()`."""

    def __init__(self, cli: Cli, *args: str) -> None:
        self.gate = cli.project / "gate"
        self.cli = cli
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from tests.cli_support import paused_apply; paused_apply()",
             str(self.gate), "apply", "--env", "dev", "--auto-approve", *args],
            cwd=cli.project, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not self.gate.with_suffix(".writing").exists():
            assert self.process.poll() is None, self.process.communicate()
            assert time.monotonic() < deadline, "the paused apply never reached its write"
            time.sleep(0.02)

    def go(self) -> tuple[int, str, str]:
        self.gate.touch()
        out, err = self.process.communicate(timeout=60)
        return self.process.returncode, out, err

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.communicate(timeout=60)


@pytest.fixture
def paused(cli: Cli) -> Iterator[list[Paused]]:
    started: list[Paused] = []
    yield started
    for run in started:
        if run.process.poll() is None:
            run.kill()


def test_a_second_apply_is_refused_naming_the_holder_while_the_first_writes(
        cli: Cli, moto_server: MotoServer, s3: Any, paused: list[Paused]) -> None:
    cli.write_env("dev", environment(moto_server.url))
    first = Paused(cli)
    paused.append(first)
    second = cli("apply", "--env", "dev", "--auto-approve")
    assert second.returncode == 1 and second.stdout == ""
    assert "environment 'dev' is locked: lock " in second.stderr
    assert f"(pid {first.process.pid}, arn:aws:sts::123456789012:user/moto) for apply since " in second.stderr
    assert "corsdeploy unlock --env dev " in second.stderr
    with pytest.raises(s3.exceptions.ClientError):
        s3.get_bucket_cors(Bucket="uploads")  # the refused apply wrote nothing; the first has not yet
    status, out, err = first.go()
    assert status == 0, err
    assert "Apply complete: 1 changed, 0 failed." in out
    assert not list((cli.project / ".corsdeploy" / "locks").iterdir())  # released


def test_lock_timeout_waits_for_the_holder_then_applies(
        cli: Cli, moto_server: MotoServer, s3: Any, paused: list[Paused]) -> None:
    """With an S3 store: the lock is a conditional PutObject, waited on by polling."""
    cli.write_env("dev", environment(moto_server.url, f"s3://{STATE_BUCKET}/corsdeploy"))
    first = Paused(cli)
    paused.append(first)
    command = [CORSDEPLOY, "apply", "--env", "dev", "--auto-approve", "--lock-timeout", "60"]
    waiting = subprocess.Popen(command, cwd=cli.project, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert waiting.stderr is not None
    ready, _, _ = select.select([waiting.stderr], [], [], 60)
    told = waiting.stderr.readline() if ready else ""
    # It found the lock held, and said by whom.
    assert "waiting up to 60s: lock " in told and f"(pid {first.process.pid}, " in told
    assert waiting.poll() is None
    assert first.go()[0] == 0
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err
    assert "No changes." in out  # the first apply's write was done when the second planned
    assert not _has_object(s3, "corsdeploy/locks/")
    assert not (cli.project / ".corsdeploy").exists()


def _has_object(s3: Any, prefix: str) -> bool:
    return bool(s3.list_objects_v2(Bucket=STATE_BUCKET, Prefix=prefix).get("Contents"))


def test_history_and_unlock_from_a_runner_that_never_saw_the_apply(
        cli: Cli, moto_server: MotoServer, s3: Any, paused: list[Paused],
        tmp_path_factory: pytest.TempPathFactory) -> None:
    state = f"s3://{STATE_BUCKET}/corsdeploy"
    cli.write_env("dev", environment(moto_server.url, state))
    applied = cli("apply", "--env", "dev", "--auto-approve", "--format", "json")
    assert applied.returncode == 0, applied.stderr
    apply_id = json.loads(applied.stdout)["apply_id"]
    s3.delete_bucket_cors(Bucket="uploads")  # drift: the next apply has something to write
    crashed = Paused(cli)  # a second apply, killed while it holds the lock
    paused.append(crashed)
    crashed.kill()

    other = Cli(tmp_path_factory.mktemp("other-runner"))
    other.write_env("dev", environment(moto_server.url, state))
    refused = other("apply", "--env", "dev", "--auto-approve")
    assert refused.returncode == 1 and f"(pid {crashed.process.pid}, " in refused.stderr
    lock_id = refused.stderr.split("lock ", 1)[1].split(" ", 1)[0]
    wrong = other("unlock", "--env", "dev", "0123456789abcdef")
    assert wrong.returncode == 1 and f"lock {lock_id} held by" in wrong.stderr
    released = other("unlock", "--env", "dev", lock_id)
    assert released.returncode == 0, released.stderr
    assert f"released lock {lock_id}" in released.stderr

    listed = other("history", "--env", "dev", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    document = json.loads(listed.stdout)
    assert document["format_version"] == 1 and document["state"] == state
    newest, oldest = document["applies"]
    assert newest["outcome"] == "incomplete" and newest["finished_at"] is None
    assert oldest["apply_id"] == apply_id and oldest["outcome"] == "applied"
    assert oldest["caller"] == "arn:aws:sts::123456789012:user/moto"
    (resource,) = oldest["resources"]
    assert resource["address"] == "s3_bucket.uploads" and resource["action"] == "create"
    assert resource["before"] is None and resource["outcome"] == "applied"
    assert resource["after"] == {"CORSRules": [{"AllowedOrigins": ["https://app.example.com"],
                                                "AllowedMethods": ["GET"]}]}
    assert resource["backup"] == f"{state}/backups/{apply_id}/s3_bucket.uploads.json"
    assert oldest["backup_location"] == f"{state}/backups/{apply_id}"

    text = other("history", "--env", "dev")
    assert text.returncode == 0, text.stderr
    assert f"History of environment dev (state {state}), newest first:" in text.stdout
    assert f"{apply_id}  applied  " in text.stdout and "by arn:aws:sts::123456789012:user/moto" in text.stdout
    assert "  + s3_bucket.uploads  applied" in text.stdout and "never finished" in text.stdout
    assert not (cli.project / ".corsdeploy").exists() and not (other.project / ".corsdeploy").exists()

    again = other("apply", "--env", "dev", "--auto-approve")
    assert again.returncode == 0, again.stderr


def test_the_lock_is_released_and_the_failure_recorded_after_a_failing_apply(
        moto_server: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any) -> None:
        raise RuntimeError("the write failed")

    result = apply_with_failing_write(moto_server, tmp_path, monkeypatch, refuse, "json")
    assert result.exit_code == 1
    assert list((tmp_path / ".corsdeploy" / "locks").iterdir()) == []
    history = Cli(tmp_path)("history", "--env", "dev", "--format", "json")
    assert history.returncode == 0, history.stderr
    (record,) = json.loads(history.stdout)["applies"]
    assert record["outcome"] == "failed" and record["apply_id"] == json.loads(result.stdout)["apply_id"]
    (resource,) = record["resources"]
    assert resource["outcome"] == "failed"
    assert resource["error"] == {"code": "RuntimeError", "message": "the write failed"}
    assert resource["backup"].startswith(".corsdeploy/backups/")


def test_history_of_a_folder_store_and_of_an_environment_never_applied(cli: Cli) -> None:
    cli.write_env("dev", environment("http://127.0.0.1:9", "ops/state"))  # nothing listens: no call is made
    result = cli("history", "--env", "dev")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "No applies recorded for environment dev in ops/state.\n"
    assert json.loads(cli("history", "--env", "dev", "--format", "json").stdout) == {
        "format_version": 1, "environment": "dev", "state": "ops/state", "applies": []}


@pytest.mark.parametrize("state", ["/tmp/elsewhere", "../up", "s3://UPPER"])
def test_a_state_outside_the_working_directory_is_refused_by_every_command(
        cli: Cli, state: str, monkeypatch: pytest.MonkeyPatch) -> None:
    cli.write_env("dev", environment("http://127.0.0.1:9", state))  # nothing listens: no call is made
    monkeypatch.chdir(cli.project)
    for command in (("validate", "--env", "dev"), ("history", "--env", "dev"),
                    ("unlock", "--env", "dev", "0123456789abcdef"),
                    ("apply", "--env", "dev", "--auto-approve")):
        result = CliRunner().invoke(main_cli, list(command))
        assert result.exit_code == 1, command
        assert "environments/dev.yaml:1:8: state:" in result.output, command


def test_sigterm_mid_apply_exits_143_and_releases_the_lock(
        cli: Cli, moto_server: MotoServer, s3: Any, paused: list[Paused]) -> None:
    cli.write_env("dev", environment(moto_server.url))
    run = Paused(cli)
    paused.append(run)
    run.process.send_signal(signal.SIGTERM)
    time.sleep(0.5)  # the signal reaches the main thread; the write in flight still waits at the gate
    status, out, err = run.go()
    assert status == 143, err
    # The write that was in flight finished and is reported with its backup (tests/test_interrupt_apply.py
    # covers many resources); the next writer is not locked out.
    assert "interrupted: 1 resources changed\n  s3_bucket.uploads  backup: .corsdeploy/backups/" in out, out
    assert "Traceback" not in err
    again = cli("apply", "--env", "dev", "--auto-approve")
    assert again.returncode == 0 and "locked" not in again.stderr, again.stderr


def test_a_runner_that_never_saw_the_apply_rolls_it_back_from_the_s3_store(
        cli: Cli, moto_server: MotoServer, s3: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    state = f"s3://{STATE_BUCKET}/corsdeploy"
    earlier = [{"ID": "old", "AllowedOrigins": ["https://old.example.com"], "AllowedMethods": ["PUT"]}]
    s3.put_bucket_cors(Bucket="uploads", CORSConfiguration={"CORSRules": earlier})
    cli.write_env("dev", environment(moto_server.url, state))
    assert cli("apply", "--env", "dev", "--auto-approve").returncode == 0
    assert s3.get_bucket_cors(Bucket="uploads")["CORSRules"] != earlier

    other = Cli(tmp_path_factory.mktemp("other-runner"))
    other.write_env("dev", environment(moto_server.url, state))
    rolled_back = other("rollback", "--env", "dev", "--auto-approve")

    assert rolled_back.returncode == 0, rolled_back.stderr
    assert s3.get_bucket_cors(Bucket="uploads")["CORSRules"] == earlier
    assert not (cli.project / ".corsdeploy").exists() and not (other.project / ".corsdeploy").exists()
    listed = json.loads(cli("history", "--env", "dev", "--format", "json").stdout)
    assert [entry["operation"] for entry in listed["applies"]] == ["rollback", "apply"]
