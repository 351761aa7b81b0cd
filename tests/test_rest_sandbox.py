"""The sandbox's REST API (new-user 12): seeded so that the sandbox environment's plan shows a real
several-origins preflight and trips no warning, because its methods already map the header from
their backend."""
from __future__ import annotations

from pathlib import Path

import boto3
from moto import mock_aws

from corsdeploy.aws import Clients
from corsdeploy.config import load_file
from corsdeploy.model import AwsSettings, Kind
from corsdeploy.providers.rest_api import RestApiProvider
from corsdeploy.sandbox.seed_rest import seed_rest_api
from corsdeploy.services.rest_api import SERVICE
from tests.rest_support import rest

ROOT = Path(__file__).resolve().parent.parent


def test_the_sandbox_rest_api_plans_a_several_origins_preflight_without_warnings() -> None:
    environment = load_file(ROOT / "environments" / "sandbox.yaml")
    (resource,) = [r for r in environment.resources if r.kind is Kind.REST_API]
    assert resource.cors is not None and len(resource.cors.rules[0].allowed_origins) > 1
    with mock_aws():
        clients = Clients(AwsSettings(region="eu-west-1"))
        seed_rest_api(clients, resource)
        seed_rest_api(clients, resource)
        client = boto3.client("apigateway", region_name="eu-west-1")
        assert [a["name"] for a in client.get_rest_apis()["items"]] == [resource.name]
        provider = RestApiProvider(clients)
        live = provider.read(resource)
        assert live.warnings == ()
        desired = SERVICE.desired(resource, live)
        assert desired is not None
        preflight = desired["resources"]["/items"]["preflight"]
        assert preflight["Access-Control-Allow-Origin"].startswith("template: ")
        provider.write(resource, live, desired)
        after = provider.read(resource)
        assert after.warnings == ()
        assert SERVICE.normalize(after.wire) == SERVICE.normalize(SERVICE.desired(resource, after))


def test_a_seeded_api_with_a_single_origin_needs_no_warning_either() -> None:
    resource = rest({"AllowOrigins": ["http://localhost:3000"], "AllowMethods": ["GET"]}, name="shop")
    with mock_aws():
        clients = Clients(AwsSettings(region="eu-west-1"))
        seed_rest_api(clients, resource)
        assert RestApiProvider(clients).read(resource).warnings == ()
