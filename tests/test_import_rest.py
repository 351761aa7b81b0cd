"""Importing REST APIs on moto in-process: corsdeploy's pattern reads back as the entry that wrote it
and plans as no change; what a file cannot describe (hand-made CORS, CORS that differs by method, a
stage that does not serve the draft) is an error that says why, and nothing is printed."""
from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from moto import mock_aws

from corsdeploy.aws import Clients
from corsdeploy.config import load_file
from corsdeploy.engine import plan_environment
from corsdeploy.errors import CorsdeployError
from corsdeploy.importer import import_resources
from corsdeploy.model import AwsSettings, Resource
from corsdeploy.providers.rest_api import RestApiProvider
from corsdeploy.render.yaml_view import render_import
from corsdeploy.services.rest_api import SERVICE
from tests.rest_support import MOCK_200, build_api, rest

ONE_ORIGIN = {"AllowCredentials": True, "AllowHeaders": ["Content-Type"], "AllowMethods": ["GET", "POST"],
              "AllowOrigins": ["https://app.example.com"], "ExposeHeaders": ["ETag"], "MaxAge": 600}
TWO_ORIGINS = {"AllowMethods": ["GET"], "AllowOrigins": ["https://a.example.com", "https://b.example.com"]}
ALLOW_ORIGIN = "method.response.header.Access-Control-Allow-Origin"


class Api:
    """The REST API `legacy` (stage prod) on moto, with corsdeploy's provider and a raw client."""

    def __init__(self) -> None:
        self.client = boto3.client("apigateway", region_name="eu-west-1")
        self.id = build_api(self.client)

    def apply(self, resource: Resource) -> None:
        provider = RestApiProvider(Clients(AwsSettings(region="eu-west-1")))
        live = provider.read(resource)
        provider.write(resource, live, SERVICE.desired(resource, live))

    def resource_id(self, path: str) -> str:
        items = self.client.get_resources(restApiId=self.id)["items"]
        return next(r["id"] for r in items if r["path"] == path)

    def hand_made_preflight(self, path: str) -> None:
        """An OPTIONS method answering CORS, as the console's "Enable CORS" makes one."""
        target = {"restApiId": self.id, "resourceId": self.resource_id(path), "httpMethod": "OPTIONS"}
        self.client.put_method(**target, authorizationType="NONE")
        self.client.put_integration(**target, type="MOCK", requestTemplates=MOCK_200)
        self.client.put_method_response(**target, statusCode="200", responseParameters={ALLOW_ORIGIN: False})
        self.client.put_integration_response(**target, statusCode="200",
                                             responseParameters={ALLOW_ORIGIN: "'*'"})


@pytest.fixture
def api() -> Iterator[Api]:
    with mock_aws():
        yield Api()


def imported_entry(*addresses: str) -> tuple[dict[str, Any], str]:
    """The printed entry of rest_api.legacy, and the whole printed file."""
    text = render_import(import_resources(addresses or ("rest_api.legacy",)))
    return yaml.safe_load(text)["rest_apis"]["legacy"], text


def plans_no_change(text: str) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "environments" / "imported.yaml"
        path.parent.mkdir()
        path.write_text(text)
        return not plan_environment(load_file(path)).plan.has_changes


def refusal(*addresses: str) -> str:
    with pytest.raises(CorsdeployError) as raised:
        import_resources(addresses or ("rest_api.legacy",))
    return "\n".join(str(p) for p in raised.value.problems)


@pytest.mark.parametrize("cors, settings", [
    (ONE_ORIGIN, {}),
    (TWO_ORIGINS, {"resources": ["/items", "/items/{id}"]}),
    (TWO_ORIGINS, {"gateway_responses": ["DEFAULT_4XX", "UNAUTHORIZED"]}),
    ({**TWO_ORIGINS, "AllowCredentials": True}, {"gateway_responses": []}),
    ({"AllowOrigins": ["*"], "AllowMethods": ["GET"]},
     {"resources": ["/"], "gateway_responses": ["DEFAULT_5XX"]}),
])
def test_corsdeploys_pattern_reads_back_as_the_entry_that_wrote_it(
        api: Api, cors: dict[str, Any], settings: dict[str, Any]) -> None:
    api.apply(rest(cors, **settings))
    entry, text = imported_entry()
    assert entry == {"stage": "prod", **settings, "cors": cors}
    assert plans_no_change(text)


def test_no_cors_is_absent(api: Api) -> None:
    entry, text = imported_entry()
    assert entry == {"stage": "prod", "cors": "absent"}
    assert plans_no_change(text)


def test_a_hand_made_preflight_beside_corsdeploys_is_left_out_with_a_note(api: Api) -> None:
    api.apply(rest(ONE_ORIGIN, resources=["/items"]))
    api.hand_made_preflight("/items/{id}")
    entry, text = imported_entry()
    assert entry["resources"] == ["/items"]
    assert "# OPTIONS /items/{id} was not created by corsdeploy: left out of `resources:`" in text
    assert plans_no_change(text)


def test_hand_made_cors_is_refused_saying_where_it_is(api: Api) -> None:
    api.hand_made_preflight("/items")
    message = refusal()
    assert message.startswith("rest_api.legacy: its CORS was not set up by corsdeploy")
    assert "OPTIONS /items answers with CORS headers" in message
    assert "adopt_preflights: true" in message


def test_cors_that_differs_by_method_is_refused(api: Api) -> None:
    api.apply(rest(ONE_ORIGIN))
    target = {"restApiId": api.id, "resourceId": api.resource_id("/items"), "httpMethod": "GET",
              "statusCode": "200"}
    response = api.client.get_integration_response(**target)
    api.client.put_integration_response(**target, responseTemplates=response["responseTemplates"],
                                        responseParameters={**response["responseParameters"],
                                                            ALLOW_ORIGIN: "'https://other.example.com'"})
    message = refusal()
    assert message.startswith(
        "rest_api.legacy: the live CORS cannot be written in an environment file exactly")
    assert message.endswith("would change resources./items.methods.GET.Access-Control-Allow-Origin")


def test_a_gateway_response_it_does_not_manage_is_left_out_with_a_note(api: Api) -> None:
    api.apply(rest(ONE_ORIGIN, gateway_responses=["DEFAULT_4XX"]))
    api.client.put_gateway_response(restApiId=api.id, responseType="UNAUTHORIZED", responseParameters={
        "gatewayresponse.header.Access-Control-Allow-Origin": "'*'"})
    entry, text = imported_entry()
    assert entry["gateway_responses"] == ["DEFAULT_4XX"]
    assert "# gateway response UNAUTHORIZED carries other CORS headers than the rule's" in text
    assert plans_no_change(text)


def test_a_gateway_response_it_manages_changed_by_hand_is_refused(api: Api) -> None:
    api.apply(rest(ONE_ORIGIN))
    api.client.put_gateway_response(restApiId=api.id, responseType="DEFAULT_5XX", responseParameters={
        "gatewayresponse.header.Access-Control-Allow-Origin": "'*'"})
    message = refusal()
    assert "a plan of the imported entry would change gateway_responses.DEFAULT_5XX." in message


def test_a_stage_that_does_not_serve_the_draft_is_refused(api: Api) -> None:
    api.apply(rest(ONE_ORIGIN))
    # The draft changes (DEFAULT_5XX loses its CORS headers) without a deployment.
    api.client.delete_gateway_response(restApiId=api.id, responseType="DEFAULT_5XX")
    assert refusal() == ("rest_api.legacy: stage 'prod' does not serve the API's current CORS (it changed "
                         "after corsdeploy last deployed it), so a plan would redeploy it; deploy the stage "
                         "(or apply once), then import again")


def test_the_stage_is_the_only_one_or_the_one_the_address_names(api: Api) -> None:
    api.apply(rest(ONE_ORIGIN))
    assert imported_entry()[0]["stage"] == "prod"
    api.client.create_deployment(restApiId=api.id, stageName="dev")
    message = refusal()
    assert message == ("rest_api.legacy: the API has 2 stages (dev, prod): say which one corsdeploy "
                       "redeploys after a change, e.g. rest_api.legacy@dev")
    entry, text = imported_entry("rest_api.legacy@prod")
    assert entry["stage"] == "prod"
    assert plans_no_change(text)


def test_an_api_without_stages_is_refused() -> None:
    with mock_aws():
        boto3.client("apigateway", region_name="eu-west-1").create_rest_api(name="legacy")
        assert "rest_api.legacy: the API has no stage: deploy it to one first" in refusal()
