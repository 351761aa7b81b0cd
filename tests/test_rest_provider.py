"""REST API provider on moto in-process: the managed pattern is written, re-planned as a no-op, owned
only where marked, removed without touching users' fields, deployed with a state digest, and every
backup restored exactly."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from corsdeploy.aws import Clients
from corsdeploy.errors import PlanError
from corsdeploy.model import AwsSettings, Live, Resource
from corsdeploy.providers.rest_api import RestApiProvider
from corsdeploy.services.rest_api import SERVICE
from corsdeploy.services.rest_api.pattern import PREFLIGHT_OPERATION
from corsdeploy.services.rest_api.reconcile import operations
from corsdeploy.services.rest_api.view import DEPLOYMENT_PREFIX
from tests.rest_support import build_api, rest

ONE_ORIGIN = {
    "AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET", "POST"],
    "AllowHeaders": ["Content-Type", "Authorization"], "ExposeHeaders": ["ETag"], "MaxAge": 600,
    "AllowCredentials": True,
}
TWO_ORIGINS = {"AllowOrigins": ["https://app.example.com", "https://admin.example.com"],
               "AllowMethods": ["GET"]}
ALLOW_ORIGIN = "method.response.header.Access-Control-Allow-Origin"
REQUEST_ID = "method.response.header.X-Request-Id"


class Api:
    """A seeded REST API on moto, with the provider and a raw client."""

    def __init__(self) -> None:
        self.clients = Clients(AwsSettings(region="eu-west-1"))
        self.client = boto3.client("apigateway", region_name="eu-west-1")
        self.id = build_api(self.client)

    def resource_id(self, path: str) -> str:
        items = self.client.get_resources(restApiId=self.id)["items"]
        return next(r["id"] for r in items if r["path"] == path)

    def method(self, path: str, http_method: str) -> dict[str, Any]:
        return dict(self.client.get_method(restApiId=self.id, resourceId=self.resource_id(path),
                                           httpMethod=http_method))

    def read(self, resource: Resource) -> Live:
        return RestApiProvider(self.clients).read(resource)

    def apply(self, resource: Resource) -> Live:
        """Plan and apply like the lead's apply does; returns the re-read Live."""
        live = self.read(resource)
        RestApiProvider(self.clients).write(resource, live, SERVICE.desired(resource, live))
        return self.read(resource)

    def stage_description(self) -> str:
        deployment_id = self.client.get_stage(restApiId=self.id, stageName="prod")["deploymentId"]
        return str(self.client.get_deployment(restApiId=self.id, deploymentId=deployment_id)["description"])


@pytest.fixture
def api() -> Iterator[Api]:
    with mock_aws():
        yield Api()


def action(resource: Resource, live: Live) -> str:
    before, after = live.wire, SERVICE.desired(resource, live)
    if before is None and after is None:
        return "no-op"
    if before is None:
        return "create"
    if after is None:
        return "delete"
    return "no-op" if SERVICE.normalize(before) == SERVICE.normalize(after) else "update"


def test_create_then_replan_is_a_no_op(api: Api) -> None:
    resource = rest(ONE_ORIGIN)
    assert action(resource, api.read(resource)) == "create"
    live = api.apply(resource)
    assert action(resource, live) == "no-op"
    assert live.wire is not None and live.wire["deployment"] == "current"
    assert api.stage_description().startswith(DEPLOYMENT_PREFIX)
    assert live.wire["Cors"] == SERVICE.desired(resource, live)["Cors"]  # type: ignore[index]


def test_the_preflight_is_a_marked_open_mock(api: Api) -> None:
    api.apply(rest(ONE_ORIGIN))
    options = api.method("/items/{id}", "OPTIONS")
    assert options["operationName"] == PREFLIGHT_OPERATION
    assert options["authorizationType"] == "NONE" and options["apiKeyRequired"] is False
    assert options["methodIntegration"]["type"] == "MOCK"
    assert options["methodIntegration"]["requestTemplates"] == {"application/json": '{"statusCode": 200}'}
    parameters = options["methodIntegration"]["integrationResponses"]["200"]["responseParameters"]
    assert parameters == {
        "method.response.header.Access-Control-Allow-Origin": "'https://app.example.com'",
        "method.response.header.Access-Control-Allow-Methods": "'GET,POST'",
        "method.response.header.Access-Control-Allow-Headers": "'Content-Type,Authorization'",
        "method.response.header.Access-Control-Max-Age": "'600'",
        "method.response.header.Access-Control-Allow-Credentials": "'true'",
    }
    assert set(options["methodResponses"]["200"]["responseParameters"]) == set(parameters)


def test_users_methods_get_the_headers_and_keep_their_fields(api: Api) -> None:
    live = api.apply(rest(ONE_ORIGIN))
    get = api.method("/items", "GET")
    parameters = get["methodIntegration"]["integrationResponses"]["200"]["responseParameters"]
    assert parameters["method.response.header.Access-Control-Allow-Origin"] == "'https://app.example.com'"
    assert parameters["method.response.header.Access-Control-Expose-Headers"] == "'ETag'"
    assert get["methodIntegration"]["integrationResponses"]["200"]["responseTemplates"] == {
        "application/json": '{"ok": true}'
    }
    assert get["methodResponses"]["200"]["responseModels"] == {"application/json": "Empty"}
    proxy = api.method("/{proxy+}", "ANY")
    assert proxy["methodIntegration"]["type"] == "HTTP_PROXY" and not proxy.get("methodResponses")
    assert any("ANY /{proxy+}" in warning and "HTTP_PROXY" in warning for warning in live.warnings)


def test_someone_elses_options_is_a_plan_error_unless_adopted(api: Api) -> None:
    target = {"restApiId": api.id, "resourceId": api.resource_id("/items"), "httpMethod": "OPTIONS"}
    api.client.put_method(**target, authorizationType="NONE", operationName="console")
    with pytest.raises(PlanError, match=r"/items.*adopt_preflights"):
        api.read(rest(ONE_ORIGIN))
    assert api.read(rest(None)).wire is None  # `absent` leaves it alone
    adopted = rest(ONE_ORIGIN, adopt_preflights=True)
    assert action(adopted, api.read(adopted)) == "update"
    assert action(adopted, api.apply(adopted)) == "no-op"
    assert api.method("/items", "OPTIONS")["operationName"] == PREFLIGHT_OPERATION
    assert action(rest(ONE_ORIGIN), api.read(rest(ONE_ORIGIN))) == "no-op"


def test_a_changed_origin_list_is_an_update_and_applies(api: Api) -> None:
    api.apply(rest(TWO_ORIGINS))
    changed = rest({**TWO_ORIGINS, "AllowOrigins": ["https://app.example.com", "https://beta.example.com"]})
    live = api.read(changed)
    assert action(changed, live) == "update"
    assert "https://admin.example.com" in str(live.wire) and "https://beta.example.com" not in str(live.wire)
    assert action(changed, api.apply(changed)) == "no-op"


def test_several_origins_drop_static_allow_origin_but_keep_backend_mappings(api: Api) -> None:
    api.apply(rest(ONE_ORIGIN))
    target = {"restApiId": api.id, "resourceId": api.resource_id("/items"), "httpMethod": "POST"}
    api.client.put_method_response(**target, statusCode="201", responseParameters={ALLOW_ORIGIN: False})
    mapping = "integration.response.header.Access-Control-Allow-Origin"
    api.client.put_integration_response(**target, statusCode="201", selectionPattern="created",
                                        responseParameters={ALLOW_ORIGIN: mapping})
    live = api.apply(rest(TWO_ORIGINS))
    assert action(rest(TWO_ORIGINS), live) == "no-op"
    post = api.method("/items", "POST")["methodIntegration"]["integrationResponses"]
    assert ALLOW_ORIGIN not in post["200"].get("responseParameters", {})
    assert post["201"]["responseParameters"] == {ALLOW_ORIGIN: mapping}
    assert post["201"]["selectionPattern"] == "created"
    assert any(w.startswith("CD302: POST /items: with several origins") for w in live.warnings)


def test_absent_removes_only_corsdeploys_keys(api: Api) -> None:
    api.apply(rest(ONE_ORIGIN))
    target = {"restApiId": api.id, "resourceId": api.resource_id("/items"), "httpMethod": "GET"}
    get = api.method("/items", "GET")
    api.client.delete_method_response(**target, statusCode="200")
    declared = get["methodResponses"]["200"]["responseParameters"]
    mapped = get["methodIntegration"]["integrationResponses"]["200"]["responseParameters"]
    api.client.put_method_response(**target, statusCode="200", responseModels={"application/json": "Empty"},
                                   responseParameters={**declared, REQUEST_ID: True})
    api.client.put_integration_response(**target, statusCode="200", responseTemplates={"text/plain": "{}"},
                                        responseParameters={**mapped, REQUEST_ID: "context.requestId"})
    four = api.client.get_gateway_response(restApiId=api.id, responseType="DEFAULT_4XX")
    api.client.put_gateway_response(restApiId=api.id, responseType="DEFAULT_4XX", statusCode="400",
                                    responseParameters={**four["responseParameters"],
                                                        "gatewayresponse.header.X-Team": "'web'"})
    absent = rest(None)
    live = api.read(absent)
    assert action(absent, live) == "delete"
    before = api.stage_description()
    RestApiProvider(api.clients).write(absent, live, None)
    assert api.read(absent).wire is None
    assert api.stage_description() != before
    methods = api.client.get_resource(restApiId=api.id, resourceId=api.resource_id("/items"),
                                      embed=["methods"])["resourceMethods"]
    assert "OPTIONS" not in methods
    get = api.method("/items", "GET")
    assert get["methodResponses"]["200"]["responseParameters"] == {REQUEST_ID: True}
    assert get["methodResponses"]["200"]["responseModels"] == {"application/json": "Empty"}
    response = get["methodIntegration"]["integrationResponses"]["200"]
    assert response["responseParameters"] == {REQUEST_ID: "context.requestId"}
    assert response["responseTemplates"] == {"text/plain": "{}"}
    gateway = {g["responseType"]: g for g in api.client.get_gateway_responses(restApiId=api.id)["items"]}
    assert gateway["DEFAULT_4XX"]["responseParameters"] == {"gatewayresponse.header.X-Team": "'web'"}
    assert gateway["DEFAULT_4XX"]["statusCode"] == "400"
    assert "DEFAULT_5XX" not in gateway  # nothing else was customised: reset to the default


def test_an_earlier_write_that_was_not_deployed_is_pending(api: Api) -> None:
    api.apply(rest(ONE_ORIGIN))
    changed = rest({**ONE_ORIGIN, "MaxAge": 60})
    live = api.read(changed)
    provider = RestApiProvider(api.clients)
    provider._execute(changed, api.id, operations(changed, live.handle))  # interrupted before deploying
    live = api.read(changed)
    assert live.wire is not None and live.wire["deployment"] == "pending"
    assert action(changed, live) == "update"
    assert action(changed, api.apply(changed)) == "no-op"
    assert api.read(changed).wire["deployment"] == "current"  # type: ignore[index]


def test_a_deployment_by_someone_else_after_corsdeploys_is_not_drift(api: Api) -> None:
    """Changed on purpose (issue 6 item 7): a pipeline's redeploy carries corsdeploy's CORS."""
    api.apply(rest(ONE_ORIGIN))
    api.client.create_deployment(restApiId=api.id, stageName="prod", description="release 42")
    live = api.read(rest(ONE_ORIGIN))
    assert live.wire is not None and live.wire["deployment"] == "current"
    assert action(rest(ONE_ORIGIN), live) == "no-op"


def test_narrowing_resources_removes_preflights_left_behind(api: Api) -> None:
    api.apply(rest(ONE_ORIGIN))
    narrowed = rest(ONE_ORIGIN, resources=["/items"])
    live = api.read(narrowed)
    assert action(narrowed, live) == "update"
    assert set(live.wire["resources"]) == {"/", "/items", "/items/{id}", "/{proxy+}"}  # type: ignore[index]
    live = api.apply(narrowed)
    assert action(narrowed, live) == "no-op"
    methods = api.client.get_resource(restApiId=api.id, resourceId=api.resource_id("/items/{id}"),
                                      embed=["methods"])["resourceMethods"]
    assert set(methods) == {"GET"}
    get = methods["GET"]["methodIntegration"]["integrationResponses"]["200"]
    assert not get.get("responseParameters")


def test_a_drifted_preflight_is_rebuilt(api: Api) -> None:
    api.apply(rest(ONE_ORIGIN))
    target = {"restApiId": api.id, "resourceId": api.resource_id("/items"), "httpMethod": "OPTIONS"}
    api.client.delete_integration_response(**target, statusCode="200")
    live = api.read(rest(ONE_ORIGIN))
    assert action(rest(ONE_ORIGIN), live) == "update"
    assert action(rest(ONE_ORIGIN), api.apply(rest(ONE_ORIGIN))) == "no-op"


def test_missing_stage_and_missing_path_are_plan_errors(api: Api) -> None:
    with pytest.raises(PlanError, match="no stage 'staging'"):
        api.read(rest(ONE_ORIGIN, stage="staging"))
    with pytest.raises(PlanError, match=r"no resource /orders") as caught:
        api.read(rest(ONE_ORIGIN, resources=["/items", "/orders"]))
    assert caught.value.problems[0].address == "rest_api.legacy"


def test_lookup_by_name_and_by_id(api: Api) -> None:
    with pytest.raises(PlanError, match="no REST API is named 'other'"):
        api.read(rest(ONE_ORIGIN, name="other"))
    twin = api.client.create_rest_api(name="legacy")["id"]
    with pytest.raises(PlanError, match="2 REST APIs") as caught:
        api.read(rest(ONE_ORIGIN))
    assert api.id in str(caught.value) and twin in str(caught.value)
    assert api.read(rest(ONE_ORIGIN, id=api.id)).handle.api_id == api.id
    with pytest.raises(PlanError, match="no REST API has id 'nope'"):
        api.read(rest(ONE_ORIGIN, id="nope"))


def test_one_listing_is_shared_by_threads(api: Api) -> None:
    calls: list[str] = []
    provider = RestApiProvider(api.clients)
    api.clients.client("apigateway").meta.events.register(
        "before-call.apigateway.GetRestApis", lambda **_: calls.append("GetRestApis")
    )
    errors: list[BaseException] = []

    def read() -> None:
        try:
            provider.read(rest(ONE_ORIGIN))
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=read) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and calls == ["GetRestApis"]


def test_calls_per_api_for_plan_and_apply(api: Api) -> None:
    """Issue 6 item 4: a read is GetStage, GetDeployments, GetResources, GetGatewayResponses (limit=500,
    one page each here), and GetExport when a change would redeploy (issue 8); an apply adds its writes
    and one CreateDeployment, then the verifying read (no change left: no GetExport)."""
    calls: list[str] = []
    api.clients.client("apigateway").meta.events.register(
        "before-call.apigateway", lambda model, **_: calls.append(model.name))
    provider = RestApiProvider(api.clients)
    resource = rest(ONE_ORIGIN, id=api.id)
    live = provider.read(resource)
    assert calls == ["GetRestApi", "GetStage", "GetDeployments", "GetResources", "GetGatewayResponses",
                     "GetExport"]
    calls.clear()
    provider.write(resource, live, SERVICE.desired(resource, live))
    assert calls.count("CreateDeployment") == 1
    assert not any(name.startswith("Get") for name in calls)  # no re-read before deploying
    calls.clear()
    provider.read(resource)
    assert len(calls) == 5
