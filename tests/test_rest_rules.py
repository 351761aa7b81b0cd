"""Issue 6's REST rules on typed state (pure): binary-safe preflights, deployments by others, the
several-origins template form, warnings that know a backend already sends the header, '*' alone."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from corsdeploy.errors import PlanError
from corsdeploy.model import frozen
from corsdeploy.providers.rest_api.wire import method_shape, parse_resource
from corsdeploy.services.rest_api import desired_view, live_from_state
from corsdeploy.services.rest_api.pattern import preflight_method, the_rule
from corsdeploy.services.rest_api.reconcile import ReplacePreflight, operations
from corsdeploy.services.rest_api.state import Deployment, RestApiState
from corsdeploy.services.rest_api.template import OLD_FORM_VIEW_PREFIX
from corsdeploy.services.rest_api.view import DRIFT_KEY, deployment_description, live_view, normalize_view
from tests.rest_support import rest

ONE = {"AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET"]}
TWO = {"AllowOrigins": ["https://app.example.com", "https://admin.example.com"], "AllowMethods": ["GET"]}
T0 = 1_700_000_000
# The template corsdeploy deployed before issue 6: `.contains()` on a Velocity list literal.
OLD_TEMPLATE = "\n".join([
    "## corsdeploy: echo the request's Origin only when it equals one of these exactly",
    "#set($allowed = ['https://app.example.com', 'https://admin.example.com'])",
    '#if("$!origin" == "")', "#set($origin = $input.params().header.get('Origin'))", "#end",
    '#if("$!origin" == "")', "#set($origin = $input.params().header.get('origin'))", "#end",
    '#if($allowed.contains("$!origin"))',
    "#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)", "#end", "",
])


def api(cors: Mapping[str, Any], options: Mapping[str, Any] | None = None,
        methods: Mapping[str, Any] | None = None, deployments: tuple[Deployment, ...] = (),
        serving: str | None = None) -> RestApiState:
    """/items with corsdeploy's preflight for `cors` (or `options`, in GetMethod's shape) and `methods`."""
    rule = the_rule(rest(cors, gateway_responses=[]))
    assert rule is not None
    raw = dict(methods or {})
    raw["OPTIONS"] = dict(options) if options is not None else method_shape(preflight_method(rule))
    items = parse_resource({"id": "items", "path": "/items", "resourceMethods": raw})
    return RestApiState("api1", "prod", (items,), frozen(), serving, deployments)


def digest_of(state: RestApiState, cors: Mapping[str, Any]) -> str:
    return deployment_description(live_view(rest(cors, gateway_responses=[]), state))


# --- item 6: contentHandling ---------------------------------------------------------------------


def test_the_preflight_converts_to_text_so_binary_media_types_do_not_break_it() -> None:
    rule = the_rule(rest(ONE))
    assert rule is not None
    integration = preflight_method(rule).integration
    assert integration is not None and integration.content_handling == "CONVERT_TO_TEXT"


def test_a_preflight_without_content_handling_is_drift_and_rebuilt() -> None:
    rule = the_rule(rest(ONE))
    assert rule is not None
    old = method_shape(preflight_method(rule))
    del old["methodIntegration"]["contentHandling"]
    resource = rest(ONE, gateway_responses=[])
    state = api(ONE, options=old)
    view = live_view(resource, state)
    assert view is not None
    assert "contentHandling is None" in view["resources"]["/items"]["preflight"][DRIFT_KEY]
    assert normalize_view(view) != normalize_view(desired_view(resource, state))
    (op,) = operations(resource, state)
    assert isinstance(op, ReplacePreflight) and op.existing and op.method == preflight_method(rule)


# --- item 7: deployments by others ---------------------------------------------------------------


def _status(cors: Mapping[str, Any], deployments: tuple[Deployment, ...], serving: str | None) -> str:
    state = api(cors, deployments=deployments, serving=serving)
    view = live_view(rest(cors, gateway_responses=[]), state)
    assert view is not None
    return str(view["deployment"])


def _ours(deployment_id: str, created: int, cors: Mapping[str, Any] = ONE) -> Deployment:
    return Deployment(deployment_id, digest_of(api(cors), cors), created)


@pytest.mark.parametrize(("serving", "created", "expected"), [
    ("mine", T0, "current"),          # corsdeploy's own deployment of this draft
    ("pipeline", T0 + 60, "current"),  # a pipeline deployed after corsdeploy: same draft, same CORS
    ("pipeline", T0, "current"),       # in the same second: whole seconds, "at or after"
    ("pipeline", T0 - 1, "pending"),   # the stage serves a snapshot older than corsdeploy's change
])
def test_the_stage_is_current_when_it_serves_our_newest_deployment_or_a_later_one(
    serving: str, created: int, expected: str,
) -> None:
    pipeline = Deployment("pipeline", "release 9", created)
    deployments = (_ours("old", T0 - 3600, TWO), _ours("mine", T0), pipeline)
    assert _status(ONE, deployments, serving) == expected


def test_the_newest_matching_deployment_is_the_reference() -> None:
    deployments = (_ours("first", T0), _ours("again", T0 + 100), Deployment("pipeline", "release", T0 + 50))
    assert _status(ONE, deployments, "pipeline") == "pending"
    assert _status(ONE, deployments, "first") == "pending"
    assert _status(ONE, deployments, "again") == "current"


def test_without_a_deployment_of_this_draft_the_stage_is_pending() -> None:
    """corsdeploy changed the draft (other origins) and was stopped before deploying."""
    deployments = (_ours("old", T0, TWO), Deployment("pipeline", "release", T0 + 60))
    assert _status(ONE, deployments, "pipeline") == "pending"
    assert _status(ONE, (), None) == "pending"


def test_a_newer_deployment_of_other_cors_means_the_draft_changed_since() -> None:
    """corsdeploy deployed ONE, then TWO, then put ONE back in the draft and failed to deploy: the
    stage serves TWO, a deployment newer than ONE's, yet older than corsdeploy's last change."""
    deployments = (_ours("one", T0), _ours("two", T0 + 100, TWO))
    assert _status(ONE, deployments, "two") == "pending"
    assert _status(ONE, (*deployments, Deployment("pipeline", "release", T0 + 200)), "pipeline") == "pending"
    assert _status(ONE, (*deployments, _ours("one-again", T0 + 200)), "one-again") == "current"


def test_in_one_second_the_served_deployment_of_ours_names_its_draft() -> None:
    """Two corsdeploy deployments in one second (only on an emulator: AWS deploys once per 5 s)."""
    deployments = (_ours("one", T0), _ours("two", T0, TWO))
    assert _status(ONE, deployments, "one") == "current"
    assert _status(ONE, deployments, "two") == "pending"
    assert _status(ONE, (*deployments, Deployment("pipeline", "release", T0 + 9)), "pipeline") == "pending"


# --- item 9: the template's form ------------------------------------------------------------------


def test_an_old_form_template_is_shown_as_drift_and_replaced() -> None:
    rule = the_rule(rest(TWO))
    assert rule is not None
    old = method_shape(preflight_method(rule))
    old["methodIntegration"]["integrationResponses"]["200"]["responseTemplates"] = {
        "application/json": OLD_TEMPLATE}
    resource = rest(TWO, gateway_responses=[])
    state = api(TWO, options=old)
    view = live_view(resource, state)
    assert view is not None
    origin = view["resources"]["/items"]["preflight"]["Access-Control-Allow-Origin"]
    assert origin.startswith(OLD_FORM_VIEW_PREFIX) and "https://admin.example.com" in origin
    desired = desired_view(resource, state)
    assert desired is not None and normalize_view(view) != normalize_view(desired)
    (op,) = operations(resource, state)
    assert isinstance(op, ReplacePreflight) and op.method == preflight_method(rule)


# --- new-user 12: warnings that know better -------------------------------------------------------


def _http_get(parameters: Mapping[str, str], declared: bool = True) -> dict[str, Any]:
    return {
        "httpMethod": "GET", "authorizationType": "NONE",
        "methodResponses": {"200": {"statusCode": "200", "responseParameters":
                                    dict.fromkeys(parameters, False) if declared else {}}},
        "methodIntegration": {"type": "HTTP", "uri": "https://example.com/items", "integrationResponses": {
            "200": {"statusCode": "200", "responseParameters": dict(parameters)}}},
    }


FROM_BACKEND = {"method.response.header.Access-Control-Allow-Origin":
                "integration.response.header.Access-Control-Allow-Origin"}


def test_a_method_mapping_allow_origin_from_its_backend_needs_no_warning() -> None:
    resource = rest(TWO)
    assert live_from_state(resource, api(TWO, methods={"GET": _http_get(FROM_BACKEND)})).warnings == ()
    undeclared = live_from_state(resource, api(TWO, methods={"GET": _http_get(FROM_BACKEND, declared=False)}))
    assert [w.split(": ")[1] for w in undeclared.warnings] == ["GET /items"]
    bare = live_from_state(resource, api(TWO, methods={"GET": _http_get({})}))
    assert len(bare.warnings) == 1 and "several origins" in bare.warnings[0]


def test_a_single_origin_warns_only_about_proxies() -> None:
    proxy = {"httpMethod": "ANY", "methodIntegration": {"type": "AWS_PROXY"}}
    live = live_from_state(rest(ONE), api(ONE, methods={"GET": _http_get({}), "ANY": proxy}))
    assert [w.split(" uses")[0] for w in live.warnings] == ["CD303: ANY /items"]


# --- item 10: '*' alone ---------------------------------------------------------------------------


def test_the_wildcard_alone_is_static_everywhere() -> None:
    cors = {"AllowOrigins": ["*"], "AllowMethods": ["GET"], "ExposeHeaders": ["ETag"]}
    resource = rest(cors)
    state = api(cors, methods={"GET": _http_get({})})
    desired = desired_view(resource, state)
    assert desired is not None
    assert desired["resources"]["/items"]["preflight"]["Access-Control-Allow-Origin"] == "'*'"
    assert desired["resources"]["/items"]["methods"]["GET"]["Access-Control-Allow-Origin"] == "'*'"
    assert desired["gateway_responses"]["DEFAULT_4XX"] == {
        "Access-Control-Allow-Origin": "'*'", "Access-Control-Expose-Headers": "'ETag'"}
    rule = the_rule(resource)
    assert rule is not None
    integration = preflight_method(rule).integration
    assert integration is not None and not integration.responses["200"].templates
    assert live_from_state(resource, state).warnings == ()


def test_the_wildcard_with_credentials_is_refused() -> None:
    with pytest.raises(PlanError, match="'\\*'"):
        the_rule(rest({"AllowOrigins": ["*"], "AllowMethods": ["GET"], "AllowCredentials": True}))

