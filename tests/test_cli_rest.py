"""The real command against moto over HTTP for a REST API: plan, apply (and redeploy), a no-op
re-plan, a change of origins, then absent."""
from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from corsdeploy.aws import Clients
from corsdeploy.model import AwsSettings, Kind, Location, Resource, frozen
from corsdeploy.sandbox.seed_rest import seed_rest_api
from tests.conftest import Cli, MotoServer

ONE_ORIGIN = {"AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET", "POST"],
              "AllowHeaders": ["Content-Type"], "AllowCredentials": True, "MaxAge": 600}
TWO_ORIGINS = {**ONE_ORIGIN, "AllowOrigins": ["https://app.example.com", "https://admin.example.com"],
               "AllowCredentials": False}


def environment(url: str, cors: Any) -> str:
    return json.dumps({"aws": {"region": "eu-west-1", "endpoint_url": url},
                       "rest_apis": {"catalog": {"stage": "prod", "cors": cors}}})


@pytest.fixture
def project(cli: Cli, moto_server: MotoServer) -> Cli:
    clients = Clients(AwsSettings(region="eu-west-1", endpoint_url=moto_server.url))
    seed_rest_api(clients, Resource(Kind.REST_API, "catalog", None, Location("t", 1, 1),
                                    settings=frozen({"stage": "prod"})))
    cli.write_env("dev", environment(moto_server.url, ONE_ORIGIN))
    return cli


def deployments(url: str) -> list[dict[str, Any]]:
    client = boto3.client("apigateway", endpoint_url=url, region_name="eu-west-1")
    (api,) = client.get_rest_apis()["items"]
    return list(client.get_deployments(restApiId=api["id"])["items"])


def plan(cli: Cli) -> dict[str, Any]:
    result = cli("plan", "--env", "dev", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_plan_apply_noop_change_absent(project: Cli, moto_server: MotoServer) -> None:
    (change,) = plan(project)["changes"]
    assert change["action"] == "create" and change["before"] is None
    assert set(change["after"]) == {"Cors", "resources", "gateway_responses", "deployment"}
    preflight = change["after"]["resources"]["/items"]["preflight"]
    assert preflight["Access-Control-Allow-Origin"] == "'https://app.example.com'"
    assert preflight["Access-Control-Allow-Credentials"] == "'true'"

    before = len(deployments(moto_server.url))
    applied = project("apply", "--env", "dev", "--auto-approve")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert len(deployments(moto_server.url)) == before + 1  # redeployed to the stage
    assert project("plan", "--env", "dev", "--detailed-exitcode").returncode == 0

    project.write_env("dev", environment(moto_server.url, TWO_ORIGINS))
    (change,) = plan(project)["changes"]
    assert change["action"] == "update"
    assert project("apply", "--env", "dev", "--auto-approve").returncode == 0
    assert project("plan", "--env", "dev", "--detailed-exitcode").returncode == 0

    project.write_env("dev", environment(moto_server.url, "absent"))
    (change,) = plan(project)["changes"]
    assert change["action"] == "delete" and change["after"] is None
    assert project("apply", "--env", "dev", "--auto-approve").returncode == 0
    assert project("plan", "--env", "dev", "--detailed-exitcode").returncode == 0


def test_missing_stage_is_a_plan_error(project: Cli, moto_server: MotoServer) -> None:
    project.write_env("dev", environment(moto_server.url, ONE_ORIGIN).replace('"prod"', '"nope"'))
    result = project("plan", "--env", "dev")
    assert result.returncode == 1 and result.stdout == ""
    assert "rest_api.catalog" in result.stderr and "nope" in result.stderr
