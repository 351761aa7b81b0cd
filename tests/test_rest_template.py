"""The several-origins preflight template, evaluated with a Velocity engine the way API Gateway runs it
(design note 7): the very string corsdeploy deploys, with $input.params() and $context bound as
API Gateway binds them in an integration response template (the binding the simulator uses)."""
from __future__ import annotations

from collections.abc import Mapping

import boto3
import pytest
from moto import mock_aws

from corsdeploy.aws import Clients
from corsdeploy.model import AwsSettings, Kind, Location, Resource, frozen
from corsdeploy.providers.rest_api import RestApiProvider
from corsdeploy.services.rest_api import SERVICE
from corsdeploy.services.rest_api.template import (
    UNRECOGNISED_VIEW_PREFIX,
    preflight_template,
    template_origins,
    template_view,
)
from corsdeploy.shapes import rule_from_cors
from corsdeploy.simulate.rest_api import run_template
from tests.rest_support import build_api

ORIGINS = ("https://app.example.com", "https://admin.example.com", "http://localhost:3000")
ATTACKS = (
    "https://app.example.com.evil.io",   # look-alike: listed origin as a prefix of the host
    "https://app.example.co",            # prefix of a listed origin
    "https://evilapp.example.com",       # a listed origin's host as a suffix
    "ttps://app.example.com",            # suffix of a listed origin
    "https://app.example.com/",          # trailing slash
    "https://app.example.com:443",       # explicit default port
    "https://appXexample.com",           # `.` read as a regex wildcard
    "HTTPS://APP.EXAMPLE.COM",           # case changed
    "https://App.example.com",
    "https://app.example.com https://admin.example.com",
    "null",
    "",
)


def evaluate(template: str, headers: Mapping[str, str]) -> dict[str, str]:
    """The headers the template overrides for a request carrying `headers`."""
    return dict(run_template(template, headers).headers)


@pytest.mark.parametrize("origin", ORIGINS)
@pytest.mark.parametrize("header_name", ["Origin", "origin"])
def test_every_listed_origin_is_echoed_exactly(origin: str, header_name: str) -> None:
    overrides = evaluate(preflight_template(ORIGINS), {header_name: origin})
    assert overrides == {"Access-Control-Allow-Origin": origin}


@pytest.mark.parametrize("origin", ATTACKS)
def test_an_origin_not_listed_exactly_gets_no_allow_origin(origin: str) -> None:
    assert evaluate(preflight_template(ORIGINS), {"Origin": origin}) == {}


def test_a_request_without_origin_gets_no_allow_origin() -> None:
    assert evaluate(preflight_template(ORIGINS), {"Access-Control-Request-Method": "GET"}) == {}


def test_other_headers_do_not_stand_in_for_origin() -> None:
    headers = {"Referer": ORIGINS[0], "X-Origin": ORIGINS[0], "Host": "app.example.com"}
    assert evaluate(preflight_template(ORIGINS), headers) == {}


def test_the_view_shows_the_exact_list() -> None:
    template = preflight_template(ORIGINS)
    view = template_view(template)
    assert all(origin in view for origin in ORIGINS)
    assert template_origins(template) == ORIGINS
    assert template_view(preflight_template(ORIGINS[:2])) != view


def test_the_template_is_cdks_equality_chain_not_a_list_lookup() -> None:
    """Issue 6 item 9: the form shown working on API Gateway (aws-cdk#26648), origins as literals."""
    template = preflight_template(ORIGINS[:2])
    assert "#if($origin == 'https://app.example.com' || $origin == 'https://admin.example.com')" in template
    assert ".contains(" not in template and "$allowed" not in template
    assert "header.get('Origin')" in template and "header.get('origin')" in template


def test_an_origin_with_velocity_characters_stays_literal() -> None:
    origins = ("https://a$b.example.com", "https://x#y.example.com")
    for origin in origins:
        overrides = evaluate(preflight_template(origins), {"Origin": origin})
        assert overrides == {"Access-Control-Allow-Origin": origin}
    assert evaluate(preflight_template(origins), {"Origin": "https://a.example.com"}) == {}


def test_a_hand_edited_template_is_not_taken_for_corsdeploys() -> None:
    edited = preflight_template(ORIGINS).replace("$origin == 'https://app", "$origin != 'https://app")
    assert template_origins(edited) is None
    assert template_view(edited).startswith(UNRECOGNISED_VIEW_PREFIX)


def test_the_deployed_template_is_the_one_evaluated() -> None:
    """Apply several origins through the provider, fetch the template API Gateway stored, evaluate it."""
    resource = Resource(
        Kind.REST_API, "legacy",
        rule_from_cors({"AllowOrigins": list(ORIGINS), "AllowMethods": ["GET"]}),
        Location("environments/test.yaml", 1, 1),
        frozen({"stage": "prod", "resources": ["/items"]}),
    )
    with mock_aws():
        clients = Clients(AwsSettings(region="eu-west-1"))
        api = boto3.client("apigateway", region_name="eu-west-1")
        api_id = build_api(api)
        provider = RestApiProvider(clients)
        live = provider.read(resource)
        provider.write(resource, live, SERVICE.desired(resource, live))
        items = next(r for r in api.get_resources(restApiId=api_id)["items"] if r["path"] == "/items")
        response = api.get_integration_response(
            restApiId=api_id, resourceId=items["id"], httpMethod="OPTIONS", statusCode="200"
        )
    deployed = response["responseTemplates"]["application/json"]
    assert "method.response.header.Access-Control-Allow-Origin" not in response["responseParameters"]
    assert response["responseParameters"]["method.response.header.Vary"] == "'Origin'"
    for origin in ORIGINS:
        assert evaluate(deployed, {"Origin": origin}) == {"Access-Control-Allow-Origin": origin}
    for origin in ATTACKS:
        assert evaluate(deployed, {"Origin": origin}) == {}
