"""`corsdeploy probe`'s guards: nothing is sent before the trust rule and the account guard pass."""
from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from tests.cli_support import InProcessCli
from tests.conftest import MotoServer
from tests.probe.api_standin import api_stand_in

ENVIRONMENT = """\
aws:
  region: eu-west-1
  endpoint_url: {url}
{extra}s3_buckets:
  assets:
    cors:
      - AllowedOrigins: ["https://app.example.com"]
        AllowedMethods: [GET]
"""


def test_an_endpoint_the_runner_does_not_trust_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    cli = InProcessCli(tmp_path)
    cli.write_env("dev", ENVIRONMENT.format(url="https://collector.evil.example", extra=""))
    result = cli("probe", "--env", "dev")
    assert result.returncode == 1
    assert "aws.endpoint_url: 'https://collector.evil.example' is not a loopback address" in result.stderr
    assert "nothing was sent" in result.stderr and result.stdout == ""


def test_the_account_guard_runs_before_any_probe_request(moto_server: MotoServer, tmp_path: Path) -> None:
    boto3.client("s3", endpoint_url=moto_server.url, region_name="eu-west-1").create_bucket(
        Bucket="assets", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    cli = InProcessCli(tmp_path)
    with api_stand_in(moto_server.url) as stand_in:
        cli.write_env("dev", ENVIRONMENT.format(url=stand_in.url, extra='  account_id: "111111111111"\n'))
        result = cli("probe", "--env", "dev")
    assert result.returncode == 1
    assert "wrong AWS account: the environment expects account 111111111111" in result.stderr
    assert [method for method, _ in stand_in.forwarded] == ["POST"]  # sts:GetCallerIdentity, nothing else


@pytest.mark.parametrize(("args", "message"), [
    (("--target", "s3_bucket.other"), "--target s3_bucket.other: no such resource"),
    (("--timeout", "0"), "Invalid value for '--timeout'"),
])
def test_usage_errors(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    cli = InProcessCli(tmp_path)
    cli.write_env("dev", ENVIRONMENT.format(url="http://127.0.0.1:1", extra=""))
    result = cli("probe", "--env", "dev", *args)
    assert result.returncode == 1
    assert message in result.stderr
