"""`corsdeploy probe` end to end against the sandbox's S3: real requests to the bucket URL on the
endpoint override, every answer compared with check's.

The sandbox is moto, which answers browsers unlike S3 (issue 9): it stops at the first rule whose
origins differ and matches origin patterns as unanchored prefixes. The probe must find exactly that.
"""
from __future__ import annotations

import json
from pathlib import Path

import boto3

from tests.cli_support import InProcessCli
from tests.conftest import MotoServer

ENVIRONMENT = """\
aws:
  region: eu-west-1
  endpoint_url: {url}
s3_buckets:
  assets:
    cors:
      - AllowedOrigins: ["https://app.example.com"]
        AllowedMethods: [PUT]
        AllowedHeaders: ["content-type"]
      - AllowedOrigins: ["https://admin.example.com"]
        AllowedMethods: [GET]
"""


def _project(moto_server: MotoServer, tmp_path: Path) -> InProcessCli:
    boto3.client("s3", endpoint_url=moto_server.url, region_name="eu-west-1").create_bucket(
        Bucket="assets", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    cli = InProcessCli(tmp_path)
    cli.write_env("dev", ENVIRONMENT.format(url=moto_server.url))
    assert cli("apply", "--env", "dev", "--auto-approve").returncode == 0
    return cli


def test_the_probe_finds_where_the_emulator_does_not_answer_like_s3(moto_server: MotoServer,
                                                                      tmp_path: Path) -> None:
    cli = _project(moto_server, tmp_path)
    result = cli("probe", "--env", "dev")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    bucket = f"{moto_server.url}/assets/"
    # S3 goes on to rule 1 for admin's GET; moto stops at rule 0.
    assert (f"s3_bucket.assets: preflight GET from https://admin.example.com [allowed] to {bucket}: "
            "status expected 200, got 403;") in "\n".join(lines)
    # S3 anchors the origin; moto accepts anything that starts with an allowed origin.
    attack = "https://app.example.com.evil.example"
    lookalike = next(line for line in lines if f"preflight PUT (headers: content-type) from {attack}" in line)
    assert f"Access-Control-Allow-Origin expected none, got '{attack}'" in lookalike
    assert lines[-1].startswith("Probe of dev: ")


def test_the_json_report_holds_every_request_sent_to_the_bucket(moto_server: MotoServer,
                                                                tmp_path: Path) -> None:
    cli = _project(moto_server, tmp_path)
    result = cli("probe", "--env", "dev", "--format", "json")
    assert result.returncode == 1
    document = json.loads(result.stdout)
    (resource,) = document["resources"]
    assert resource["url"] == f"{moto_server.url}/assets/"
    requests = resource["requests"]
    assert document["summary"]["requests"] == len(requests)
    assert {r["origin"] for r in requests} >= {"https://app.example.com", "https://admin.example.com",
                                               "https://evil.example", "null", "http://app.example.com"}
    assert all(r["got"] is not None and r["error"] is None for r in requests)
    admin = next(r for r in requests if r["origin"] == "https://admin.example.com" and r["preflight"])
    assert admin["expected"]["status"] == 200 and admin["got"]["status"] == 403 and not admin["agree"]
