"""REST API reads and writes against AWS's own answers, where moto differs (botocore Stubber): every
listing is paginated, and get_gateway_responses lists all 21 types, defaults marked defaultResponse."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from corsdeploy.aws import Clients
from corsdeploy.model import AwsSettings, Kind, Location, Resource, frozen
from corsdeploy.providers.rest_api import RestApiProvider
from corsdeploy.services.rest_api import SERVICE
from corsdeploy.services.rest_api.reconcile import DeleteGatewayResponse, PutGatewayResponse, operations
from corsdeploy.services.rest_api.state import GatewayResponse
from corsdeploy.shapes import rule_from_cors

ONE_ORIGIN = {"AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET"],
              "ExposeHeaders": ["ETag"]}
# The 21 types of botocore's GatewayResponseType enum.
TYPES = ("DEFAULT_4XX", "DEFAULT_5XX", "RESOURCE_NOT_FOUND", "UNAUTHORIZED", "INVALID_API_KEY",
         "ACCESS_DENIED", "AUTHORIZER_FAILURE", "AUTHORIZER_CONFIGURATION_ERROR", "INVALID_SIGNATURE",
         "EXPIRED_TOKEN", "MISSING_AUTHENTICATION_TOKEN", "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT",
         "API_CONFIGURATION_ERROR", "UNSUPPORTED_MEDIA_TYPE", "BAD_REQUEST_PARAMETERS", "BAD_REQUEST_BODY",
         "REQUEST_TOO_LARGE", "THROTTLED", "QUOTA_EXCEEDED", "WAF_FILTERED")
ERROR_TEMPLATE = {"application/json": '{"message":$context.error.messageString}'}
GET_ITEMS = {
    "httpMethod": "GET", "authorizationType": "NONE", "apiKeyRequired": False,
    "methodResponses": {"200": {"statusCode": "200", "responseModels": {"application/json": "Empty"}}},
    "methodIntegration": {"type": "HTTP", "httpMethod": "GET", "uri": "https://example.com/items",
                          "integrationResponses": {"200": {"statusCode": "200", "selectionPattern": "",
                                                           "responseTemplates": {"application/json": ""}}}},
}


def rest(cors: Mapping[str, Any] | None, **settings: Any) -> Resource:
    return Resource(Kind.REST_API, "legacy", None if cors is None else rule_from_cors(cors),
                    Location("environments/test.yaml", 3, 3), frozen({"stage": "prod", **settings}))


def default_response(response_type: str, **changes: Any) -> dict[str, Any]:
    """A gateway response the way AWS lists one nobody customised."""
    return {"responseType": response_type, "defaultResponse": True, "responseParameters": {},
            "responseTemplates": dict(ERROR_TEMPLATE), **changes}


@pytest.fixture
def stubbed() -> Iterator[tuple[Clients, Stubber]]:
    clients = Clients(AwsSettings(region="eu-west-1"))
    with Stubber(clients.client("apigateway")) as stubber:
        yield clients, stubber
        stubber.assert_no_pending_responses()


PAGE = {"limit": 500}


def queue_state(stubber: Stubber, resources: list[dict[str, Any]], gateway: list[dict[str, Any]]) -> None:
    """get_stage, then two pages each of get_deployments, get_resources and get_gateway_responses."""
    stubber.add_response("get_stage", {"deploymentId": "dep1", "stageName": "prod"},
                         {"restApiId": "api1", "stageName": "prod"})
    stubber.add_response("get_deployments", {"items": [{"id": "dep0", "description": "release 6"}],
                                             "position": "d2"}, {"restApiId": "api1", **PAGE})
    stubber.add_response("get_deployments", {"items": [{"id": "dep1", "description": "release 7"}]},
                         {"restApiId": "api1", "position": "d2", **PAGE})
    half = len(resources) // 2
    stubber.add_response("get_resources", {"items": resources[:half], "position": "r2"},
                         {"restApiId": "api1", "embed": ["methods"], **PAGE})
    stubber.add_response("get_resources", {"items": resources[half:]},
                         {"restApiId": "api1", "embed": ["methods"], "position": "r2", **PAGE})
    stubber.add_response("get_gateway_responses", {"items": gateway[:11], "position": "g2"},
                         {"restApiId": "api1", **PAGE})
    stubber.add_response("get_gateway_responses", {"items": gateway[11:]},
                         {"restApiId": "api1", "position": "g2", **PAGE})


RESOURCES: list[dict[str, Any]] = [{"id": "root", "path": "/"},
             {"id": "items", "path": "/items", "parentId": "root", "resourceMethods": {"GET": GET_ITEMS}}]


def test_every_listing_is_read_to_its_last_page(stubbed: tuple[Clients, Stubber]) -> None:
    clients, stubber = stubbed
    stubber.add_response("get_rest_apis", {"items": [{"id": "x", "name": "orders"}], "position": "a2"}, PAGE)
    stubber.add_response("get_rest_apis", {"items": [{"id": "api1", "name": "legacy"}]},
                         {"position": "a2", **PAGE})
    gateway = [default_response(t) for t in TYPES]
    gateway[TYPES.index("DEFAULT_5XX")] = {
        "responseType": "DEFAULT_5XX", "defaultResponse": False, "responseTemplates": dict(ERROR_TEMPLATE),
        "responseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": "'https://old.example.com'"},
    }
    queue_state(stubber, RESOURCES, gateway)
    live = RestApiProvider(clients).read(rest(ONE_ORIGIN))
    assert live.handle.api_id == "api1"
    assert {r.path for r in live.handle.resources} == {"/", "/items"}
    assert set(live.handle.gateway_responses) == set(TYPES)
    assert live.wire is not None
    assert live.wire["resources"] == {}
    assert live.wire["gateway_responses"] == {
        "DEFAULT_4XX": None, "DEFAULT_5XX": {"Access-Control-Allow-Origin": "'https://old.example.com'"},
    }
    assert live.wire["deployment"] == "pending"


def test_defaults_keep_their_fields_and_other_types_stay(stubbed: tuple[Clients, Stubber]) -> None:
    clients, stubber = stubbed
    stubber.add_response("get_rest_api", {"id": "api1", "name": "legacy"}, {"restApiId": "api1"})
    gateway = [default_response(t) for t in TYPES]
    gateway[TYPES.index("UNAUTHORIZED")] = default_response(
        "UNAUTHORIZED", defaultResponse=False, statusCode="401",
        responseParameters={"gatewayresponse.header.WWW-Authenticate": "'Bearer'"},
    )
    queue_state(stubber, RESOURCES, gateway)
    resource = rest(ONE_ORIGIN, id="api1", gateway_responses=["DEFAULT_4XX", "UNAUTHORIZED"])
    live = RestApiProvider(clients).read(resource)
    assert live.wire is None  # AWS's defaults carry nothing of corsdeploy's
    gateway_ops = [op for op in operations(resource, live.handle)
                   if isinstance(op, PutGatewayResponse | DeleteGatewayResponse)]
    cors = {"gatewayresponse.header.Access-Control-Allow-Origin": "'https://app.example.com'",
            "gatewayresponse.header.Access-Control-Expose-Headers": "'ETag'"}
    assert gateway_ops == [
        PutGatewayResponse(GatewayResponse("DEFAULT_4XX", None, cors, ERROR_TEMPLATE, default=False)),
        PutGatewayResponse(GatewayResponse(
            "UNAUTHORIZED", "401", {"gatewayresponse.header.WWW-Authenticate": "'Bearer'", **cors},
            ERROR_TEMPLATE, default=False,
        )),
    ]


def test_absent_deletes_only_responses_nothing_else_customised(stubbed: tuple[Clients, Stubber]) -> None:
    clients, stubber = stubbed
    stubber.add_response("get_rest_api", {"id": "api1", "name": "legacy"}, {"restApiId": "api1"})
    cors = {"gatewayresponse.header.Access-Control-Allow-Origin": "'https://app.example.com'"}
    gateway = [default_response(t) for t in TYPES]
    gateway[0] = default_response("DEFAULT_4XX", defaultResponse=False, responseParameters=cors)
    gateway[1] = default_response("DEFAULT_5XX", defaultResponse=False, statusCode="503",
                                  responseParameters=cors)
    queue_state(stubber, RESOURCES, gateway)
    resource = rest(None, id="api1")
    live = RestApiProvider(clients).read(resource)
    assert live.wire is not None
    assert operations(resource, live.handle) == [
        DeleteGatewayResponse("DEFAULT_4XX"),
        PutGatewayResponse(GatewayResponse("DEFAULT_5XX", "503", {}, ERROR_TEMPLATE, default=False)),
    ]


def test_a_write_keeps_users_fields_and_deploys_without_variables(stubbed: tuple[Clients, Stubber]) -> None:
    clients, stubber = stubbed
    stubber.add_response("get_rest_api", {"id": "api1", "name": "legacy"}, {"restApiId": "api1"})
    gateway = [default_response(t) for t in TYPES]
    queue_state(stubber, RESOURCES, gateway)
    resource = rest(ONE_ORIGIN, id="api1", resources=["/items"], gateway_responses=[])
    provider = RestApiProvider(clients)
    live = provider.read(resource)
    options = {"restApiId": "api1", "resourceId": "items", "httpMethod": "OPTIONS"}
    for operation in ("put_method", "put_integration", "put_method_response", "put_integration_response"):
        stubber.add_response(operation, {}, {**options, **_preflight_fields(operation)})
    get = {"restApiId": "api1", "resourceId": "items", "httpMethod": "GET"}
    headers = {"method.response.header.Access-Control-Allow-Origin": "'https://app.example.com'",
               "method.response.header.Access-Control-Expose-Headers": "'ETag'"}
    # AWS refuses Put on an existing method response; the patch declares the new headers in place.
    stubber.add_client_error("put_method_response", "ConflictException", "Response already exists",
                             expected_params={**get, "statusCode": "200",
                                              "responseModels": {"application/json": "Empty"},
                                              "responseParameters": dict.fromkeys(headers, False)})
    stubber.add_response("update_method_response", {}, {**get, "statusCode": "200", "patchOperations": [
        {"op": "add", "path": f"/responseParameters/{key}", "value": "false"} for key in sorted(headers)]})
    stubber.add_response("put_integration_response", {}, {
        **get, "statusCode": "200", "selectionPattern": "", "responseParameters": headers,
        "responseTemplates": {"application/json": ""},
    })
    stubber.add_response("create_deployment", {"id": "dep2"},
                         {"restApiId": "api1", "stageName": "prod", "description": ANY})
    provider.write(resource, live, SERVICE.desired(resource, live))


def _preflight_fields(operation: str) -> dict[str, Any]:
    fields: dict[str, dict[str, Any]] = {
        "put_method": {"authorizationType": "NONE", "apiKeyRequired": False,
                       "operationName": "corsdeploy-preflight"},
        "put_integration": {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'},
                            "contentHandling": "CONVERT_TO_TEXT"},
        "put_method_response": {"statusCode": "200", "responseParameters": {
            "method.response.header.Access-Control-Allow-Methods": False,
            "method.response.header.Access-Control-Allow-Origin": False,
        }},
        "put_integration_response": {"statusCode": "200", "responseParameters": {
            "method.response.header.Access-Control-Allow-Methods": "'GET'",
            "method.response.header.Access-Control-Allow-Origin": "'https://app.example.com'",
        }},
    }
    return fields[operation]
