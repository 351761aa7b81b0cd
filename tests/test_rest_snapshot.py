"""REST APIs: when a change would redeploy a stage, plan compares what the stage serves (GetExport,
OpenAPI 3 with integrations) with the draft and warns about undeployed changes that are not
corsdeploy's. moto's export is Swagger 2.0 of the draft without extensions, so GetExport is answered
by a fake: an export in AWS's documented shape, built from the draft as AWS builds it from a
deployment, and checked against botocore's model of GetExport's output. Everything else is moto."""
from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.response import StreamingBody
from botocore.validate import validate_parameters
from moto import mock_aws

from corsdeploy.aws import Clients
from corsdeploy.model import AwsSettings, frozen
from corsdeploy.plan import Action, plan_resource
from corsdeploy.providers.rest_api import RestApiProvider
from corsdeploy.providers.rest_api.wire import parse_resource
from corsdeploy.services.rest_api.snapshot import ANY_METHOD, INTEGRATION, SHOWN, snapshot_warning
from corsdeploy.services.rest_api.state import RestApiState
from tests.rest_support import BACKEND, build_api, rest

H = "method.response.header."
CORS = {"AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET", "POST"],
        "ExposeHeaders": ["ETag"]}
SNAPSHOT = ("CD308: stage 'prod' serves a deployment that differs from the API's draft beyond corsdeploy's "
            "CORS keys")
Answer = Callable[[], dict[str, Any]]


def aws_export(client: Any, api_id: str) -> dict[str, Any]:
    """What GetExport(oas30, extensions=integrations) answers for a stage deployed from the current
    draft: paths, lowercase methods (`x-amazon-apigateway-any-method` for ANY), method responses with
    their headers, and each integration with its responses keyed by selection pattern ("default")."""
    paths: dict[str, Any] = {}
    for res in client.get_resources(restApiId=api_id, embed=["methods"])["items"]:
        methods = res.get("resourceMethods") or {}
        paths[res["path"]] = {ANY_METHOD if name == "ANY" else name.lower(): _operation(method)
                              for name, method in methods.items()}
    return {"openapi": "3.0.1", "info": {"title": "legacy", "version": "2026-01-01T00:00:00Z"},
            "servers": [{"url": f"https://{api_id}.execute-api.eu-west-1.amazonaws.com/{{basePath}}",
                         "variables": {"basePath": {"default": "prod"}}}],
            "paths": paths,
            "components": {"schemas": {"Empty": {"title": "Empty Schema", "type": "object"}}}}


def _operation(method: dict[str, Any]) -> dict[str, Any]:
    responses = {}
    for status, response in (method.get("methodResponses") or {}).items():
        headers = {name.removeprefix(H): {"schema": {"type": "string"}}
                   for name in response.get("responseParameters") or {}}
        empty = {"application/json": {"schema": {"$ref": "#/components/schemas/Empty"}}}
        responses[status] = {"description": f"{status} response", **({"headers": headers} if headers else {}),
                             "content": empty}
    operation: dict[str, Any] = {"responses": responses}
    integration = method.get("methodIntegration")
    if integration:
        operation[INTEGRATION] = {
            "type": integration["type"].lower(),
            **{k: integration[k] for k in ("uri", "httpMethod", "requestTemplates", "passthroughBehavior",
                                           "contentHandling") if integration.get(k)},
            "responses": {
                (r.get("selectionPattern") or "default"): {
                    "statusCode": status,
                    **{k: r[k] for k in ("responseParameters", "responseTemplates", "contentHandling")
                       if r.get(k)}}
                for status, r in (integration.get("integrationResponses") or {}).items()},
        }
    return operation


class FakeExport:
    """Answers the client's GetExport calls (and only those) with `answer()`, or with `error`."""

    def __init__(self, client: Any, answer: Answer, error: str | None = None) -> None:
        self.requests: list[dict[str, Any]] = []
        self._answer, self._error = answer, error
        self._output = client.meta.service_model.operation_model("GetExport").output_shape
        client.meta.events.register("before-parameter-build.api-gateway.GetExport",
                                    lambda params, **_: self.requests.append(dict(params)))
        client.meta.events.register_first("before-call.api-gateway.GetExport", self._respond)

    def _respond(self, **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        if self._error:
            return (AWSResponse("https://apigateway.eu-west-1.amazonaws.com", 403, {}, None),
                    {"Error": {"Code": self._error, "Message": "not allowed"},
                     "ResponseMetadata": {"HTTPStatusCode": 403}})
        body = json.dumps(self._answer()).encode()
        parsed: dict[str, Any] = {"contentType": "application/json", "body": body,
                                  "contentDisposition": 'attachment; filename="oas30_2026.json"'}
        validate_parameters(parsed, self._output)
        parsed["body"] = StreamingBody(io.BytesIO(body), len(body))
        return AWSResponse("https://apigateway.eu-west-1.amazonaws.com", 200, {}, None), parsed


@pytest.fixture
def clients() -> Iterator[Clients]:
    with mock_aws():
        yield Clients(AwsSettings(region="eu-west-1"))


@pytest.fixture
def api(clients: Clients) -> str:
    return build_api(clients.client("apigateway"))


def snapshot_warnings(live: Any) -> list[str]:
    return [w for w in live.warnings if w.startswith(SNAPSHOT) or w.startswith("CD308: could not compare")]


def test_a_stage_serving_its_draft_gives_no_warning_and_is_read_once(clients: Clients, api: str) -> None:
    client = clients.client("apigateway")
    deployed = aws_export(client, api)
    fake = FakeExport(client, lambda: deployed)
    live = RestApiProvider(clients).read(rest(CORS))
    assert plan_resource(rest(CORS), live).action is Action.CREATE
    assert snapshot_warnings(live) == []
    assert fake.requests == [{"restApiId": api, "stageName": "prod", "exportType": "oas30",
                              "parameters": {"extensions": "integrations"}, "accepts": "application/json"}]


def test_undeployed_changes_by_others_are_named(clients: Clients, api: str) -> None:
    client = clients.client("apigateway")
    deployed = aws_export(client, api)
    # Since the deployment, someone added POST /items, pointed GET /items/{id} at another backend,
    # declared a response header on GET /items, and deleted a DELETE /items method.
    del deployed["paths"]["/items"]["post"]
    deployed["paths"]["/items/{id}"]["get"][INTEGRATION]["type"] = "http"
    deployed["paths"]["/items/{id}"]["get"][INTEGRATION]["uri"] = BACKEND + "v1/items/{id}"
    items = next(r["id"] for r in client.get_resources(restApiId=api)["items"] if r["path"] == "/items")
    client.put_method_response(restApiId=api, resourceId=items, httpMethod="GET", statusCode="201",
                               responseParameters={H + "X-Request-Id": False})
    deployed["paths"]["/items"]["delete"] = copy.deepcopy(deployed["paths"]["/items"]["get"])
    FakeExport(client, lambda: deployed)
    (warning,) = snapshot_warnings(RestApiProvider(clients).read(rest(CORS)))
    assert warning == (
        f"{SNAPSHOT} (DELETE /items was removed; GET /items: responses changed; POST /items is new; "
        "GET /items/{id}: integration changed): the redeployment after this change ships those too")


def test_differences_in_corsdeploys_own_keys_are_not_reported(clients: Clients, api: str) -> None:
    client = clients.client("apigateway")
    provider = RestApiProvider(clients)
    before = aws_export(client, api)  # the stage still serves the API from before corsdeploy
    live = provider.read(rest(CORS))
    provider.write(rest(CORS), live, plan_resource(rest(CORS), live).after)
    # The file changes again: corsdeploy would redeploy. The stage serves the API as corsdeploy left
    # it minus its own keys (no preflights, no Access-Control-* headers): nothing else differs.
    FakeExport(client, lambda: before)
    changed = rest({**CORS, "AllowOrigins": ["https://admin.example.com"]})
    live = provider.read(changed)
    assert plan_resource(changed, live).action is Action.UPDATE
    assert snapshot_warnings(live) == []


def test_no_export_is_read_when_nothing_would_redeploy(clients: Clients, api: str) -> None:
    client = clients.client("apigateway")
    provider = RestApiProvider(clients)
    live = provider.read(rest(CORS))
    provider.write(rest(CORS), live, plan_resource(rest(CORS), live).after)
    fake = FakeExport(client, lambda: aws_export(client, api))
    assert plan_resource(rest(CORS), provider.read(rest(CORS))).action is Action.NOOP
    assert fake.requests == []


def test_an_export_refused_is_a_warning_not_a_failed_plan(clients: Clients, api: str) -> None:
    FakeExport(clients.client("apigateway"), dict, error="AccessDeniedException")
    (warning,) = snapshot_warnings(RestApiProvider(clients).read(rest(CORS)))
    assert warning.startswith("CD308: could not compare stage 'prod' with the API's draft (ClientError: ")
    assert "AccessDeniedException" in warning
    assert warning.endswith("the redeployment after this change ships every undeployed change")


def test_many_differences_are_summed_up() -> None:
    """Methods added to a draft whose stage serves none of them (corsdeploy manages no resource)."""
    resources = tuple(parse_resource({"id": f"r{i}", "path": f"/r{i}", "resourceMethods": {"GET": {}}})
                      for i in range(SHOWN + 3))
    state = RestApiState("api1", "prod", resources, frozen())
    (warning,) = snapshot_warning(rest(CORS, resources=[]), state, {"openapi": "3.0.1", "paths": {}})
    shown = "; ".join(f"GET /r{i} is new" for i in range(SHOWN))
    assert f"({shown}; and 3 more)" in warning


def test_an_export_that_is_not_openapi_3_is_not_compared() -> None:
    """moto answers Swagger 2.0 without extensions whatever is asked: nothing to compare it with."""
    assert snapshot_warning(rest(CORS), RestApiState("api1", "prod", (), frozen()), {"swagger": "2.0"}) == ()
