"""`corsdeploy probe` against API endpoints the sandbox cannot serve: a loopback stand-in answers as
API Gateway and Lambda do for the configuration corsdeploy wrote (tests/probe/api_standin.py)."""
from __future__ import annotations

from pathlib import Path

import boto3

from corsdeploy.aws import Clients
from corsdeploy.config import load_environment
from corsdeploy.model import Kind
from corsdeploy.sandbox.seed_apis import seed_function_url, seed_http_api
from corsdeploy.simulate.assumptions import HTTP_API
from tests.cli_support import InProcessCli
from tests.conftest import MotoServer
from tests.probe.api_standin import api_stand_in, stalls_once, wrong_once
from tests.rest_support import build_api

REST_ENVIRONMENT = """\
aws:
  region: eu-west-1
  endpoint_url: {url}
rest_apis:
  legacy:
    stage: prod
    cors:
      AllowOrigins: ["https://app.example.com"]
      AllowMethods: [GET, POST]
      AllowHeaders: [Content-Type, Authorization]
      MaxAge: 600
"""


def _rest_project(moto_server: MotoServer, url: str, tmp_path: Path) -> tuple[InProcessCli, str]:
    api_id = build_api(boto3.client("apigateway", endpoint_url=moto_server.url, region_name="eu-west-1"))
    cli = InProcessCli(tmp_path)
    cli.write_env("dev", REST_ENVIRONMENT.format(url=url))
    applied = cli("apply", "--env", "dev", "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    return cli, api_id


def test_a_rest_api_answers_as_check_predicts_and_one_wrong_answer_is_the_one_disagreement(
        moto_server: MotoServer, tmp_path: Path) -> None:
    with api_stand_in(moto_server.url) as stand_in:
        cli, api_id = _rest_project(moto_server, stand_in.url, tmp_path)
        right = cli("probe", "--env", "dev")
        answered = list(stand_in.answered)
        stand_in.flaw = wrong_once("OPTIONS", "/prod/items", "https://evil.example",
                                   "Access-Control-Allow-Credentials", "true")
        wrong = cli("probe", "--env", "dev")
        stand_in.flaw = stalls_once("GET", "/prod/items", "null", seconds=3)
        stalled = cli("probe", "--env", "dev", "--timeout", "0.5")
    assert right.returncode == 0, right.stdout + right.stderr
    assert right.stdout.splitlines()[-1].endswith("every answer agrees with check.")
    paths = {request.path for request, _ in answered}
    # Every resource of the API, path parameters filled in, at the stage's URL.
    assert paths == {"/prod/", "/prod/items", "/prod/items/corsdeploy-probe", "/prod/corsdeploy-probe"}
    assert {request.host for request, _ in answered} == {f"{api_id}.execute-api.eu-west-1.amazonaws.com"}
    statuses = {(r.method, r.path, response.status) for r, response in answered
                if r.header("Origin") == "https://app.example.com"}
    # MOCK preflights, a MOCK GET, the gateway's own 403 where there is no GET, a proxy passing through.
    assert {("OPTIONS", "/prod/items", 200), ("GET", "/prod/items", 200), ("GET", "/prod/", 403),
            ("GET", "/prod/corsdeploy-probe", 200)} <= statuses

    assert wrong.returncode == 1
    url = f"https://{api_id}.execute-api.eu-west-1.amazonaws.com/prod/items"
    lines = wrong.stdout.splitlines()
    assert lines[:-1] == [
        f"rest_api.legacy: preflight GET (headers: authorization, content-type) from https://evil.example "
        f"[unrelated-site] to {url}: Access-Control-Allow-Credentials expected none, got 'true'"]
    assert lines[-1].endswith("; 1 disagree, 0 failed.")

    assert stalled.returncode == 1
    assert stalled.stdout.splitlines()[:-1] == [
        f"rest_api.legacy: GET from null [null-origin] to {url}: failed: no answer within 0.5s"]
    assert stalled.stdout.splitlines()[-1].endswith("; 0 disagree, 1 failed.")


APIS_ENVIRONMENT = """\
aws:
  region: eu-west-1
  endpoint_url: {url}
http_apis:
  orders:
    cors:
      AllowOrigins: ["https://app.example.com", "https://*.example.org"]
      AllowMethods: [GET, POST]
      AllowHeaders: [Content-Type, X-Api-Key]
      ExposeHeaders: [X-Request-Id]
      MaxAge: 300
      AllowCredentials: true
function_urls:
  thumbnailer:
    cors:
      AllowOrigins: ["*"]
      AllowMethods: [GET]
      AllowHeaders: ["*"]
"""


def test_an_http_api_and_a_function_url_answer_as_check_predicts(moto_server: MotoServer,
                                                                 tmp_path: Path) -> None:
    cli = InProcessCli(tmp_path)
    cli.write_env("dev", APIS_ENVIRONMENT.format(url=moto_server.url))
    environment = load_environment(cli.env_dir, "dev")
    clients = Clients(environment.aws)
    for resource in environment.resources:
        (seed_http_api if resource.kind is Kind.HTTP_API else seed_function_url)(clients, resource)
    with api_stand_in(moto_server.url) as stand_in:
        cli.write_env("dev", APIS_ENVIRONMENT.format(url=stand_in.url))
        assert cli("apply", "--env", "dev", "--auto-approve").returncode == 0
        result = cli("probe", "--env", "dev")
        answered = list(stand_in.answered)
    assert result.returncode == 0, result.stdout + result.stderr
    hosts = {request.host.split(".", 1)[1] for request, _ in answered}
    assert hosts == {"execute-api.eu-west-1.amazonaws.com", "lambda-url.eu-west-1.on.aws"}
    # The HTTP API's $default stage is its root; its preflights are answered by API Gateway.
    assert {request.path for request, _ in answered} == {"/"}
    statuses = {response.status for request, response in answered
                if request.method == "OPTIONS" and "execute-api" in request.host}
    assert statuses == {HTTP_API.preflight_status.choice}
