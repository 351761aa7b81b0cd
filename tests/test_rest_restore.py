"""REST, restorable: every backup a read makes (Live.backup) is JSON, and RestApiProvider.restore puts
back exactly what was there: hand-made preflights with their templates, users' responses with every
field, customised gateway responses. moto for the round trips; Stubber for AWS's conflict on Put."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from corsdeploy.aws import Clients
from corsdeploy.errors import CorsdeployError
from corsdeploy.model import AwsSettings, Resource
from corsdeploy.providers.rest_api import RestApiProvider
from corsdeploy.providers.rest_api.wire import backup_from_document, parse_gateway_response, parse_resource
from corsdeploy.services.rest_api import SERVICE
from tests.rest_support import build_api, rest

H = "method.response.header."
TWO = {"AllowOrigins": ["https://app.example.com", "https://admin.example.com"],
       "AllowMethods": ["GET", "POST"], "ExposeHeaders": ["ETag"]}
ONE = {"AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET"], "AllowCredentials": True,
       "ExposeHeaders": ["ETag"]}
HAND_MADE_TEMPLATE = ("#set($o = $input.params().header.get('Origin'))\n"
                      "#if($o.endsWith('.example.com'))#set($context.responseOverride.header."
                      "Access-Control-Allow-Origin = $o)#end\n")


class Api:
    def __init__(self) -> None:
        self.client = boto3.client("apigateway", region_name="eu-west-1")
        self.id = build_api(self.client)
        self.provider = RestApiProvider(Clients(AwsSettings(region="eu-west-1")))

    def rid(self, path: str) -> str:
        items = self.client.get_resources(restApiId=self.id)["items"]
        return next(r["id"] for r in items if r["path"] == path)

    def configuration(self) -> tuple[Any, ...]:
        """Everything corsdeploy may touch, typed (as the provider parses it)."""
        resources = self.client.get_resources(restApiId=self.id, embed=["methods"])["items"]
        gateway = self.client.get_gateway_responses(restApiId=self.id)["items"]
        return (sorted((parse_resource(r) for r in resources), key=lambda r: r.path),
                sorted((parse_gateway_response(g) for g in gateway), key=lambda g: g.response_type))

    def apply(self, resource: Resource) -> None:
        live = self.provider.read(resource)
        self.provider.write(resource, live, SERVICE.desired(resource, live))


@pytest.fixture
def api() -> Iterator[Api]:
    with mock_aws():
        yield Api()


def hand_made_preflight(api: Api) -> None:
    """A console-style OPTIONS on /items: a template of its own, a 204 beside the 200, an authorizer-free
    method with a request parameter."""
    target = {"restApiId": api.id, "resourceId": api.rid("/items"), "httpMethod": "OPTIONS"}
    api.client.put_method(**target, authorizationType="NONE", operationName="console-cors",
                          requestParameters={"method.request.header.Origin": False})
    api.client.put_integration(**target, type="MOCK", passthroughBehavior="NEVER",
                               requestTemplates={"application/json": '{"statusCode": 200}'})
    for status in ("200", "204"):
        api.client.put_method_response(**target, statusCode=status,
                                       responseParameters={H + "Access-Control-Allow-Origin": False,
                                                           H + "Access-Control-Allow-Methods": True})
    api.client.put_integration_response(**target, statusCode="200",
                                        responseParameters={H + "Access-Control-Allow-Methods": "'GET'"},
                                        responseTemplates={"application/json": HAND_MADE_TEMPLATE})
    api.client.put_integration_response(**target, statusCode="204", selectionPattern="none",
                                        responseParameters={H + "Access-Control-Allow-Origin": "'*'"})


def users_extra_fields(api: Api) -> None:
    """GET /items answers 200 with models, a request-id mapping, a template and content handling."""
    target = {"restApiId": api.id, "resourceId": api.rid("/items"), "httpMethod": "GET"}
    api.client.put_method_response(**target, statusCode="200", responseModels={"application/json": "Empty"},
                                   responseParameters={H + "X-Request-Id": True})
    api.client.put_integration_response(**target, statusCode="200", selectionPattern="",
                                        contentHandling="CONVERT_TO_TEXT",
                                        responseParameters={H + "X-Request-Id": "context.requestId"},
                                        responseTemplates={"application/json": '{"ok": true}',
                                                           "text/plain": "ok"})


def customised_gateway_responses(api: Api) -> None:
    template = {"application/json": '{"error": "$context.error.message"}'}
    api.client.put_gateway_response(restApiId=api.id, responseType="DEFAULT_4XX", statusCode="400",
                                    responseParameters={"gatewayresponse.header.X-Team": "'web'"},
                                    responseTemplates=template)


def previous_corsdeploy_apply(api: Api) -> None:
    api.apply(rest(ONE))


SETUPS: dict[str, list[Callable[[Api], None]]] = {
    "untouched API": [],
    "adopted hand-made preflight, users' fields, customised gateway responses":
        [hand_made_preflight, users_extra_fields, customised_gateway_responses],
    "corsdeploy's own earlier pattern": [users_extra_fields, previous_corsdeploy_apply],
}


@pytest.mark.parametrize("setup", list(SETUPS))
@pytest.mark.parametrize("cors", [TWO, None], ids=["several origins", "absent"])
def test_every_backup_restores_the_original_configuration(api: Api, setup: str, cors: Any) -> None:
    for step in SETUPS[setup]:
        step(api)
    resource = rest(cors, adopt_preflights=True)
    original = api.configuration()
    live = api.provider.read(resource)
    assert live.backup is not None
    document = json.loads(json.dumps(live.backup))  # what a backup file holds
    api.provider.write(resource, live, SERVICE.desired(resource, live))
    changed = api.configuration()
    if cors is not None or setup != "untouched API":
        assert changed != original
    api.provider.restore(resource, api.provider.read(resource), document)
    assert api.configuration() == original


def test_a_restore_redeploys_the_stage(api: Api) -> None:
    hand_made_preflight(api)
    resource = rest(TWO, adopt_preflights=True)
    live = api.provider.read(resource)
    api.provider.write(resource, live, SERVICE.desired(resource, live))
    before = len(api.client.get_deployments(restApiId=api.id)["items"])
    api.provider.restore(resource, api.provider.read(resource), dict(live.backup or {}))
    assert len(api.client.get_deployments(restApiId=api.id)["items"]) == before + 1


def test_a_backup_of_another_api_or_another_thing_is_refused(api: Api) -> None:
    resource = rest(ONE)
    live = api.provider.read(resource)
    assert live.backup is not None
    with pytest.raises(CorsdeployError, match="not a REST API backup"):
        api.provider.restore(resource, live, {"CORSRules": []})
    with pytest.raises(CorsdeployError, match="is of REST API other"):
        api.provider.restore(resource, live, {**live.backup, "api_id": "other"})
    with pytest.raises(CorsdeployError, match="damaged"):
        backup_from_document({**live.backup, "methods": {"/items": {"GET": {"200": {}}}}}, resource.address)


def test_a_write_takes_only_what_the_file_asks_for(api: Api) -> None:
    resource = rest(ONE)
    live = api.provider.read(resource)
    with pytest.raises(CorsdeployError, match="restore"):
        api.provider.write(resource, live, {"resources": {"/": {"preflight": {"x": "y"}, "methods": {}}}})


# --- AWS's conflict on Put, where moto overwrites --------------------------------------------------


def test_restoring_a_users_response_on_aws_patches_it_in_place() -> None:
    """The backup holds GET /items 200 without corsdeploy's keys; live has them. On AWS the Put
    conflicts and the JSON-Patch update removes them; nothing is deleted."""
    get = {"httpMethod": "GET", "authorizationType": "NONE",
           "methodResponses": {"200": {"statusCode": "200", "responseModels": {"application/json": "Empty"},
                                       "responseParameters": {H + "Access-Control-Allow-Origin": False}}},
           "methodIntegration": {"type": "HTTP", "uri": "https://example.com/", "integrationResponses": {
               "200": {"statusCode": "200", "responseTemplates": {"application/json": "{}"},
                       "responseParameters": {H + "Access-Control-Allow-Origin": "'https://app.example.com'"}}}}}
    resources = [{"id": "items", "path": "/items", "resourceMethods": {"GET": get}}]
    clients = Clients(AwsSettings(region="eu-west-1"))
    with Stubber(clients.client("apigateway")) as stubber:
        page = {"limit": 500}
        stubber.add_response("get_rest_api", {"id": "api1", "name": "legacy"}, {"restApiId": "api1"})
        stubber.add_response("get_stage", {"deploymentId": "d1"}, {"restApiId": "api1", "stageName": "prod"})
        stubber.add_response("get_deployments", {"items": []}, {"restApiId": "api1", **page})
        stubber.add_response("get_resources", {"items": resources},
                             {"restApiId": "api1", "embed": ["methods"], **page})
        stubber.add_response("get_gateway_responses", {"items": []}, {"restApiId": "api1", **page})
        resource = rest(None, id="api1", gateway_responses=[])
        live = RestApiProvider(clients).read(resource)
        assert live.backup is not None
        document = json.loads(json.dumps(live.backup))
        original = document["methods"]["/items"]["GET"]["200"]
        original["methodResponse"]["responseParameters"] = {}
        original["integrationResponse"]["responseParameters"] = {}
        target = {"restApiId": "api1", "resourceId": "items", "httpMethod": "GET", "statusCode": "200"}
        stubber.add_response("put_integration_response", {}, {
            **target, "responseTemplates": {"application/json": "{}"}})
        stubber.add_client_error("put_method_response", "ConflictException", "Response already exists",
                                 expected_params={**target, "responseModels": {"application/json": "Empty"}})
        stubber.add_response("update_method_response", {}, {**target, "patchOperations": [
            {"op": "remove", "path": f"/responseParameters/{H}Access-Control-Allow-Origin"}]})
        rereads: list[tuple[str, dict[str, Any]]] = [
            ("get_stage", {"deploymentId": "d1"}), ("get_deployments", {"items": []}),
            ("get_resources", {"items": resources}), ("get_gateway_responses", {"items": []})]
        for operation, reply in rereads:
            stubber.add_response(operation, reply)
        stubber.add_response("create_deployment", {"id": "d2"},
                             {"restApiId": "api1", "stageName": "prod", "description": ANY})
        RestApiProvider(clients).restore(resource, live, document)
        stubber.assert_no_pending_responses()
