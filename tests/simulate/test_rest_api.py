"""What API Gateway sends a browser on a REST API (facts §2), from what corsdeploy would write and
from live state: the OPTIONS method run as API Gateway runs it, the several-origins template
evaluated with a Velocity engine, gateway responses where API Gateway answers itself."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import boto3
import pytest
from moto import mock_aws

from corsdeploy.aws import Clients
from corsdeploy.errors import CorsdeployError
from corsdeploy.model import AwsSettings, CorsRule, Live, Resource, frozen
from corsdeploy.providers.rest_api import RestApiProvider
from corsdeploy.services.rest_api import SERVICE
from corsdeploy.services.rest_api.pattern import (
    GATEWAY_HEADER,
    METHOD_HEADER,
    gateway_headers,
    preflight_method,
    the_rule,
)
from corsdeploy.services.rest_api.state import (
    GatewayResponse,
    Integration,
    IntegrationResponse,
    Method,
    MethodResponse,
    RestApiState,
    RestResource,
)
from corsdeploy.services.rest_api.template import preflight_template
from corsdeploy.simulate import assumptions
from corsdeploy.simulate.request import BrowserRequest, ServiceAnswer
from corsdeploy.simulate.rest_api import answer
from tests.rest_support import build_api, rest
from tests.test_rest_template import ATTACKS, ORIGINS

APP = ORIGINS[0]
EVIL = "https://evil.example.net"
ONE = {"AllowOrigins": [APP], "AllowMethods": ["GET", "POST"], "AllowHeaders": ["Content-Type", "X-Api-Key"],
       "ExposeHeaders": ["X-Request-Id"], "MaxAge": 600}
SEVERAL = {**ONE, "AllowOrigins": list(ORIGINS)}
ANY_ORIGIN = {**ONE, "AllowOrigins": ["*"]}
CREDENTIALED = {**ONE, "AllowCredentials": True}
NO_MAX_AGE = {k: v for k, v in ONE.items() if k != "MaxAge"}

ACAO = "Access-Control-Allow-Origin"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACAC = "Access-Control-Allow-Credentials"
ACEH = "Access-Control-Expose-Headers"
MAX_AGE = "Access-Control-Max-Age"
VARY = "Vary"
# corsdeploy's preflight for ONE, as facts §2.2 says API Gateway sends static values: without quotes.
ONE_PREFLIGHT = {ACAO: APP, ACAM: "GET,POST", ACAH: "Content-Type,X-Api-Key", MAX_AGE: "600"}


def without(headers: Mapping[str, str], name: str) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k != name}


def rule_of(cors: Mapping[str, Any]) -> CorsRule:
    rule = the_rule(rest(cors))
    assert rule is not None
    return rule


def preflight(origin: str | None = APP, method: str = "POST", *headers: str, path: str | None = None,
              credentials: bool = False) -> BrowserRequest:
    return BrowserRequest(origin, method, headers, preflight=True, credentials=credentials, path=path)


def actual(origin: str | None = APP, method: str = "GET", path: str | None = None) -> BrowserRequest:
    return BrowserRequest(origin, method, preflight=False, path=path)


# --- desired: what corsdeploy would write ---------------------------------------------------------

DESIRED = [
    # (facts, cors, request, status, headers)
    ("§2.1 one origin: the OPTIONS method's static headers, unquoted",
     ONE, preflight(APP, "POST", "Content-Type"), 200, ONE_PREFLIGHT),
    ("§2.1 a MOCK answers statically: another Origin gets the same headers",
     ONE, preflight(EVIL, "POST", "Content-Type"), 200, ONE_PREFLIGHT),
    ("§2.1 ... and so does a method or a header the rule does not allow",
     ONE, preflight(APP, "DELETE", "X-Other"), 200, ONE_PREFLIGHT),
    ("§2.1 ... and a request without Origin",
     ONE, preflight(None), 200, ONE_PREFLIGHT),
    ("§2.1 the console's default '*'", ANY_ORIGIN, preflight(EVIL), 200, {**ONE_PREFLIGHT, ACAO: "*"}),
    ("§2.4 credentials: 'true' only when asked",
     CREDENTIALED, preflight(APP, credentials=True), 200, {**ONE_PREFLIGHT, ACAC: "true"}),
    ("Max-Age only when set", NO_MAX_AGE, preflight(APP), 200, without(ONE_PREFLIGHT, MAX_AGE)),
    ("§2.4 several origins: the template echoes a listed Origin, Vary: Origin",
     SEVERAL, preflight(ORIGINS[1]), 200, {**ONE_PREFLIGHT, ACAO: ORIGINS[1], VARY: "Origin"}),
    ("§2.4 several origins: an Origin not listed gets no Allow-Origin",
     SEVERAL, preflight(EVIL), 200, {**without(ONE_PREFLIGHT, ACAO), VARY: "Origin"}),
    ("§2.1 actual request: the Allow-Origin and Expose-Headers corsdeploy adds to 2xx responses",
     ONE, actual(APP), 200, {ACAO: APP, ACEH: "X-Request-Id"}),
    ("§2.1 actual request, credentials",
     CREDENTIALED, actual(APP), 200, {ACAO: APP, ACAC: "true", ACEH: "X-Request-Id"}),
    ("§2.4 actual request, several origins: one static value cannot answer them, so none",
     SEVERAL, actual(ORIGINS[1]), 200, {ACEH: "X-Request-Id"}),
    ("§2.3 no CORS: no OPTIONS method, API Gateway's own 403 without CORS headers",
     None, preflight(APP), 403, {}),
    ("no CORS: an actual request gets nothing from corsdeploy", None, actual(APP), 200, {}),
]


@pytest.mark.parametrize(("cors", "request_", "status", "headers"), [case[1:] for case in DESIRED],
                         ids=[case[0] for case in DESIRED])
def test_desired(cors: Mapping[str, Any] | None, request_: BrowserRequest, status: int,
                 headers: Mapping[str, str]) -> None:
    got = answer(rest(cors), request_, None)
    assert (got.status, dict(got.headers)) == (status, headers)
    assert got.matched_rule is None and got.reason and got.steps


@pytest.mark.parametrize("origin", ORIGINS)
def test_each_listed_origin_is_echoed_exactly(origin: str) -> None:
    got = answer(rest(SEVERAL), preflight(origin), None)
    assert got.headers[ACAO] == origin
    assert any("sets Access-Control-Allow-Origin" in step for step in got.steps)


@pytest.mark.parametrize("origin", ATTACKS)
def test_look_alikes_of_listed_origins_get_no_allow_origin(origin: str) -> None:
    got = answer(rest(SEVERAL), preflight(origin), None)
    assert ACAO not in got.headers
    assert "no Access-Control-Allow-Origin" in got.reason
    assert any("sets no header" in step for step in got.steps)


def test_the_preflight_reason_says_the_mock_answers_whatever_the_request() -> None:
    got = answer(rest(ONE), preflight(EVIL, "DELETE"), None)
    assert "MOCK" in got.reason and "whatever" in got.reason
    assert any("statusCode 200" in step for step in got.steps)
    assert any(f"{ACAO}: '{APP}' (static)" in step for step in got.steps)


def test_several_origins_on_actual_responses_leave_it_to_the_backend() -> None:
    got = answer(rest(SEVERAL), actual(APP), None)
    assert "must come from the backend" in got.reason and "several origins" in got.reason
    assert "REST_BACKEND_STATUS" in got.reason


def test_a_listed_resource_and_a_concrete_path_below_it() -> None:
    resource = rest(ONE, resources=["/items", "/items/{id}"])
    assert answer(resource, preflight(path="/items/42"), None).steps[0].endswith("/items/{id}")
    assert answer(resource, preflight(), None).steps[0].endswith("/items")


def test_a_path_the_entry_does_not_manage_is_an_error_naming_the_managed_ones() -> None:
    with pytest.raises(CorsdeployError) as error:
        answer(rest(ONE, resources=["/items", "/users"]), preflight(path="/orders"), None)
    assert "/orders" in str(error.value) and "/items, /users" in str(error.value)
    assert str(error.value).startswith("environments/test.yaml:3:3: rest_api.legacy:")


def test_the_desired_answer_is_the_written_method_run() -> None:
    """A quoting bug in what corsdeploy writes shows up: the answer comes from preflight_method."""
    written = preflight_method(rule_of(ONE)).integration
    assert written is not None
    parameters = written.responses["200"].parameters
    assert {k.removeprefix(METHOD_HEADER): v.strip("'") for k, v in parameters.items()} == ONE_PREFLIGHT


# --- live: read from moto after corsdeploy's write ------------------------------------------------


def applied(cors: Mapping[str, Any] | None, **settings: Any) -> tuple[Resource, Live]:
    """An API built on moto, corsdeploy's write applied when `cors` is given, read back (with the
    file's CORS in the returned entry either way)."""
    resource = rest(cors or ONE, **settings)
    with mock_aws():
        build_api(boto3.client("apigateway", region_name="eu-west-1"))
        provider = RestApiProvider(Clients(AwsSettings(region="eu-west-1")))
        live = provider.read(resource)
        if cors is not None:  # corsdeploy's write
            provider.write(resource, live, SERVICE.desired(resource, live))
            live = provider.read(resource)
    return resource, live


@pytest.fixture(scope="module")
def several_live() -> tuple[Resource, Live]:
    return applied(SEVERAL)


@pytest.fixture(scope="module")
def one_live() -> tuple[Resource, Live]:
    return applied(ONE)


def test_live_several_origins_echo_exactly_what_is_listed(several_live: tuple[Resource, Live]) -> None:
    resource, live = several_live
    for origin in ORIGINS:
        got = answer(resource, preflight(origin, path="/items"), live)
        assert (got.status, got.headers.get(ACAO)) == (200, origin)
    for origin in ATTACKS:
        got = answer(resource, preflight(origin, path="/items"), live)
        assert got.status == 200 and ACAO not in got.headers, origin
    assert "draft" in got.steps[0]


def test_live_answers_equal_the_desired_ones_after_apply(several_live: tuple[Resource, Live],
                                                        one_live: tuple[Resource, Live]) -> None:
    for resource, live in (several_live, one_live):
        for request in (preflight(APP, path="/items"), preflight(EVIL, path="/items"),
                        actual(ORIGINS[1], path="/items")):
            got, want = answer(resource, request, live), answer(resource, request, None)
            assert (got.status, dict(got.headers)) == (want.status, dict(want.headers))


def test_live_actual_request_on_a_mock_method(one_live: tuple[Resource, Live]) -> None:
    resource, live = one_live
    got = answer(resource, actual(APP, "GET", path="/items"), live)
    assert (got.status, dict(got.headers)) == (200, {ACAO: APP, ACEH: "X-Request-Id"})
    assert any("integration response 200" in step for step in got.steps)


def test_live_proxy_integration_leaves_everything_to_the_backend(one_live: tuple[Resource, Live]) -> None:
    resource, live = one_live
    got = answer(resource, actual(APP, "GET", path="/anything/else"), live)
    assert got.status == assumptions.REST_BACKEND_STATUS and dict(got.headers) == {}
    assert "HTTP_PROXY" in got.reason and "backend decides" in got.reason
    assert any("its ANY method takes the request" in step for step in got.steps)


def test_live_concrete_path_routes_to_the_template_resource(one_live: tuple[Resource, Live]) -> None:
    resource, live = one_live
    got = answer(resource, preflight(path="/items/42"), live)
    assert got.steps[0].endswith("resource /items/{id}") and got.headers[ACAO] == APP


def test_live_path_not_managed_is_an_error_naming_the_managed_ones() -> None:
    resource, live = applied(ONE, resources=["/items"])
    with pytest.raises(CorsdeployError) as error:
        answer(resource, preflight(path="/items/7"), live)
    assert "lands on /items/{id}" in str(error.value) and "managed: /items" in str(error.value)
    assert answer(resource, preflight(), live).steps[0].endswith("resource /items")  # the default


def test_live_resource_without_options_is_api_gateways_403() -> None:
    resource, live = applied(None)
    got = answer(resource, preflight(APP, path="/items"), live)
    assert (got.status, dict(got.headers)) == (403, {})
    assert "MISSING_AUTHENTICATION_TOKEN" in got.reason and "no CORS headers" in got.reason


# --- live: hand-built state for what corsdeploy never writes ------------------------------------


def state_with(options: Method | None, gateway: Mapping[str, GatewayResponse] | None = None,
               **methods: Method) -> Live:
    """A live API with one resource /items holding `options` (and `methods`), and `gateway`."""
    held = {**methods, **({"OPTIONS": options} if options else {})}
    state = RestApiState("abc123", "prod", (RestResource("r1", "/items", frozen(held)),),
                         frozen(gateway or {}))
    return Live("rest_api.legacy", None, state)


def corsdeploys_preflight(cors: Mapping[str, Any]) -> Method:
    return preflight_method(rule_of(cors))


def with_response(method: Method, **changes: Any) -> Method:
    """`method` with its integration response 200 changed."""
    assert method.integration is not None
    response = replace(method.integration.responses["200"], **changes)
    return replace(method, integration=replace(method.integration, responses=frozen({"200": response})))


def gateway(response_type: str, headers: Mapping[str, str], status: str | None = None) -> GatewayResponse:
    return GatewayResponse(response_type, status, frozen({GATEWAY_HEADER + k: v for k, v in headers.items()}),
                           default=False)


def ask(live: Live, request: BrowserRequest, cors: Mapping[str, Any] | None = ONE) -> ServiceAnswer:
    return answer(rest(cors), replace(request, path="/items"), live)


def test_a_hand_edited_template_is_run_as_it_is() -> None:
    """The edit from test_rest_template (`==` turned into `!=`) now echoes every other Origin."""
    edited = preflight_template(ORIGINS).replace("$origin == 'https://app", "$origin != 'https://app")
    options = with_response(corsdeploys_preflight(SEVERAL), templates=frozen({"application/json": edited}))
    assert ask(state_with(options), preflight(EVIL)).headers[ACAO] == EVIL
    got = ask(state_with(options), preflight(ORIGINS[1]))
    assert got.headers[ACAO] == ORIGINS[1]
    assert any("not written by corsdeploy" in step for step in got.steps)


def test_a_template_reading_one_spelling_of_origin_depends_on_the_http_version() -> None:
    """API Gateway passes header names as received: `origin` over HTTP/2, `Origin` over HTTP/1.1."""
    template = (f"#set($o = $input.params().header.get('origin'))\n#if($o == '{APP}')\n"
                f"#set($context.responseOverride.header.{ACAO} = $o)\n#end\n")
    options = with_response(corsdeploys_preflight(SEVERAL), templates=frozen({"application/json": template}))
    got = ask(state_with(options), preflight(APP))
    assert assumptions.REST_BROWSER_PROTOCOL == "HTTP/2"  # the premise: answers are for HTTP/2
    assert got.headers[ACAO] == APP
    assert "REST_BROWSER_PROTOCOL" in got.reason
    assert any(step.startswith("over HTTP/1.1") and "Allow-Origin" not in step for step in got.steps)


def test_a_header_overridden_twice_is_api_gateways_5xx() -> None:
    """"Overrides are final ... API Gateway returns a 5XX response" (AWS override documentation)."""
    twice = "#set($context.responseOverride.header.Vary = 'Origin')\n" * 2
    options = with_response(corsdeploys_preflight(ONE), templates=frozen({"application/json": twice}))
    five = {"DEFAULT_5XX": gateway("DEFAULT_5XX", {ACAO: "method.request.header.origin"})}
    got = ask(state_with(options, five), preflight(EVIL))
    assert (got.status, dict(got.headers)) == (500, {ACAO: EVIL})
    assert assumptions.REST_MAPPING_FAILURE in got.reason and "REST_MAPPING_FAILURE" in got.reason
    assert "reflects the request's Origin" in got.reason


@pytest.mark.parametrize("broken", ["#if($x", "#foreach($a in 3)x#end"])
def test_a_template_that_does_not_evaluate_is_a_500(broken: str) -> None:
    options = with_response(corsdeploys_preflight(ONE), templates=frozen({"application/json": broken}))
    got = ask(state_with(options), preflight(APP))
    assert (got.status, dict(got.headers)) == (500, {})


def test_a_mock_without_request_template_answers_500() -> None:
    """facts §2.2: without a request template the MOCK OPTIONS returned "Internal server error"."""
    options = corsdeploys_preflight(ONE)
    assert options.integration is not None
    bare = replace(options, integration=replace(options.integration, request_templates=frozen()))
    got = ask(state_with(bare), preflight(APP))
    assert got.status == 500 and ACAO not in got.headers
    assert any("no application/json request template" in step for step in got.steps)


def test_the_template_may_override_the_status() -> None:
    options = with_response(corsdeploys_preflight(ONE), templates=frozen(
        {"application/json": "#set($context.responseOverride.status = 204)\n"}))
    got = ask(state_with(options), preflight(APP))
    assert got.status == 204 and got.headers[ACAO] == APP


def test_the_mock_status_selects_the_integration_response() -> None:
    options = corsdeploys_preflight(ONE)
    assert options.integration is not None
    ok = options.integration.responses["200"]
    failing = IntegrationResponse("500", selection_pattern="5\\d\\d")
    integration = replace(options.integration, responses=frozen({"200": ok, "500": failing}))
    method = replace(options, integration=integration,
                     responses=frozen({**options.responses, "500": MethodResponse("500")}))
    assert ask(state_with(method), preflight(APP)).status == 200
    erroring = replace(method, integration=replace(integration, request_templates=frozen(
        {"application/json": '{"statusCode": 503}'})))
    got = ask(state_with(erroring), preflight(APP))
    assert (got.status, dict(got.headers)) == (500, {})
    assert any("selection pattern '5\\\\d\\\\d'" in step for step in got.steps)


def test_a_mapped_header_the_method_response_does_not_declare_is_not_sent() -> None:
    options = corsdeploys_preflight(ONE)
    undeclared = replace(options, responses=frozen({"200": MethodResponse("200", frozen(
        {METHOD_HEADER + ACAM: False}))}))
    got = ask(state_with(undeclared), preflight(APP))
    assert dict(got.headers) == {ACAM: "GET,POST"}
    assert any("not declared" in step for step in got.steps)


@pytest.mark.parametrize(("authorization", "api_key", "status", "response_type"), [
    ("CUSTOM", False, 401, "UNAUTHORIZED"),
    ("COGNITO_USER_POOLS", False, 401, "UNAUTHORIZED"),
    ("AWS_IAM", False, 403, "MISSING_AUTHENTICATION_TOKEN"),
    ("NONE", True, 403, "INVALID_API_KEY"),
])
def test_an_options_method_needing_credentials_refuses_every_preflight(
        authorization: str, api_key: bool, status: int, response_type: str) -> None:
    options = replace(corsdeploys_preflight(ONE), authorization_type=authorization, api_key_required=api_key)
    four = {"DEFAULT_4XX": gateway("DEFAULT_4XX", {ACAO: f"'{APP}'"})}
    got = ask(state_with(options, four), preflight(APP))
    assert (got.status, dict(got.headers)) == (status, {ACAO: APP})
    assert response_type in got.reason and "REST_PREFLIGHT_REFUSED_BY" in got.reason


def test_an_actual_request_to_an_authorized_method_is_assumed_authorized() -> None:
    answered = IntegrationResponse("200", frozen({METHOD_HEADER + ACAO: f"'{APP}'"}))
    get = Method("GET", "CUSTOM",
                 integration=Integration("MOCK", frozen({"application/json": '{"statusCode": 200}'}),
                                         responses=frozen({"200": answered})),
                 responses=frozen({"200": MethodResponse("200", frozen({METHOD_HEADER + ACAO: False}))}))
    got = ask(state_with(None, GET=get), actual(APP))
    assert (got.status, dict(got.headers)) == (200, {ACAO: APP})
    assert any("CUSTOM authorization: assumed to be given" in step for step in got.steps)


GATEWAY_CASES = [
    # (facts, gateway responses, origin, headers of the 403)
    ("§2.3 several origins: DEFAULT_4XX reflects any Origin",
     {"DEFAULT_4XX": gateway("DEFAULT_4XX", gateway_headers(rest(SEVERAL), rule_of(SEVERAL)))},
     EVIL, {ACAO: EVIL, VARY: "Origin", ACEH: "X-Request-Id"}),
    ("§2.3 one origin: DEFAULT_4XX's static value",
     {"DEFAULT_4XX": gateway("DEFAULT_4XX", gateway_headers(rest(ONE), rule_of(ONE)))},
     EVIL, {ACAO: APP, ACEH: "X-Request-Id"}),
    ("§2.3 a customised MISSING_AUTHENTICATION_TOKEN no longer inherits DEFAULT_4XX's headers",
     {"DEFAULT_4XX": gateway("DEFAULT_4XX", {ACAO: f"'{APP}'"}),
      "MISSING_AUTHENTICATION_TOKEN": gateway("MISSING_AUTHENTICATION_TOKEN", {"X-Other": "'1'"})},
     APP, {"X-Other": "1"}),
    ("§2.3 uncustomised gateway responses carry nothing", {}, APP, {}),
]


@pytest.mark.parametrize(("responses", "origin", "headers"), [case[1:] for case in GATEWAY_CASES],
                         ids=[case[0] for case in GATEWAY_CASES])
def test_no_options_method_gets_the_gateway_response(responses: Mapping[str, GatewayResponse], origin: str,
                                                     headers: Mapping[str, str]) -> None:
    got = ask(state_with(None, responses), preflight(origin))
    assert (got.status, dict(got.headers)) == (403, headers)
    assert "MISSING_AUTHENTICATION_TOKEN" in got.reason


def test_a_customised_status_is_the_one_sent() -> None:
    responses = {"MISSING_AUTHENTICATION_TOKEN": gateway("MISSING_AUTHENTICATION_TOKEN", {}, status="404")}
    assert ask(state_with(None, responses), preflight(APP)).status == 404


def test_an_any_method_takes_a_preflight_when_there_is_no_options() -> None:
    mock_any = replace(corsdeploys_preflight(ONE), http_method="ANY", operation_name=None)
    got = ask(state_with(None, ANY=mock_any), preflight(APP))
    assert (got.status, dict(got.headers)) == (200, ONE_PREFLIGHT)
    assert any("its ANY method takes the request" in step for step in got.steps)


def test_an_options_method_of_the_users_is_said_so() -> None:
    options = replace(corsdeploys_preflight(ONE), operation_name="mine")
    assert any("not corsdeploy's" in step for step in ask(state_with(options), preflight(APP)).steps)


def test_a_stage_behind_the_draft_is_said_so(several_live: tuple[Resource, Live]) -> None:
    resource, live = several_live
    pending = replace(live, wire={**(live.wire or {}), "deployment": "pending"})
    got = answer(resource, preflight(APP, path="/items"), pending)
    assert any("has not deployed" in step for step in got.steps)


def test_only_the_json_response_template_runs() -> None:
    other = f"#set($context.responseOverride.header.{ACAO} = 'https://other.example.com')\n"
    options = with_response(corsdeploys_preflight(ONE), templates=frozen({"text/html": other}))
    got = ask(state_with(options), preflight(APP))
    assert got.headers[ACAO] == APP and "REST_TEMPLATE_CONTENT_TYPE" in got.reason


def test_a_status_without_method_response_sends_no_mapped_header() -> None:
    options = replace(corsdeploys_preflight(ONE), responses=frozen())
    got = ask(state_with(options), preflight(APP))
    assert (got.status, dict(got.headers)) == (200, {})
    assert "REST_UNDECLARED_STATUS_SENT" in got.reason
