"""The real command against moto over HTTP for HTTP APIs and function URLs: plan, apply, a no-op
re-plan after the service lowercased header names, then absent."""
from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3
import pytest

from tests.conftest import Cli, MotoServer

CORS: dict[str, Any] = {
    "AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET", "POST"],
    "AllowHeaders": ["Content-Type", "X-Request-Id"], "ExposeHeaders": ["X-Trace"], "MaxAge": 300,
}


def environment(url: str, http_cors: Any, url_cors: Any) -> str:
    return json.dumps({
        "aws": {"region": "eu-west-1", "endpoint_url": url},
        "http_apis": {"orders": {"cors": http_cors}},
        "function_urls": {"thumbnailer": {"cors": url_cors}},
    })


@pytest.fixture
def project(cli: Cli, moto_server: MotoServer) -> Cli:
    session = boto3.Session(region_name="eu-west-1")
    apis = session.client("apigatewayv2", endpoint_url=moto_server.url)
    apis.create_api(Name="orders", ProtocolType="HTTP")
    iam = session.client("iam", endpoint_url=moto_server.url)
    role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "lambda.amazonaws.com"}}]}))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("index.py", "def handler(event, context):\n    return {}\n")
    lam = session.client("lambda", endpoint_url=moto_server.url)
    lam.create_function(FunctionName="thumbnailer", Runtime="python3.12", Role=role["Role"]["Arn"],
                        Handler="index.handler", Code={"ZipFile": archive.getvalue()})
    lam.create_function_url_config(FunctionName="thumbnailer", AuthType="NONE")
    cli.write_env("dev", environment(moto_server.url, CORS, CORS))
    return cli


def live(moto_server: MotoServer) -> tuple[Any, Any]:
    session = boto3.Session(region_name="eu-west-1")
    (api,) = session.client("apigatewayv2", endpoint_url=moto_server.url).get_apis()["Items"]
    url = session.client("lambda", endpoint_url=moto_server.url).get_function_url_config(
        FunctionName="thumbnailer")
    return api.get("CorsConfiguration"), url.get("Cors")


def test_plan_apply_noop_absent(project: Cli, moto_server: MotoServer) -> None:
    planned = project("plan", "--env", "dev", "--format", "json")
    assert planned.returncode == 0, planned.stderr
    first = json.loads(planned.stdout)
    assert [(c["address"], c["action"]) for c in first["changes"]] == [
        ("http_api.orders", "create"), ("function_url.thumbnailer", "create")]

    applied = project("apply", "--env", "dev", "--auto-approve")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    api_cors, url_cors = live(moto_server)
    assert api_cors["AllowOrigins"] == CORS["AllowOrigins"]
    assert url_cors["AllowOrigins"] == CORS["AllowOrigins"]

    again = project("plan", "--env", "dev", "--detailed-exitcode")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "No changes." in again.stdout

    # The services return header names lowercased; emulate it and the plan must stay a no-op.
    session = boto3.Session(region_name="eu-west-1")
    lowered = {**CORS, "AllowHeaders": [h.lower() for h in CORS["AllowHeaders"]],
               "ExposeHeaders": [h.lower() for h in CORS["ExposeHeaders"]]}
    api_id = session.client("apigatewayv2", endpoint_url=moto_server.url).get_apis()["Items"][0]["ApiId"]
    session.client("apigatewayv2", endpoint_url=moto_server.url).update_api(
        ApiId=api_id, CorsConfiguration=lowered)
    session.client("lambda", endpoint_url=moto_server.url).update_function_url_config(
        FunctionName="thumbnailer", Cors=lowered)
    assert project("plan", "--env", "dev", "--detailed-exitcode").returncode == 0

    # The test server is the sandbox's emulator, which clears a function URL's CORS on `Cors={}`
    # as AWS does (facts §7.7; plain moto keeps it, see test_function_url.py).
    project.write_env("dev", environment(moto_server.url, "absent", "absent"))
    removal = json.loads(project("apply", "--env", "dev", "--auto-approve", "--format", "json").stdout)
    assert [(r["action"], r["outcome"]) for r in removal["results"]] == [
        ("delete", "applied"), ("delete", "applied")]
    assert project("plan", "--env", "dev", "--detailed-exitcode").returncode == 0
    assert live(moto_server) == (None, None)


def test_absent_removes_an_empty_http_api_configuration(project: Cli, moto_server: MotoServer) -> None:
    """A present but empty CorsConfiguration is still CORS (facts §7.3): `absent` deletes it."""
    session = boto3.Session(region_name="eu-west-1")
    apis = session.client("apigatewayv2", endpoint_url=moto_server.url)
    apis.update_api(ApiId=apis.get_apis()["Items"][0]["ApiId"], CorsConfiguration={})
    project.write_env("dev", environment(moto_server.url, "absent", CORS))
    only_api = ("--target", "http_api.orders")
    plan = json.loads(project("plan", "--env", "dev", "--format", "json", *only_api).stdout)
    assert [(c["action"], c["before"], c["after"]) for c in plan["changes"]] == [("delete", {}, None)]
    applied = project("apply", "--env", "dev", "--auto-approve", *only_api)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert live(moto_server)[0] is None


def test_missing_api_and_function_are_plan_errors(cli: Cli, moto_server: MotoServer) -> None:
    cli.write_env("dev", environment(moto_server.url, CORS, CORS))
    result = cli("plan", "--env", "dev")
    assert result.returncode == 1 and result.stdout == ""
    assert "http_api.orders" in result.stderr and "function_url.thumbnailer" in result.stderr
