"""How API Gateway answers a browser on a REST API resource (facts §2), run as API Gateway runs it.

API Gateway evaluates no CORS itself: it routes the request to a method (OPTIONS for a preflight),
runs the integration (a MOCK's request template yields the status), picks the integration response
for that status, sends the headers it maps (static `'...'` values, request values) and lets the
response template override them (design note 7: the very template, run with a Velocity engine, with
`$input.params()` and `$context` bound as API Gateway binds them). Where API Gateway answers itself
(no such method, a refused preflight, a broken mapping) it sends a gateway response. The browser
then judges the headers (simulate/browser.py).

Desired (`live is None`): what corsdeploy would write (`pattern.preflight_method`, `method_headers`,
`gateway_headers`). Live: the API's draft as read (`Live.handle`, a RestApiState).
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import airspeed

from corsdeploy.errors import CorsdeployError, Problem
from corsdeploy.model import Live, Resource, frozen
from corsdeploy.services.rest_api.pattern import (
    ALLOW_ORIGIN,
    GATEWAY_HEADER,
    METHOD_HEADER,
    PROXY_INTEGRATIONS,
    gateway_headers,
    gateway_types,
    is_ours,
    is_static,
    managed_resources,
    method_headers,
    preflight_method,
    the_rule,
)
from corsdeploy.services.rest_api.reconcile import DEFAULT_GATEWAY_STATUS
from corsdeploy.services.rest_api.state import (
    GatewayResponse,
    Integration,
    IntegrationResponse,
    Method,
    MethodResponse,
    RestApiState,
)
from corsdeploy.services.rest_api.template import template_view
from corsdeploy.simulate import assumptions
from corsdeploy.simulate.request import BrowserRequest, ServiceAnswer

MISSING_ROUTE = "MISSING_AUTHENTICATION_TOKEN"
REQUEST_HEADER = "method.request.header."
# The path shown when the file manages every resource and the request names none.
EVERY_RESOURCE = "(every resource)"
# How each HTTP version spells the request headers a browser's CORS request carries.
PROTOCOLS: Mapping[str, Callable[[str], str]] = frozen({"HTTP/2": str.lower, "HTTP/1.1": str})


# --- Velocity, bound as API Gateway binds it ----------------------------------------------------


class ApiGatewayInput:
    """`$input` in a mapping template: params() is the method request's parameters."""

    def __init__(self, headers: Mapping[str, str]) -> None:
        self._params: dict[str, dict[str, str]] = {"path": {}, "querystring": {}, "header": dict(headers)}

    def params(self, name: str | None = None) -> Any:
        if name is None:
            return self._params
        # $input.params(x) searches path, then query string, then headers.
        for location in ("path", "querystring", "header"):
            if name in self._params[location]:
                return self._params[location][name]
        return ""


class _Overrides(dict[str, Any]):
    """`$context.responseOverride` and its `header` map: remembers names set more than once (API
    Gateway answers a 5XX then: "Overrides are final")."""

    def __init__(self, initial: Mapping[str, Any] | None = None) -> None:
        super().__init__(initial or {})
        self.repeated: list[str] = []

    def __setitem__(self, key: str, value: Any) -> None:
        if key in self:
            self.repeated.append(key)
        super().__setitem__(key, value)


class TemplateError(Exception):
    """A template API Gateway could not apply (it would answer with a mapping failure)."""


@dataclass(frozen=True)
class TemplateRun:
    """What a template produced: its text and the overrides it set."""

    output: str
    headers: Mapping[str, str] = field(default_factory=frozen)
    status: int | None = None


def run_template(template: str, headers: Mapping[str, str], *, http_method: str = "OPTIONS",
                 resource_path: str = "/", stage: str = "prod") -> TemplateRun:
    """Evaluate a mapping template for a request carrying `headers` (names as they arrive)."""
    header_overrides = _Overrides()
    override = _Overrides({"header": header_overrides})
    context = {
        "requestId": "simulated", "httpMethod": http_method, "resourcePath": resource_path,
        "stage": stage, "responseOverride": override,
        "requestOverride": {"header": {}, "path": {}, "querystring": {}},
    }
    namespace = {"input": ApiGatewayInput(headers), "context": context, "stageVariables": {}}
    try:
        output = airspeed.Template(template).merge(namespace)
    except airspeed.TemplateError as error:
        raise TemplateError(str(error).splitlines()[0] if str(error) else type(error).__name__) from error
    repeated = header_overrides.repeated + override.repeated
    if repeated:
        raise TemplateError(f"overrides {', '.join(sorted(set(repeated)))} more than once")
    status = override.get("status")
    try:
        return TemplateRun(output, frozen({name: str(value) for name, value in header_overrides.items()
                                           if value is not None}),
                           None if status is None else int(status))
    except (TypeError, ValueError) as error:
        raise TemplateError(f"sets the status to {status!r}") from error


# --- what is evaluated --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Site:
    """Where the request lands: the resource, the method API Gateway routes it to (None: none), and
    the gateway responses in force."""

    path: str
    method: Method | None
    gateway: Mapping[str, GatewayResponse]
    stage: str
    notes: tuple[str, ...] = ()
    # Desired actual requests: the headers corsdeploy puts on the 2xx responses of a user's method
    # (the method itself is only known live).
    users_method_headers: Mapping[str, str] | None = None
    # Why those headers hold no Access-Control-Allow-Origin, when they do not.
    users_method_note: str = ""


@dataclass
class _Trace:
    steps: list[str]
    assumed: list[str] = field(default_factory=list)

    def step(self, text: str) -> None:
        self.steps.append(text)

    def assume(self, name: str) -> None:
        if name not in self.assumed:
            self.assumed.append(name)


@dataclass(frozen=True)
class _Response:
    status: int
    headers: Mapping[str, str]
    reason: str


def answer(resource: Resource, request: BrowserRequest, live: Live | None) -> ServiceAnswer:
    """What API Gateway sends the browser for `request` on the REST API `resource`."""
    site = _desired_site(resource, request) if live is None else _live_site(resource, request, live)
    primary = assumptions.REST_BROWSER_PROTOCOL
    trace = _Trace(list(site.notes))
    response = _respond(site, request, PROTOCOLS[primary], trace)
    for protocol, spell in PROTOCOLS.items():
        if protocol == primary:
            continue
        other = _respond(site, request, spell, _Trace([]))
        if (other.status, dict(other.headers)) != (response.status, dict(response.headers)):
            trace.assume("REST_BROWSER_PROTOCOL")
            trace.step(f"over {protocol} (header names spelt {spell('Origin')!r}) API Gateway would answer "
                       f"{other.status} with {_show(other.headers)}")
    reason = response.reason
    if trace.assumed:
        reason += f" (assumes {', '.join(trace.assumed)}: see simulate/assumptions.py)"
    return ServiceAnswer(response.status, frozen(response.headers), None, reason, tuple(trace.steps))


def _desired_site(resource: Resource, request: BrowserRequest) -> _Site:
    """The file's rule as corsdeploy would write it; the rest of the API is not known."""
    rule = the_rule(resource)
    listed = resource.settings.get("resources")
    path = _pick_path(resource, request.path, None if listed is None else list(listed))
    stage = str(resource.settings.get("stage") or "")
    notes = [f"evaluating the file: what corsdeploy writes on {path}"]
    if rule is None:
        notes.append("the file removes CORS: corsdeploy deletes its OPTIONS method and its keys on methods "
                     "and gateway responses (what the API has of its own is not seen without --live)")
        if request.preflight:
            return _Site(path, None, frozen(), stage, tuple(notes))
        return _Site(path, None, frozen(), stage, tuple(notes), frozen(), "the file removes CORS")
    gateway = {t: GatewayResponse(t, parameters=frozen({GATEWAY_HEADER + k: v for k, v in
                                                         gateway_headers(resource, rule).items()}),
                                  default=False)
               for t in gateway_types(resource)}
    if request.preflight:
        return _Site(path, preflight_method(rule), frozen(gateway), stage, tuple(notes))
    several = "with several origins corsdeploy puts none there (one static value cannot answer them all)"
    return _Site(path, None, frozen(gateway), stage, tuple(notes), frozen(method_headers(rule)), several)


def _live_site(resource: Resource, request: BrowserRequest, live: Live) -> _Site:
    state: RestApiState = live.handle
    managed = [res.path for res in managed_resources(resource, state)]
    path = _pick_path(resource, request.path, managed, [res.path for res in state.resources])
    res = state.resource(path)
    methods = res.methods if res else {}
    name = "OPTIONS" if request.preflight else request.method.upper()
    method = methods.get(name) or methods.get("ANY")
    notes = [f"evaluating REST API {state.api_id}'s draft (what stage {state.stage!r} serves once deployed), "
             f"resource {path}"]
    if (live.wire or {}).get("deployment") == "pending":
        notes.append(f"stage {state.stage!r} has not deployed corsdeploy's last change yet: until then it "
                     "answers from its previous deployment")
    if method is not None and method.http_method != name:
        notes.append(f"{path} has no {name} method: its ANY method takes the request")
    if request.preflight and method is not None and method.http_method == "OPTIONS" and not is_ours(method):
        notes.append(f"OPTIONS {path} is not corsdeploy's (operationName {method.operation_name!r})")
    gateway = {t: r for t, r in state.gateway_responses.items() if not r.default}
    return _Site(path, method, frozen(gateway), state.stage, tuple(notes))


def _pick_path(resource: Resource, wanted: str | None, managed: Sequence[str] | None,
               known: Sequence[str] = ()) -> str:
    """The managed resource a request path lands on (its own path, or a concrete path its
    `{param}` / `{proxy+}` parts match, the most specific winning as API Gateway routes)."""
    if wanted is None:
        return managed[0] if managed else EVERY_RESOURCE
    if managed is None or wanted in managed:
        return wanted
    candidates = sorted({*managed, *known})
    ranked = [(rank, path) for path in candidates if (rank := _route_rank(path, wanted)) is not None]
    landed = max(ranked)[1] if ranked else None
    if landed is None or landed not in managed:
        where = f" (it lands on {landed}, which the entry does not manage)" if landed else ""
        raise CorsdeployError(Problem(
            f"{wanted} is not a resource this entry manages{where}; managed: {', '.join(managed) or 'none'}",
            location=resource.location_of("resources"), address=resource.address,
        ))
    return landed


_GREEDY = re.compile(r"\{[^}]+\+\}")


def _route_rank(template: str, path: str) -> tuple[int, ...] | None:
    """How specifically resource path `template` matches `path` (literal > {param} > {proxy+}), or None."""
    parts = [p for p in template.split("/") if p]
    segments = [s for s in path.split("/") if s]
    rank: list[int] = []
    for index, part in enumerate(parts):
        if _GREEDY.fullmatch(part):
            return (*rank, 0) if len(segments) > index else None
        if index >= len(segments):
            return None
        if part.startswith("{") and part.endswith("}"):
            rank.append(1)
        elif part == segments[index]:
            rank.append(2)
        else:
            return None
    return tuple(rank) if len(parts) == len(segments) else None


# --- API Gateway's answer -----------------------------------------------------------------------


def _request_headers(request: BrowserRequest, spell: Callable[[str], str]) -> dict[str, str]:
    """The CORS request headers as they reach API Gateway (browsers list requested headers lowercase)."""
    headers = {} if request.origin is None else {spell("Origin"): request.origin}
    if request.preflight:
        headers[spell("Access-Control-Request-Method")] = request.method
        if request.headers:
            requested = sorted({name.lower() for name in request.headers})
            headers[spell("Access-Control-Request-Headers")] = ",".join(requested)
    return headers


def _respond(site: _Site, request: BrowserRequest, spell: Callable[[str], str], trace: _Trace) -> _Response:
    headers = _request_headers(request, spell)
    method = site.method
    verb = "OPTIONS" if request.preflight else request.method.upper()
    if site.users_method_headers is not None:
        return _users_method(site, verb, site.users_method_headers, headers, trace)
    if method is None:
        trace.step(f"{site.path} has no {verb} method: API Gateway answers the request itself")
        return _gateway(site, MISSING_ROUTE, headers, trace, f"no {verb} method on {site.path}")
    if request.preflight and (refusal := _refusal(method)) is not None:
        kind, response_type = refusal
        trace.assume("REST_PREFLIGHT_REFUSED_BY")
        trace.step(f"{method.http_method} {site.path} requires {kind}; a browser's preflight carries none")
        return _gateway(site, response_type, headers, trace,
                        f"{method.http_method} {site.path} requires {kind}, which no preflight carries")
    if not request.preflight and (refusal := _refusal(method)) is not None:
        trace.step(f"{method.http_method} {site.path} requires {refusal[0]}: assumed to be given")
    integration = method.integration
    if integration is None:
        trace.step(f"{method.http_method} {site.path} has no integration (AWS refuses to deploy it)")
        return _mapping_failure(site, headers, trace, f"{method.http_method} {site.path} has no integration")
    if integration.type in PROXY_INTEGRATIONS:
        label = f"{method.http_method} {site.path}"
        trace.assume("REST_BACKEND_STATUS")
        trace.step(f"{label} is an {integration.type} integration: API Gateway passes the backend's response "
                   "through and adds no header")
        return _Response(assumptions.REST_BACKEND_STATUS, {},
                         f"{label} uses an {integration.type} integration: the backend decides the status "
                         "and every CORS header, which check cannot see")
    return _integration(site, request, method, integration, headers, trace)


def _refusal(method: Method) -> tuple[str, str] | None:
    """What a method requires that a preflight lacks, and the gateway response that refuses it."""
    kind = method.authorization_type or "NONE"
    if kind != "NONE":
        return f"{kind} authorization", assumptions.REST_PREFLIGHT_REFUSED_BY.get(kind, "UNAUTHORIZED")
    if method.api_key_required:
        return "an API key", assumptions.REST_PREFLIGHT_REFUSED_BY["API_KEY"]
    return None


def _integration(site: _Site, request: BrowserRequest, method: Method, integration: Integration,
                 headers: Mapping[str, str], trace: _Trace) -> _Response:
    label = f"{method.http_method} {site.path}"
    run = {"http_method": "OPTIONS" if request.preflight else request.method.upper(),
           "resource_path": site.path, "stage": site.stage}
    if integration.type == "MOCK":
        status = _mock_status(integration, headers, trace, run)
        if status is None:
            return _mapping_failure(site, headers, trace, f"{label}'s MOCK integration yields no status")
    else:
        trace.assume("REST_BACKEND_STATUS")
        status = str(assumptions.REST_BACKEND_STATUS)
        trace.step(f"{label} is an {integration.type} integration: assuming its backend answers {status}")
    chosen = _select(integration.responses, status)
    if chosen is None:
        trace.step(f"no integration response matches {status} and none is the default")
        return _mapping_failure(site, headers, trace, f"{label} has no integration response for {status}")
    pattern = chosen.selection_pattern
    selected_by = f"selection pattern {pattern!r}" if pattern else "the default"
    trace.step(f"integration response {chosen.status} ({selected_by}) answers {status}")
    declared = method.responses.get(chosen.status)
    if declared is None:
        trace.assume("REST_UNDECLARED_STATUS_SENT")
        trace.step(f"{label} declares no method response {chosen.status}")
        if not assumptions.REST_UNDECLARED_STATUS_SENT:
            return _mapping_failure(site, headers, trace, f"{label} has no method response {chosen.status}")
    backend = "a MOCK integration returns no headers" if integration.type == "MOCK" else "the backend decides"
    out, unresolved = _mapped(chosen.parameters, METHOD_HEADER, headers, trace, backend)
    out = {name: value for name, value in out.items() if _declared(declared, name, trace)}
    response_status = int(chosen.status)
    template = _response_template(chosen, trace)
    if template:
        try:
            result = run_template(template, headers, **run)
        except TemplateError as error:
            trace.step(f"response template ({template_view(template).removeprefix('template: ')}): {error}")
            return _mapping_failure(site, headers, trace, f"{label}'s response template fails: {error}")
        out.update(_overrides(result, declared, trace, template))
        response_status = result.status or response_status
    reason = _integration_reason(label, integration, request, out, unresolved)
    return _Response(response_status, dict(sorted(out.items())), reason)


def _response_template(response: IntegrationResponse, trace: _Trace) -> str | None:
    """The response template API Gateway runs for a browser (which accepts any type)."""
    content_type = assumptions.REST_TEMPLATE_CONTENT_TYPE
    others = sorted(kind for kind, text in response.templates.items() if text and kind != content_type)
    if others:
        trace.assume("REST_TEMPLATE_CONTENT_TYPE")
        trace.step(f"response templates for {', '.join(others)} not run (the {content_type} one is)")
    return response.templates.get(content_type) or None


def _integration_reason(label: str, integration: Integration, request: BrowserRequest,
                        headers: Mapping[str, str], unresolved: Sequence[str]) -> str:
    if request.preflight and integration.type == "MOCK":
        reason = (f"{label} is a MOCK integration: API Gateway answers every preflight the same way, "
                  "whatever its method and headers; the browser judges the headers")
    else:
        reason = f"{label} answers with the headers its integration response maps"
    if unresolved and integration.type == "MOCK":
        reason += f"; {', '.join(unresolved)} map values a MOCK integration does not return"
    elif unresolved:
        reason += f"; the backend decides {', '.join(unresolved)}"
    if ALLOW_ORIGIN not in headers:
        reason += f"; no {ALLOW_ORIGIN} for this Origin"
    return reason


def _users_method(site: _Site, verb: str, wanted: Mapping[str, str], headers: Mapping[str, str],
                  trace: _Trace) -> _Response:
    """What corsdeploy's keys on a user's method send (a non-proxy method answering 2xx)."""
    trace.assume("REST_BACKEND_STATUS")
    trace.step(f"{verb} {site.path}: a method of the API's own, known only live; corsdeploy adds its keys to "
               "the 2xx responses of a non-proxy integration (a proxy's backend sends its own)")
    parameters = {METHOD_HEADER + name: value for name, value in wanted.items()}
    out, _ = _mapped(parameters, METHOD_HEADER, headers, trace, "not simulated")
    sent = ", ".join(out) or "no CORS header"
    reason = f"corsdeploy puts {sent} on the 2xx responses of {verb} {site.path}"
    if ALLOW_ORIGIN not in out:
        reason += f"; {site.users_method_note}: {ALLOW_ORIGIN} must come from the backend"
    return _Response(assumptions.REST_BACKEND_STATUS, dict(sorted(out.items())), reason)


def _mock_status(integration: Integration, headers: Mapping[str, str], trace: _Trace,
                 run: Mapping[str, str]) -> str | None:
    """The statusCode a MOCK integration's request template yields (facts §2.2: none answers 500)."""
    template = integration.request_templates.get(assumptions.REST_TEMPLATE_CONTENT_TYPE)
    if not template:
        trace.step(f"the MOCK integration has no {assumptions.REST_TEMPLATE_CONTENT_TYPE} request template, "
                   "so no statusCode")
        return None
    try:
        output = run_template(template, headers, **run).output
        status = json.loads(output)["statusCode"]
    except (TemplateError, ValueError, KeyError, TypeError) as error:
        trace.step(f"the MOCK request template yields no statusCode ({type(error).__name__}: {error})")
        return None
    trace.step(f"the MOCK request template yields statusCode {status}")
    return str(status)


def _select(responses: Mapping[str, IntegrationResponse], status: str) -> IntegrationResponse | None:
    """The integration response whose selection pattern (a full regex match) takes `status`, else the
    default (the one without a pattern)."""
    ordered = sorted(responses.values(), key=lambda r: r.status)
    for response in ordered:
        if response.selection_pattern and _full_match(response.selection_pattern, status):
            return response
    return next((r for r in ordered if not r.selection_pattern), None)


def _full_match(pattern: str, text: str) -> bool:
    try:
        return re.fullmatch(pattern, text) is not None
    except re.error:
        return False


def _declared(declared: MethodResponse | None, name: str, trace: _Trace) -> bool:
    """Whether the method response declares header `name` (AWS refuses a mapping of one it does not)."""
    if declared is not None and METHOD_HEADER + name in declared.parameters:
        return True
    trace.step(f"{name}: mapped but not declared by the method response, so not sent")
    return False


def _overrides(result: TemplateRun, declared: MethodResponse | None, trace: _Trace,
               template: str) -> dict[str, str]:
    """The headers a response template's overrides send."""
    described = template_view(template).removeprefix("template: ")
    if not result.headers:
        trace.step(f"response template ({described}): sets no header for this request")
    sent = {}
    for name, value in result.headers.items():
        if declared is None or METHOD_HEADER + name not in declared.parameters:
            trace.assume("REST_OVERRIDE_NEEDS_NO_DECLARATION")
            if not assumptions.REST_OVERRIDE_NEEDS_NO_DECLARATION:
                trace.step(f"response template ({described}): overrides {name}, undeclared, so not sent")
                continue
        trace.step(f"response template ({described}): sets {name}: {value}")
        sent[name] = value
    if result.status is not None:
        trace.step(f"response template ({described}): sets the status to {result.status}")
    return sent


def _mapped(parameters: Mapping[str, str], prefix: str, headers: Mapping[str, str], trace: _Trace,
            backend: str) -> tuple[dict[str, str], list[str]]:
    """The response headers a parameter map sends: static values unquoted, request headers looked up;
    and the names mapped from what the simulator cannot see."""
    out: dict[str, str] = {}
    unresolved: list[str] = []
    for key, expression in sorted(parameters.items()):
        if not key.startswith(prefix):
            continue
        name = key[len(prefix):]
        if is_static(expression):
            out[name] = expression[1:-1]
            trace.step(f"{name}: {expression} (static)")
        elif expression.startswith(REQUEST_HEADER):
            value = _request_header(headers, expression[len(REQUEST_HEADER):], trace)
            shown = "absent, so not sent" if value is None else value
            trace.step(f"{name}: {expression} (the request's header): {shown}")
            if value is not None:
                out[name] = value
        else:
            unresolved.append(name)
            trace.step(f"{name}: {expression}: {backend}")
    return out, unresolved


def _request_header(headers: Mapping[str, str], name: str, trace: _Trace) -> str | None:
    if name in headers:
        return headers[name]
    trace.assume("REST_MAPPING_IGNORES_HEADER_CASE")
    if not assumptions.REST_MAPPING_IGNORES_HEADER_CASE:
        return None
    return next((value for key, value in headers.items() if key.lower() == name.lower()), None)


def _mapping_failure(site: _Site, headers: Mapping[str, str], trace: _Trace, why: str) -> _Response:
    trace.assume("REST_MAPPING_FAILURE")
    return _gateway(site, assumptions.REST_MAPPING_FAILURE, headers, trace, why)


def _gateway(site: _Site, response_type: str, headers: Mapping[str, str], trace: _Trace,
             why: str) -> _Response:
    """A gateway response: the type's own if customised, else DEFAULT_4XX/DEFAULT_5XX's headers
    (facts §2.3: a customised type no longer inherits them)."""
    own = site.gateway.get(response_type)
    status = int((own.status if own else None) or DEFAULT_GATEWAY_STATUS[response_type] or 500)
    source = own or site.gateway.get("DEFAULT_4XX" if status < 500 else "DEFAULT_5XX")
    if source is None:
        trace.step(f"gateway response {response_type} ({status}): neither it nor its DEFAULT_4XX/DEFAULT_5XX "
                   "is customised, so no headers")
    else:
        trace.step(f"gateway response {response_type} ({status}): headers from {source.response_type}")
    out, unresolved = _mapped(source.parameters if source else {}, GATEWAY_HEADER, headers, trace,
                              "not known before the request")
    reason = f"{why}: API Gateway answers with its {response_type} gateway response ({status})"
    origin_from = source.parameters.get(GATEWAY_HEADER + ALLOW_ORIGIN, "") if source else ""
    if not out:
        reason += ", which carries no CORS headers"
    elif origin_from.startswith(REQUEST_HEADER):
        reason += f", whose {ALLOW_ORIGIN} reflects the request's Origin, whatever it is"
    if unresolved:
        reason += f"; {', '.join(unresolved)} not simulated"
    return _Response(status, dict(sorted(out.items())), reason)


def _show(headers: Mapping[str, str]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in headers.items()) or "no CORS headers"
