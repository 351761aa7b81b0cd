"""`corsdeploy import` end to end against a moto server, for every kind: live CORS is seeded, imported
into environments/imported.yaml, and planning that file shows no change, every `after` being the
configuration that was seeded. Errors exit 1 with nothing on stdout."""
from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3
import pytest
import yaml
from click.testing import CliRunner

from corsdeploy.cli import cli as corsdeploy_cli
from tests.conftest import Cli, MotoServer
from tests.rest_support import build_api

S3_RULES = [
    {"ID": "upload", "AllowedHeaders": ["*"], "AllowedMethods": ["PUT", "POST"],
     # `${` would be a variable reference in a file: the import must keep it literal.
     "AllowedOrigins": ["https://app.example.com", "https://${tenant}.example.com"],
     "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 3000},
    {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]},
]
CORS = {"AllowCredentials": True, "AllowHeaders": ["content-type", "x-request-id"],
        "AllowMethods": ["GET", "POST"], "AllowOrigins": ["https://app.example.com"],
        "ExposeHeaders": ["x-trace"], "MaxAge": 300}
REST_CORS = {"AllowMethods": ["GET"], "AllowOrigins": ["https://a.example.com", "https://b.example.com"]}


def session(moto_server: MotoServer, service: str) -> Any:
    return boto3.client(service, endpoint_url=moto_server.url, region_name="eu-west-1")


@pytest.fixture
def project(cli: Cli, moto_server: MotoServer) -> Cli:
    """A project whose environment `src` names no resource, only where AWS is."""
    cli.write_env("src", json.dumps({"aws": {"region": "eu-west-1", "endpoint_url": moto_server.url}}))
    return cli


def import_and_plan(project: Cli, *addresses: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What `import --env src ADDR...` printed (parsed), and the changes of a plan of it."""
    imported = project("import", "--env", "src", *addresses)
    assert imported.returncode == 0, imported.stderr
    assert imported.stderr == ""
    project.write_env("imported", imported.stdout)
    planned = project("plan", "--env", "imported", "--detailed-exitcode", "--format", "json")
    assert planned.returncode == 0, planned.stdout + planned.stderr  # 0: no changes
    return yaml.safe_load(imported.stdout), json.loads(planned.stdout)["changes"]


def test_s3_buckets_round_trip(project: Cli, moto_server: MotoServer) -> None:
    s3 = session(moto_server, "s3")
    for bucket in ("assets", "legacy"):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_cors(Bucket="assets", CORSConfiguration={"CORSRules": S3_RULES})
    document, changes = import_and_plan(project, "s3_bucket.assets", "s3_bucket.legacy")
    assert document["aws"] == {"region": "eu-west-1", "endpoint_url": moto_server.url}
    assert document["s3_buckets"]["legacy"] == {"cors": "absent"}
    assert [(c["address"], c["action"], c["after"]) for c in changes] == [
        ("s3_bucket.assets", "no-op", {"CORSRules": S3_RULES}), ("s3_bucket.legacy", "no-op", None)]


def test_http_apis_and_function_urls_round_trip(project: Cli, moto_server: MotoServer) -> None:
    apis = session(moto_server, "apigatewayv2")
    apis.create_api(Name="orders", ProtocolType="HTTP", CorsConfiguration=CORS)
    empty = apis.create_api(Name="empty", ProtocolType="HTTP")["ApiId"]
    apis.update_api(ApiId=empty, CorsConfiguration={})
    apis.create_api(Name="internal", ProtocolType="HTTP")
    for name in ("thumbnailer", "resizer"):
        create_function_url(moto_server, name)
    session(moto_server, "lambda").update_function_url_config(FunctionName="thumbnailer", Cors=CORS)
    document, changes = import_and_plan(project, "http_api.orders", "http_api.empty", "http_api.internal",
                                        "function_url.thumbnailer", "function_url.resizer")
    # An empty CorsConfiguration is still CORS (facts §7.3): said the only way a file can.
    assert document["http_apis"]["empty"] == {"cors": {"AllowCredentials": False}}
    assert [(c["address"], c["action"], c["after"]) for c in changes] == [
        ("http_api.orders", "no-op", CORS), ("http_api.empty", "no-op", {"AllowCredentials": False}),
        ("http_api.internal", "no-op", None), ("function_url.thumbnailer", "no-op", CORS),
        ("function_url.resizer", "no-op", None)]


def create_function_url(moto_server: MotoServer, name: str) -> None:
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "lambda.amazonaws.com"}}]}
    role = session(moto_server, "iam").create_role(RoleName=f"{name}-role",
                                                   AssumeRolePolicyDocument=json.dumps(trust))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("index.py", "def handler(event, context):\n    return {}\n")
    functions = session(moto_server, "lambda")
    functions.create_function(FunctionName=name, Runtime="python3.12", Role=role["Role"]["Arn"],
                              Handler="index.handler", Code={"ZipFile": archive.getvalue()})
    functions.create_function_url_config(FunctionName=name, AuthType="NONE")


def test_rest_apis_round_trip(project: Cli, moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    client = session(moto_server, "apigateway")
    build_api(client, "catalog")
    staged = build_api(client, "legacy")
    client.create_deployment(restApiId=staged, stageName="dev")
    build_api(client, "bare")
    entries = {"catalog": {"stage": "prod", "resources": ["/items"], "cors": REST_CORS},
               "legacy": {"stage": "dev", "cors": {"AllowOrigins": ["https://app.example.com"],
                                                   "AllowMethods": ["GET", "PUT"], "MaxAge": 60},
                          "gateway_responses": []}}
    # Seeded in-process (API Gateway's deployment pacing runs on a fake clock here).
    project.write_env("seed", json.dumps({"aws": {"region": "eu-west-1", "endpoint_url": moto_server.url},
                                          "rest_apis": entries}))
    monkeypatch.chdir(project.project)
    seeded = CliRunner().invoke(corsdeploy_cli, ["apply", "--env", "seed", "--auto-approve"])
    assert seeded.exit_code == 0, seeded.output
    document, changes = import_and_plan(project, "rest_api.catalog", "rest_api.legacy@dev", "rest_api.bare")
    assert document["rest_apis"] == {**entries, "bare": {"stage": "prod", "cors": "absent"}}
    assert [(c["address"], c["action"]) for c in changes] == [
        ("rest_api.catalog", "no-op"), ("rest_api.legacy", "no-op"), ("rest_api.bare", "no-op")]


def test_without_env_boto3s_settings_are_used_and_no_aws_block_is_printed(
        cli: Cli, moto_server: MotoServer) -> None:
    s3 = session(moto_server, "s3")
    s3.create_bucket(Bucket="assets", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_cors(Bucket="assets", CORSConfiguration={"CORSRules": S3_RULES})
    endpoint = {"AWS_ENDPOINT_URL": moto_server.url}
    imported = cli("import", "s3_bucket.assets", env=endpoint)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith(
        "# Live CORS imported by `corsdeploy import` from account 123456789012, region eu-west-1.\n")
    assert "aws" not in yaml.safe_load(imported.stdout)
    cli.write_env("imported", imported.stdout)
    assert cli("plan", "--env", "imported", "--detailed-exitcode", env=endpoint).returncode == 0


def test_unknown_addresses_and_missing_resources_exit_1_with_nothing_on_stdout(
        project: Cli, moto_server: MotoServer) -> None:
    malformed = project("import", "--env", "src", "sqs.queue", "assets")
    assert (malformed.returncode, malformed.stdout) == (1, "")
    assert malformed.stderr.splitlines() == [
        "Error: 'sqs.queue': unknown kind 'sqs' (kinds: s3_bucket, http_api, rest_api, function_url)",
        "Error: 'assets' is not an address: write KIND.NAME, e.g. s3_bucket.assets (kinds: s3_bucket, "
        "http_api, rest_api, function_url)"]
    session(moto_server, "s3").create_bucket(Bucket="assets",
                                             CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    missing = project("import", "--env", "src", "s3_bucket.assets", "s3_bucket.gone", "http_api.orders",
                      "rest_api.legacy", "function_url.thumbnailer")
    assert (missing.returncode, missing.stdout) == (1, "")
    assert [line.split(":")[1].strip() for line in missing.stderr.splitlines()] == [
        "s3_bucket.gone", "http_api.orders", "rest_api.legacy", "function_url.thumbnailer"]
    assert "bucket 'gone' does not exist" in missing.stderr
    assert project("import").returncode == 1  # no address: a usage error


def test_help_says_how_to_name_a_stage(cli: Cli) -> None:
    assert "rest_api.NAME@STAGE" in cli("import", "--help").stdout


def test_a_hostile_live_name_is_written_safely_and_reads_back(project: Cli, moto_server: MotoServer) -> None:
    name = "orders\x1b[2J\r\n\u202egnp ${x} #: yes '\"\\ <<"
    session(moto_server, "apigatewayv2").create_api(Name=name, ProtocolType="HTTP", CorsConfiguration=CORS)
    imported = project("import", "--env", "src", f"http_api.{name}")
    assert imported.returncode == 0, imported.stderr
    assert all(line.isascii() and line.isprintable() for line in imported.stdout.splitlines())
    project.write_env("imported", imported.stdout)
    changes = json.loads(project("plan", "--env", "imported", "--format", "json").stdout)["changes"]
    assert [(c["address"], c["action"]) for c in changes] == [(f"http_api.{name}", "no-op")]
