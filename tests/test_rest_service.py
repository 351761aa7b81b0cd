"""The pure REST API service: desired shape, views of odd live states, normalization and the digest."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from corsdeploy.errors import PlanError
from corsdeploy.model import Kind, Location, Resource, frozen
from corsdeploy.providers.rest_api.wire import parse_resource
from corsdeploy.services.rest_api import desired_view, live_from_state
from corsdeploy.services.rest_api.pattern import PREFLIGHT_OPERATION
from corsdeploy.services.rest_api.reconcile import UpdateResponses, operations
from corsdeploy.services.rest_api.state import Deployment, RestApiState
from corsdeploy.services.rest_api.view import (
    DRIFT_KEY,
    MIXED_PREFIX,
    deployment_description,
    live_view,
    normalize_view,
    state_digest,
)
from corsdeploy.shapes import rule_from_cors

ORIGIN = "https://app.example.com"


def rest(cors: Mapping[str, Any] | None, **settings: Any) -> Resource:
    return Resource(Kind.REST_API, "legacy", None if cors is None else rule_from_cors(cors),
                    Location("environments/test.yaml", 3, 3), frozen({"stage": "prod", **settings}))


def response(status: str, parameters: Mapping[str, str]) -> dict[str, Any]:
    return {"statusCode": status, "responseParameters": dict(parameters)}


def user_method(statuses: Mapping[str, Mapping[str, str]], integration_type: str = "HTTP") -> dict[str, Any]:
    """A user's method whose 2xx statuses map `statuses` (declared in its method responses)."""
    return {
        "httpMethod": "GET", "authorizationType": "NONE",
        "methodResponses": {s: {"statusCode": s, "responseParameters": dict.fromkeys(p, False)}
                            for s, p in statuses.items()},
        "methodIntegration": {"type": integration_type,
                              "integrationResponses": {s: response(s, p) for s, p in statuses.items()}},
    }


def state(methods: Mapping[str, Mapping[str, Any]], description: str | None = None) -> RestApiState:
    """An API with / and /items (holding `methods`, in GetResources' shape), its stage serving one
    deployment described `description` (none when None)."""
    deployments = () if description is None else (Deployment("dep1", description, 1_700_000_000),)
    return RestApiState(api_id="api1", stage="prod", resources=(
        parse_resource({"id": "root", "path": "/"}),
        parse_resource({"id": "items", "path": "/items", "resourceMethods": dict(methods)}),
    ), gateway_responses={}, stage_deployment="dep1" if description else None, deployments=deployments)


def test_methods_whose_statuses_differ_show_it_and_are_rewritten_per_status() -> None:
    acao = {"method.response.header.Access-Control-Allow-Origin": f"'{ORIGIN}'"}
    live = state({"GET": user_method({"200": acao, "201": {}})})
    resource = rest({"AllowOrigins": [ORIGIN], "AllowMethods": ["GET"]}, gateway_responses=[])
    view = live_view(resource, live)
    assert view is not None
    get = view["resources"]["/items"]["methods"]["GET"]
    assert get["Access-Control-Allow-Origin"].startswith(MIXED_PREFIX)
    desired = desired_view(resource, live)
    assert desired is not None and normalize_view(view) != normalize_view(desired)
    (rewritten,) = [op for op in operations(resource, live) if isinstance(op, UpdateResponses)]
    assert [change.status for change in rewritten.changes] == ["201"]
    assert rewritten.changes[0].after.integration_response.parameters == acao


def test_proxy_methods_and_methods_without_2xx_are_left_to_the_backend() -> None:
    live = state({"ANY": user_method({"200": {}}, "AWS_PROXY"), "GET": user_method({"400": {}})})
    resource = rest({"AllowOrigins": [ORIGIN], "AllowMethods": ["GET"]})
    desired = desired_view(resource, live)
    assert desired is not None and desired["resources"]["/items"]["methods"] == {}
    warnings = live_from_state(resource, live).warnings
    assert any(w.startswith("CD303: ANY /items uses a AWS_PROXY integration") for w in warnings)


def test_a_preflight_changed_by_hand_shows_the_drift() -> None:
    options = {
        "httpMethod": "OPTIONS", "operationName": PREFLIGHT_OPERATION, "authorizationType": "AWS_IAM",
        "apiKeyRequired": False,
        "methodResponses": {"200": {"statusCode": "200", "responseParameters": {}}},
        "methodIntegration": {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'},
                              "integrationResponses": {"200": response("200", {
                                  "method.response.header.Access-Control-Allow-Origin": f"'{ORIGIN}'"})}},
    }
    view = live_view(rest(None), state({"OPTIONS": options}))
    assert view is not None
    drift = view["resources"]["/items"]["preflight"][DRIFT_KEY]
    assert "authorizationType is 'AWS_IAM'" in drift
    assert "Access-Control-Allow-Origin not declared" in drift


@pytest.mark.parametrize("origin", ["https://app.example.com'", "https://a b.example.com", "https://x\\y"])
def test_values_that_would_break_quoting_are_plan_errors(origin: str) -> None:
    with pytest.raises(PlanError, match="quotes, backslashes or spaces"):
        desired_view(rest({"AllowOrigins": [origin, ORIGIN], "AllowMethods": ["GET"]}), state({}))


def test_gateway_responses_never_reflect_any_origin_with_credentials() -> None:
    cors = {"AllowOrigins": [ORIGIN, "https://admin.example.com"], "AllowMethods": ["GET"],
            "AllowCredentials": True}
    with pytest.raises(PlanError, match="gateway_responses: \\[\\]"):
        desired_view(rest(cors), state({}))
    desired = desired_view(rest(cors, gateway_responses=[]), state({}))
    assert desired is not None and desired["gateway_responses"] == {}


def test_several_origins_without_credentials_reflect_origin_on_gateway_responses() -> None:
    cors = {"AllowOrigins": [ORIGIN, "https://admin.example.com"], "AllowMethods": ["GET"]}
    desired = desired_view(rest(cors), state({}))
    assert desired is not None
    assert desired["gateway_responses"]["DEFAULT_4XX"] == {
        "Access-Control-Allow-Origin": "method.request.header.origin", "Vary": "'Origin'",
    }


def test_the_wildcard_origin_is_a_static_value_without_vary() -> None:
    desired = desired_view(rest({"AllowOrigins": ["*"], "AllowMethods": ["GET"]}), state({}))
    assert desired is not None
    preflight = desired["resources"]["/"]["preflight"]
    assert preflight["Access-Control-Allow-Origin"] == "'*'" and "Vary" not in preflight


def test_the_digest_covers_the_state_and_nothing_else() -> None:
    cors = {"AllowOrigins": [ORIGIN], "AllowMethods": ["GET"]}
    desired = desired_view(rest(cors), state({}))
    assert desired is not None
    pending = {**desired, "deployment": "pending", "Cors": None}
    assert state_digest(pending) == state_digest(desired)
    other = desired_view(rest({**cors, "MaxAge": 5}), state({}))
    assert state_digest(other) != state_digest(desired)
    assert deployment_description(desired).startswith("corsdeploy ")


def test_a_stage_deployed_by_corsdeploy_with_the_same_state_is_current() -> None:
    acao = {"method.response.header.Access-Control-Allow-Origin": f"'{ORIGIN}'"}
    resource = rest({"AllowOrigins": [ORIGIN], "AllowMethods": ["GET"]}, gateway_responses=[])
    first = live_view(resource, state({"GET": user_method({"200": acao})}))
    assert first is not None and first["deployment"] == "pending"
    again = live_view(resource, state({"GET": user_method({"200": acao})}, deployment_description(first)))
    assert again is not None and again["deployment"] == "current"
