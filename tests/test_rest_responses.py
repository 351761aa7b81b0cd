"""Issue 6 item 8: a user's method responses are never left broken. Against a fake that answers like
AWS (Put on an existing response is a conflict; Update* patch), failing every call in turn leaves the
method exactly as it was; without a failure it ends as asked. The same on moto (Put overwrites)."""
from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from corsdeploy.aws import Clients
from corsdeploy.errors import AwsError
from corsdeploy.model import AwsSettings
from corsdeploy.providers.rest_api import RestApiProvider
from corsdeploy.providers.rest_api.responses import ResponseWriter
from corsdeploy.providers.rest_api.wire import parse_resource
from corsdeploy.services.rest_api.reconcile import UpdateResponses, operations
from corsdeploy.services.rest_api.state import RestApiState
from tests.rest_support import FakeResponses, build_api, rest

H = "method.response.header."
# A user's GET answering 200 and 201; 200 already carries corsdeploy's old credentials header.
METHOD_RESPONSES: dict[str, dict[str, Any]] = {
    "200": {"statusCode": "200", "responseModels": {"application/json": "Empty"},
            "responseParameters": {H + "X-Request-Id": True, H + "Access-Control-Allow-Credentials": False}},
    "201": {"statusCode": "201"},
}
INTEGRATION_RESPONSES: dict[str, dict[str, Any]] = {
    "200": {"statusCode": "200", "selectionPattern": "", "contentHandling": "CONVERT_TO_TEXT",
            "responseParameters": {H + "X-Request-Id": "context.requestId",
                                   H + "Access-Control-Allow-Credentials": "'true'"},
            "responseTemplates": {"application/json": '{"ok": true}'}},
    "201": {"statusCode": "201", "selectionPattern": "created"},
}
CORS = {"AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET"], "ExposeHeaders": ["ETag"]}
TARGET = {"restApiId": "api1", "resourceId": "items", "httpMethod": "GET"}


def the_change() -> UpdateResponses:
    """What corsdeploy computes for CORS over that method: add two headers, drop one, on both statuses."""
    method = {"httpMethod": "GET", "authorizationType": "NONE", "methodResponses": METHOD_RESPONSES,
              "methodIntegration": {"type": "HTTP", "uri": "https://example.com/items",
                                    "integrationResponses": INTEGRATION_RESPONSES}}
    state = RestApiState("api1", "prod", (parse_resource(
        {"id": "items", "path": "/items", "resourceMethods": {"GET": method}}),), {})
    (op,) = [op for op in operations(rest(CORS, resources=["/items"], gateway_responses=[]), state)
             if isinstance(op, UpdateResponses)]
    return op


def test_the_change_adds_and_removes_headers_on_every_status() -> None:
    op = the_change()
    assert [c.status for c in op.changes] == ["200", "201"]
    after = op.changes[0].after
    assert after.method_response is not None
    assert set(after.method_response.parameters) == {
        H + "X-Request-Id", H + "Access-Control-Allow-Origin", H + "Access-Control-Expose-Headers"}
    assert after.integration_response.parameters[H + "X-Request-Id"] == "context.requestId"
    assert after.integration_response.templates == {"application/json": '{"ok": true}'}


def run(fail_at: int | None) -> FakeResponses:
    fake = FakeResponses(METHOD_RESPONSES, INTEGRATION_RESPONSES, fail_at)
    ResponseWriter(fake, TARGET).apply(the_change().changes)
    return fake


def test_without_failures_the_method_ends_as_asked_through_aws_patch_calls() -> None:
    fake = run(None)
    methods, integrations = fake.snapshot()
    assert methods["200"] == {"statusCode": "200", "responseModels": {"application/json": "Empty"},
                              "responseParameters": {H + "X-Request-Id": True,
                                                     H + "Access-Control-Allow-Origin": False,
                                                     H + "Access-Control-Expose-Headers": False}}
    assert integrations["200"]["responseParameters"] == {
        H + "X-Request-Id": "context.requestId", H + "Access-Control-Allow-Origin": "'https://app.example.com'",
        H + "Access-Control-Expose-Headers": "'ETag'"}
    assert integrations["200"]["contentHandling"] == "CONVERT_TO_TEXT"
    assert integrations["201"]["selectionPattern"] == "created"
    assert "UpdateMethodResponse" in fake.calls and "DeleteMethodResponse" not in fake.calls
    assert all(fake.valid), "a header was mapped before it was declared"


def test_a_failure_at_any_call_leaves_the_method_as_it_was() -> None:
    calls = len(run(None).calls)
    assert calls >= 6
    before = FakeResponses(METHOD_RESPONSES, INTEGRATION_RESPONSES).snapshot()
    for index in range(calls):
        fake = FakeResponses(METHOD_RESPONSES, INTEGRATION_RESPONSES, fail_at=index)
        with pytest.raises(ClientError, match="injected failure"):
            ResponseWriter(fake, TARGET).apply(the_change().changes)
        assert fake.snapshot() == before, f"call {index} ({fake.calls[index]}) left the method changed"
        assert all(fake.valid), f"call {index}: a response was left mapping an undeclared header"


# --- moto: Put overwrites, and the same guarantee holds ---------------------------------------------

WRITES = ("PutMethodResponse", "PutIntegrationResponse", "UpdateMethodResponse", "UpdateIntegrationResponse",
          "DeleteMethodResponse")


def _users_methods(client: Any, api_id: str) -> dict[str, Any]:
    items = next(r for r in client.get_resources(restApiId=api_id, embed=["methods"])["items"]
                 if r["path"] == "/items")
    return {name: items["resourceMethods"][name] for name in ("GET", "POST")}


def _write_users_methods(fail_at: int | None) -> tuple[list[str], dict[str, Any], dict[str, Any]]:
    """On a fresh moto API: the writes corsdeploy makes to users' methods for CORS, failing write
    `fail_at`; returns the writes seen and the users' methods before and after."""
    with mock_aws():
        client = boto3.client("apigateway", region_name="eu-west-1")
        api_id = build_api(client)
        clients = Clients(AwsSettings(region="eu-west-1"))
        seen: list[str] = []

        def inject(model: Any, **_: Any) -> None:
            if model.name in WRITES:
                seen.append(model.name)
                if len(seen) - 1 == fail_at:
                    # A refusal: a transient failure (InternalFailure) would be retried and succeed.
                    error = {"Error": {"Code": "BadRequestException", "Message": "injected"}}
                    raise ClientError(error, model.name)  # type: ignore[arg-type]

        clients.client("apigateway").meta.events.register("before-call.apigateway", inject)
        resource = rest(CORS, resources=["/items"], gateway_responses=[])
        provider = RestApiProvider(clients)
        before = _users_methods(client, api_id)
        ops = [op for op in operations(resource, provider.read(resource).handle)
               if isinstance(op, UpdateResponses)]
        try:
            provider._execute(resource, api_id, list(ops))
        except AwsError:
            assert fail_at is not None
        return seen, before, _users_methods(client, api_id)


def test_on_moto_a_failure_at_any_write_leaves_users_methods_as_they_were() -> None:
    seen, before, changed = _write_users_methods(None)
    assert changed != before and "UpdateMethodResponse" not in seen  # moto's Put overwrites
    for index in range(len(seen)):
        _, was, after = _write_users_methods(index)
        assert was == before
        for name in was:  # each method: untouched, or (written before the failure) as asked
            assert after[name] in (was[name], changed[name]), f"write {index} ({seen[index]}) broke {name}"
        assert after != changed
