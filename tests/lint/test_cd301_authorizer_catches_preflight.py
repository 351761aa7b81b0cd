"""CD301 authorizer-catches-preflight: an HTTP API route with an authorizer that catches OPTIONS, read
from the API's routes (moto), so plan reports it; lint cannot know it without AWS."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from corsdeploy.aws import Clients
from corsdeploy.lint.plan_rules import AuthorizerCatchesPreflight
from corsdeploy.model import AwsSettings, Kind, Location, Resource, frozen
from corsdeploy.providers.http_api import HttpApiProvider
from corsdeploy.shapes import rule_from_cors
from tests.lint.plan_support import ignoring, lint_findings, planned_warnings, rule_ids_of

ORDERS = Resource(Kind.HTTP_API, "orders", rule_from_cors({"AllowOrigins": ["https://app.example.com"]}),
                  Location("environments/prod.yaml", 3, 3), frozen({"id": None, "stage": None}))


@pytest.fixture
def clients() -> Iterator[Clients]:
    with mock_aws():
        yield Clients(AwsSettings(region="eu-west-1"))


def api_with_routes(clients: Clients, *routes: tuple[str, str]) -> None:
    client = clients.client("apigatewayv2")
    api_id = client.create_api(Name="orders", ProtocolType="HTTP")["ApiId"]
    for key, authorization in routes:
        extra = {} if authorization == "NONE" else {"AuthorizerId": "auth123"}
        client.create_route(ApiId=api_id, RouteKey=key, AuthorizationType=authorization, **extra)


def test_bad_an_authorized_catch_all_route_is_warned_about_with_the_id(clients: Clients) -> None:
    api_with_routes(clients, ("ANY /{proxy+}", "JWT"))
    (warning,) = HttpApiProvider(clients).read(ORDERS).warnings
    assert warning.startswith("CD301: route 'ANY /{proxy+}' has a JWT authorizer and catches OPTIONS")


def test_good_an_open_options_route_beside_it_gives_no_warning(clients: Clients) -> None:
    api_with_routes(clients, ("ANY /{proxy+}", "JWT"), ("OPTIONS /{proxy+}", "NONE"))
    assert HttpApiProvider(clients).read(ORDERS).warnings == ()


def test_lint_ignore_silences_it_in_the_plan(clients: Clients) -> None:
    api_with_routes(clients, ("$default", "CUSTOM"))
    live = HttpApiProvider(clients).read(ORDERS)
    assert rule_ids_of(planned_warnings(ORDERS, live)) == ["CD301"]
    assert planned_warnings(ignoring(ORDERS, AuthorizerCatchesPreflight), live) == ()


def test_good_lint_alone_cannot_know_the_routes() -> None:
    assert lint_findings(AuthorizerCatchesPreflight, ORDERS) == []
