"""`corsdeploy sandbox up|down|status` runs a real moto server in the background."""
from __future__ import annotations

import socket

import boto3

from tests.conftest import Cli, free_port


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
        assert cli("sandbox", "status").stdout.strip() == url
        s3 = boto3.client("s3", endpoint_url=url, region_name="eu-west-1")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["sandbox-bucket"]
        # A second `up` is harmless: same server, nothing created twice.
        assert cli("sandbox", "up", "--env", "sb").returncode == 0
        plan = cli("plan", "--env", "sb", "--detailed-exitcode")
        assert plan.returncode == 2, plan.stderr
        assert cli("apply", "--env", "sb", "--auto-approve").returncode == 0
    finally:
        down = cli("sandbox", "down")
    assert down.returncode == 0 and "stopped" in down.stderr
    assert cli("sandbox", "status").returncode == 1
    assert not (cli.project / ".corsdeploy" / "sandbox.pid").exists()


def test_up_refuses_an_environment_that_points_at_real_aws(cli: Cli) -> None:
    cli.write_env("prod", sandbox_env("https://s3.eu-west-1.amazonaws.com"))
    result = cli("sandbox", "up", "--env", "prod")
    assert result.returncode == 1 and "loopback" in result.stderr
    assert cli("sandbox", "status").returncode == 1
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
