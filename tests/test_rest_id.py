"""`id:` selects an API only when the API's name equals the entry's key (REST APIs now as HTTP APIs),
and two entries resolving to one live resource are an error: a plan shows what it really changes."""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import boto3
import pytest
from moto import mock_aws

from corsdeploy.aws import Clients
from corsdeploy.errors import PlanError
from corsdeploy.live import read_live
from corsdeploy.model import AwsSettings, Kind, Live, Location, Resource, frozen
from corsdeploy.providers import Provider
from corsdeploy.providers.http_api import HttpApiProvider
from corsdeploy.providers.operations import Operation
from corsdeploy.providers.rest_api import RestApiProvider
from corsdeploy.sandbox.seed_rest import seed_rest_api
from tests.conftest import Cli, MotoServer
from tests.rest_support import build_api, rest

ONE_ORIGIN = {"AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET"]}


@pytest.fixture
def clients() -> Iterator[Clients]:
    with mock_aws():
        yield Clients(AwsSettings(region="eu-west-1"))


def test_a_rest_id_naming_another_api_is_a_plan_error(clients: Clients) -> None:
    client = boto3.client("apigateway", region_name="eu-west-1")
    prod = build_api(client, name="orders-prod")
    build_api(client, name="orders-dev")

    with pytest.raises(PlanError) as caught:
        RestApiProvider(clients).read(rest(ONE_ORIGIN, name="orders-dev", id=prod))

    (problem,) = caught.value.problems
    assert problem.address == "rest_api.orders-dev"
    assert problem.message == (f"REST API {prod!r} is named 'orders-prod', not 'orders-dev': "
                               "with `id:`, the API's name must equal the key")


def test_a_rest_id_naming_its_own_api_selects_it_among_namesakes(clients: Clients) -> None:
    client = boto3.client("apigateway", region_name="eu-west-1")
    build_api(client, name="orders")
    chosen = build_api(client, name="orders")

    live = RestApiProvider(clients).read(rest(ONE_ORIGIN, name="orders", id=chosen))

    assert live.handle.api_id == chosen and live.identity == chosen


def test_an_http_api_read_carries_its_id_as_identity(clients: Clients) -> None:
    api_id = clients.client("apigatewayv2").create_api(Name="orders", ProtocolType="HTTP")["ApiId"]
    resource = Resource(Kind.HTTP_API, "orders", None, Location("environments/t.yaml", 1, 1), frozen({}))

    assert HttpApiProvider(clients).read(resource).identity == api_id


def test_the_command_refuses_an_id_that_names_another_api(cli: Cli, moto_server: MotoServer) -> None:
    """The issue's case: `rest_apis.orders-dev` with the id of orders-prod changes nothing."""
    clients = Clients(AwsSettings(region="eu-west-1", endpoint_url=moto_server.url))
    for name in ("orders-prod", "orders-dev"):
        seed_rest_api(clients, Resource(Kind.REST_API, name, None, Location("t", 1, 1),
                                        settings=frozen({"stage": "prod"})))
    client = boto3.client("apigateway", endpoint_url=moto_server.url, region_name="eu-west-1")
    ids = {api["name"]: api["id"] for api in client.get_rest_apis()["items"]}
    cli.write_env("dev", json.dumps({
        "aws": {"region": "eu-west-1", "endpoint_url": moto_server.url},
        "rest_apis": {"orders-dev": {"id": ids["orders-prod"], "stage": "prod", "cors": ONE_ORIGIN}}}))

    before = client.get_deployments(restApiId=ids["orders-prod"])["items"]

    planned = cli("plan", "--env", "dev")
    applied = cli("apply", "--env", "dev", "--auto-approve")

    for result in (planned, applied):
        assert result.returncode == 1
        assert (f"rest_api.orders-dev: REST API {ids['orders-prod']!r} is named 'orders-prod', "
                "not 'orders-dev'") in result.stderr
    assert client.get_deployments(restApiId=ids["orders-prod"])["items"] == before


@dataclass
class Fixed:
    """A provider whose reads name the live resource each address resolved to (what the real
    providers report as Live.identity); tests the check on top of any provider."""

    kind: Kind
    identities: Mapping[str, str | None]
    operations: ClassVar[tuple[Operation, ...]] = ()  # it calls nothing

    def read(self, resource: Resource) -> Live:
        return Live(resource.address, None, identity=self.identities[resource.address])

    def write(self, resource: Resource, live: Live, wire: Mapping[str, Any] | None) -> None:
        raise AssertionError("never written")


def resources(kind: Kind, *names: str) -> list[Resource]:
    return [Resource(kind, name, None, Location("environments/t.yaml", n + 3, 3), frozen({}))
            for n, name in enumerate(names)]


def providers(*fixed: Fixed) -> dict[Kind, Provider]:
    return {f.kind: f for f in fixed}  # type: ignore[misc]


def test_two_addresses_resolving_to_one_live_resource_are_an_error() -> None:
    entries = resources(Kind.HTTP_API, "orders", "orders-dev", "payments")
    identities = {"http_api.orders": "a1b2c3", "http_api.orders-dev": "a1b2c3", "http_api.payments": "d4e5f6"}

    with pytest.raises(PlanError) as caught:
        read_live(entries, providers(Fixed(Kind.HTTP_API, identities)))

    (problem,) = caught.value.problems
    assert problem.message == ("http_api.orders and http_api.orders-dev resolve to the same live "
                               "resource 'a1b2c3': each may be named by one entry only")
    assert problem.location == entries[1].location


def test_the_same_id_in_different_kinds_or_no_identity_is_not_a_clash() -> None:
    http, rest_entries = resources(Kind.HTTP_API, "a", "b"), resources(Kind.REST_API, "a")
    lives = read_live([*http, *rest_entries], providers(
        Fixed(Kind.HTTP_API, {"http_api.a": "x1", "http_api.b": None}),
        Fixed(Kind.REST_API, {"rest_api.a": "x1"})))

    assert set(lives) == {"http_api.a", "http_api.b", "rest_api.a"}
