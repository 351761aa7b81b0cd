"""`corsdeploy rollback` end to end against a moto server: every kind is put back exactly as it was
before the apply (read back raw from the service, not through corsdeploy), the rollback is itself
recorded and can be rolled back, and it asks like apply does."""
from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from corsdeploy.aws import Clients
from corsdeploy.config import load_environment
from corsdeploy.model import AwsSettings
from corsdeploy.sandbox.seed import seed_environment
from tests.cli_support import InProcessCli
from tests.conftest import Cli, MotoServer

ENVIRONMENT = """\
aws:
  region: eu-west-1
  endpoint_url: {url}
s3_buckets:
  rb-uploads:
    cors:
      - AllowedOrigins: ["https://app.example.com"]
        AllowedMethods: [GET, PUT]
  rb-bare:
    cors:
      - AllowedOrigins: ["https://app.example.com"]
        AllowedMethods: [GET]
http_apis:
  rb-orders:
    cors: {{AllowOrigins: ["https://app.example.com"], AllowMethods: [GET], MaxAge: 60}}
rest_apis:
  rb-catalog:
    stage: prod
    cors: {{AllowOrigins: ["https://app.example.com", "https://admin.example.com"], AllowMethods: [GET]}}
function_urls:
  rb-thumbnailer:
    cors: {{AllowOrigins: ["https://app.example.com"], AllowMethods: [GET]}}
"""
# What live held before corsdeploy's apply, written behind its back (rb-bare had no CORS at all).
EARLIER_RULES = [{"ID": "legacy", "AllowedOrigins": ["https://old.example.com"],
                  "AllowedMethods": ["GET", "HEAD"], "AllowedHeaders": ["Authorization"],
                  "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 120}]
EARLIER_HTTP = {"AllowOrigins": ["https://old.example.com"], "AllowMethods": ["GET", "POST"],
                "AllowHeaders": ["x-custom"], "AllowCredentials": True, "MaxAge": 30}
EARLIER_URL = {"AllowOrigins": ["https://old.example.com"], "AllowMethods": ["GET"], "MaxAge": 10}


def clients_for(moto_server: MotoServer) -> dict[str, Any]:
    return {name: boto3.client(name, endpoint_url=moto_server.url, region_name="eu-west-1")
            for name in ("s3", "apigatewayv2", "apigateway", "lambda")}


def snapshot(aws: dict[str, Any]) -> dict[str, Any]:
    """Every piece of live configuration corsdeploy may touch, as the services return it."""
    def bucket_cors(name: str) -> Any:
        try:
            return aws["s3"].get_bucket_cors(Bucket=name)["CORSRules"]
        except aws["s3"].exceptions.ClientError:
            return None

    (http_api,) = [a for a in aws["apigatewayv2"].get_apis()["Items"] if a["Name"] == "rb-orders"]
    (rest_api,) = [a for a in aws["apigateway"].get_rest_apis()["items"] if a["name"] == "rb-catalog"]
    resources = aws["apigateway"].get_resources(restApiId=rest_api["id"], embed=["methods"])["items"]
    responses = aws["apigateway"].get_gateway_responses(restApiId=rest_api["id"])["items"]
    url = aws["lambda"].get_function_url_config(FunctionName="rb-thumbnailer")
    return {
        "uploads": bucket_cors("rb-uploads"), "bare": bucket_cors("rb-bare"),
        "http": _set_fields(http_api.get("CorsConfiguration")),
        "rest": (sorted(resources, key=lambda r: r["path"]),
                 sorted(responses, key=lambda r: r["responseType"])),
        "url": url.get("Cors"),
    }


def _set_fields(cors: dict[str, Any] | None) -> dict[str, Any] | None:
    """An HTTP API's CORS without its empty fields: every write sends all six fields, `[]` for an
    unset one, because UpdateApi keeps any field a request leaves out (facts §7.2)."""
    return None if cors is None else {key: value for key, value in cors.items() if value != []}


@pytest.fixture
def seeded(cli: Cli, moto_server: MotoServer) -> InProcessCli:
    """The environment's resources, each with CORS of its own that differs from the file's."""
    cli.write_env("prod", ENVIRONMENT.format(url=moto_server.url))
    environment = load_environment(cli.env_dir, "prod")
    seed_environment(Clients(AwsSettings(region="eu-west-1", endpoint_url=moto_server.url)), environment)
    aws = clients_for(moto_server)
    aws["s3"].put_bucket_cors(Bucket="rb-uploads", CORSConfiguration={"CORSRules": EARLIER_RULES})
    (http_api,) = [a for a in aws["apigatewayv2"].get_apis()["Items"] if a["Name"] == "rb-orders"]
    aws["apigatewayv2"].update_api(ApiId=http_api["ApiId"], CorsConfiguration=EARLIER_HTTP)
    aws["lambda"].update_function_url_config(FunctionName="rb-thumbnailer", Cors=EARLIER_URL)
    return InProcessCli(cli.project)


def test_rollback_puts_every_kind_back_exactly_and_can_itself_be_rolled_back(
        seeded: InProcessCli, moto_server: MotoServer) -> None:
    aws = clients_for(moto_server)
    before = snapshot(aws)
    applied = seeded("apply", "--env", "prod", "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    after_apply = snapshot(aws)
    assert after_apply != before and after_apply["bare"] is not None

    rolled_back = seeded("rollback", "--env", "prod", "--auto-approve")

    assert rolled_back.returncode == 0, rolled_back.stderr
    assert "Rolling back apply" in rolled_back.stdout
    restored = snapshot(aws)
    for part in before:  # each kind compared raw, REST methods and gateway responses included
        assert restored[part] == before[part], part
    # The rollback was backed up and recorded like an apply: undoing it brings the apply back.
    history = seeded("history", "--env", "prod", "--format", "json")
    operations = [entry["operation"] for entry in json.loads(history.stdout)["applies"]]
    assert operations == ["rollback", "apply"]
    undone = seeded("rollback", "--env", "prod", "--auto-approve")
    assert undone.returncode == 0, undone.stderr
    assert snapshot(aws) == after_apply
    assert seeded("plan", "--env", "prod", "--detailed-exitcode").returncode == 0


def test_rollback_to_a_named_apply_and_its_refusals(seeded: InProcessCli, moto_server: MotoServer) -> None:
    aws = clients_for(moto_server)
    before = snapshot(aws)
    assert seeded("apply", "--env", "prod", "--auto-approve").returncode == 0
    history = json.loads(seeded("history", "--env", "prod", "--format", "json").stdout)
    (first,) = [entry["apply_id"] for entry in history["applies"]]

    unknown = seeded("rollback", "--env", "prod", "--to", "20200101T000000Z-abcd", "--auto-approve")
    assert unknown.returncode == 1 and "no apply 20200101T000000Z-abcd" in unknown.stderr
    malformed = seeded("rollback", "--env", "prod", "--to", "../../etc", "--auto-approve")
    assert malformed.returncode == 1 and "is not an apply id" in malformed.stderr
    asking = seeded("rollback", "--env", "prod", "--to", first)  # no terminal to confirm on
    assert asking.returncode == 1 and "no terminal" in asking.stderr

    named = seeded("rollback", "--env", "prod", "--to", first, "--auto-approve", "--format", "json")
    assert named.returncode == 0, named.stderr
    assert snapshot(aws) == before


def test_nothing_to_roll_back_is_a_clear_error(cli: Cli, moto_server: MotoServer) -> None:
    cli.write_env("prod", ENVIRONMENT.format(url=moto_server.url))
    result = InProcessCli(cli.project)("rollback", "--env", "prod", "--auto-approve")
    assert result.returncode == 1 and "nothing to roll back" in result.stderr
