"""`corsdeploy sandbox up|down|status` runs a real moto server in the background."""
from __future__ import annotations

import json
import socket
import stat
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner

from corsdeploy.cli import cli as corsdeploy_cli
from corsdeploy.sandbox.server import process_identity
from tests.conftest import ROOT, Cli, free_port


def sandbox_env(url: str) -> str:
    return f"""\
aws:
  region: eu-west-1
  endpoint_url: {url}
s3_buckets:
  sandbox-bucket:
    cors:
      - AllowedOrigins: ["http://localhost:3000"]
        AllowedMethods: [GET]
http_apis:
  sandbox-api:
    cors: {{AllowOrigins: ["http://localhost:3000"], AllowMethods: [GET]}}
function_urls:
  sandbox-fn:
    cors: absent
"""


def test_up_creates_the_resources_then_down_stops_it(cli: Cli) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    cli.write_env("sb", sandbox_env(url))
    try:
        up = cli("sandbox", "up", "--env", "sb")
        assert up.returncode == 0, up.stderr
        assert "s3_bucket.sandbox-bucket" in up.stderr
        assert cli("sandbox", "status", "--env", "sb").stdout.strip() == url
        s3 = boto3.client("s3", endpoint_url=url, region_name="eu-west-1")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["sandbox-bucket"]
        # A second `up` is harmless: same server, nothing created twice.
        assert cli("sandbox", "up", "--env", "sb").returncode == 0
        plan = cli("plan", "--env", "sb", "--detailed-exitcode")
        assert plan.returncode == 2, plan.stderr
        assert cli("apply", "--env", "sb", "--auto-approve").returncode == 0
    finally:
        down = cli("sandbox", "down", "--env", "sb")
    assert down.returncode == 0 and "stopped" in down.stderr
    assert cli("sandbox", "status", "--env", "sb").returncode == 1
    assert not list(cli.project.glob(".corsdeploy/sandbox*"))  # never in the deployment state folder


def test_up_refuses_an_environment_that_points_at_real_aws(cli: Cli) -> None:
    cli.write_env("prod", sandbox_env("https://s3.eu-west-1.amazonaws.com"))
    result = cli("sandbox", "up", "--env", "prod")
    assert result.returncode == 1 and "loopback" in result.stderr
    assert cli("sandbox", "status", "--env", "prod").returncode == 1
    real_aws = sandbox_env("http://127.0.0.1:4566").replace("  endpoint_url: http://127.0.0.1:4566\n", "")
    cli.write_env("prod", real_aws)
    assert "unset (real AWS)" in cli("sandbox", "up", "--env", "prod").stderr


def test_up_fails_clearly_when_the_port_is_taken(cli: Cli) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        cli.write_env("sb", sandbox_env(f"http://127.0.0.1:{port}"))
        result = cli("sandbox", "up", "--env", "sb")
    assert result.returncode == 1
    assert f"port {port}" in result.stderr and "in use" in result.stderr


def test_the_sandbox_is_found_from_any_directory(cli: Cli, tmp_path: Path, sandbox_runtime: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    cli.write_env("sb", sandbox_env(url))
    (tmp_path / "elsewhere").mkdir()
    elsewhere = Cli(tmp_path / "elsewhere")
    typed = ("--env", "sb", "--env-dir", str(cli.env_dir), "--debug")
    try:
        assert cli("sandbox", "up", "--env", "sb").returncode == 0
        folder = sandbox_runtime / "corsdeploy" / "sandbox" / url.rsplit(":", 1)[1]
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        status = elsewhere("sandbox", "status", *typed)
        assert status.returncode == 0 and status.stdout.strip() == url, status.stderr
        by_url = elsewhere("sandbox", "status", env={"CORSDEPLOY_SANDBOX_URL": url})
        assert by_url.stdout.strip() == url, by_url.stderr
        again = elsewhere("sandbox", "up", *typed)
        assert again.returncode == 0 and "already running" in again.stderr, again.stderr
    finally:
        down = elsewhere("sandbox", "down", *typed)
    assert down.returncode == 0 and "stopped" in down.stderr, down.stderr
    assert cli("sandbox", "status", "--env", "sb").returncode == 1


def test_down_never_stops_a_process_that_is_not_the_sandbox(cli: Cli, sandbox_runtime: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    cli.write_env("sb", sandbox_env(url))
    assert cli("sandbox", "up", "--env", "sb").returncode == 0
    (record,) = sandbox_runtime.glob("corsdeploy/sandbox/*/sandbox.json")
    real = json.loads(record.read_text())
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        # The sandbox died and its pid went to another process: the record now names that process.
        record.write_text(json.dumps({**real, "pid": bystander.pid}))
        down = cli("sandbox", "down", "--env", "sb")
        assert down.returncode == 0 and "no sandbox was running" in down.stderr
        assert bystander.poll() is None
        assert cli("sandbox", "status", "--env", "sb").returncode == 1
    finally:
        bystander.kill()
        bystander.wait()
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps(real))
        cli("sandbox", "down", "--env", "sb")
    assert process_identity(real["pid"]) is None  # the real sandbox was stopped


def test_two_ups_at_once_start_one_sandbox_that_down_stops(cli: Cli) -> None:
    # Two pipelines (or two `make demo`) starting the sandbox together: the one that lost the race for
    # the port must not erase the winner's record, or the winner is left running with no way to stop it.
    url = f"http://127.0.0.1:{free_port()}"
    cli.write_env("sb", sandbox_env(url))
    command = [sys.executable, "-m", "corsdeploy", "sandbox", "up", "--env", "sb"]
    starts = [subprocess.Popen(command, cwd=cli.project, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outcomes = [(start.communicate(timeout=60)[1], start.returncode) for start in starts]
    try:
        assert [code for _, code in outcomes] == [0, 0, 0], outcomes
        assert sum("already running" in stderr for stderr, _ in outcomes) == 2, outcomes
        status = cli("sandbox", "status", "--env", "sb")
        assert status.returncode == 0 and status.stdout.strip() == url
    finally:
        down = cli("sandbox", "down", "--env", "sb")
    assert down.returncode == 0 and "stopped" in down.stderr, down.stderr
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", int(url.rsplit(":", 1)[1]))) != 0  # nothing left listening


@pytest.mark.parametrize("host", ["127.0.0.1.nip.io", "localhost.example.com", "127.evil.example"])
def test_only_a_real_loopback_address_is_loopback(cli: Cli, host: str) -> None:
    cli.write_env("sb", sandbox_env(f"http://{host}:{free_port()}"))
    result = cli("sandbox", "up", "--env", "sb")
    assert result.returncode == 1 and "loopback" in result.stderr


def test_without_the_sandbox_extra_up_names_it(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    cli.write_env("sb", sandbox_env(f"http://127.0.0.1:{free_port()}"))
    monkeypatch.chdir(cli.project)
    monkeypatch.setitem(sys.modules, "moto", None)  # as if moto were not installed
    result = CliRunner().invoke(corsdeploy_cli, ["sandbox", "up", "--env", "sb"])
    assert result.exit_code == 1
    assert "pip install 'corsdeploy[sandbox]'" in result.stderr


def make(*args: str) -> str:
    """`make` in the repository, never (re)installing the virtualenv."""
    done = subprocess.run(["make", "-o", ".venv/.installed", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, check=True)
    return done.stdout


def test_make_demo_moves_to_another_port_with_one_variable() -> None:
    recipe = make("-n", "demo", "SANDBOX_PORT=4567")
    assert "4566" not in recipe and "http://127.0.0.1:4567" in recipe
    # Every corsdeploy command of the demo sees the sandbox's URL (environments/sandbox.yaml follows it).
    for target in ("sandbox-up", "sandbox-down"):
        shown = make("-s", target, "SANDBOX_PORT=4567", "CORSDEPLOY=printenv CORSDEPLOY_SANDBOX_URL #")
        assert shown.strip() == "http://127.0.0.1:4567"
