"""API Gateway REST APIs (v1): there is no CORS object, so corsdeploy manages a pattern and owns only
what it marks.

The pattern: on each managed resource an OPTIONS method marked with operationName
`corsdeploy-preflight` (MOCK integration, 200 responses carrying the preflight headers); on users'
non-proxy methods, Access-Control-* keys with static ('quoted') values on 2xx responses; on the
listed gateway responses, the CORS keys; and a stage deployment whose description carries a digest
of all of that. Everything here is pure: the provider reads a `RestApiState` and executes the
`Operation`s computed here.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corsdeploy import limits
from corsdeploy.errors import CorsdeployError, PlanError, Problem
from corsdeploy.model import CorsRule, Kind, Live, Resource
from corsdeploy.services import digest
from corsdeploy.services.rest_template import (
    OVERRIDDEN_HEADER,
    TEMPLATE_VIEW_PREFIX,
    UNRECOGNISED_VIEW_PREFIX,
    origins_view,
    template_from_view,
    template_view,
    view_origins,
)
from corsdeploy.shapes import rule_from_cors, rule_to_cors

PREFLIGHT_OPERATION = "corsdeploy-preflight"
PREFLIGHT_STATUS = "200"
# MOCK integrations need a request template that yields the status code, or they answer 500.
PREFLIGHT_REQUEST_TEMPLATES: Mapping[str, str] = {"application/json": '{"statusCode": 200}'}
DEFAULT_GATEWAY_RESPONSES = ("DEFAULT_4XX", "DEFAULT_5XX")
# Proxy integrations return the backend's response unchanged: API Gateway adds no header to it.
PROXY_INTEGRATIONS = frozenset({"AWS_PROXY", "HTTP_PROXY"})
DEPLOYMENT_PREFIX = "corsdeploy "

ALLOW_ORIGIN = "Access-Control-Allow-Origin"
ALLOW_METHODS = "Access-Control-Allow-Methods"
ALLOW_HEADERS = "Access-Control-Allow-Headers"
MAX_AGE = "Access-Control-Max-Age"
ALLOW_CREDENTIALS = "Access-Control-Allow-Credentials"
EXPOSE_HEADERS = "Access-Control-Expose-Headers"
VARY = "Vary"
# The keys corsdeploy merges into objects it does not own.
METHOD_KEYS = (ALLOW_ORIGIN, ALLOW_CREDENTIALS, EXPOSE_HEADERS)
GATEWAY_KEYS = (ALLOW_ORIGIN, ALLOW_CREDENTIALS, EXPOSE_HEADERS, VARY)

METHOD_HEADER = "method.response.header."
GATEWAY_HEADER = "gatewayresponse.header."
# Gateway responses cannot run templates; this mapping reflects the caller's Origin unconditionally.
ORIGIN_FROM_REQUEST = "method.request.header.origin"

# Pseudo-header in a preflight's plan value listing what differs from corsdeploy's OPTIONS method.
DRIFT_KEY = "(method)"
# Prefix of a method's plan value when its 2xx responses carry different values.
MIXED_PREFIX = "differs by status: "

# What an uncustomised gateway response holds (UNCONFIRMED beyond the documented status codes): one
# left like this after corsdeploy removes its keys is deleted, which resets it to the default.
DEFAULT_GATEWAY_TEMPLATES: Mapping[str, str] = {
    "application/json": '{"message":$context.error.messageString}',
}
DEFAULT_GATEWAY_STATUS: Mapping[str, str | None] = {
    "DEFAULT_4XX": None, "DEFAULT_5XX": None, "ACCESS_DENIED": "403", "API_CONFIGURATION_ERROR": "500",
    "AUTHORIZER_CONFIGURATION_ERROR": "500", "AUTHORIZER_FAILURE": "500", "BAD_REQUEST_PARAMETERS": "400",
    "BAD_REQUEST_BODY": "400", "EXPIRED_TOKEN": "403", "INTEGRATION_FAILURE": "504",
    "INTEGRATION_TIMEOUT": "504", "INVALID_API_KEY": "403", "INVALID_SIGNATURE": "403",
    "MISSING_AUTHENTICATION_TOKEN": "403", "QUOTA_EXCEEDED": "429", "REQUEST_TOO_LARGE": "413",
    "RESOURCE_NOT_FOUND": "404", "THROTTLED": "429", "UNAUTHORIZED": "401", "UNSUPPORTED_MEDIA_TYPE": "415",
    "WAF_FILTERED": "403",
}

Headers = dict[str, str]
Cors = dict[str, Any]


@dataclass(frozen=True)
class RestResource:
    """One API resource; `methods` maps httpMethod to the Method as get_resources(embed=methods) gives it."""

    id: str
    path: str
    methods: Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class RestApiState:
    """The API structure a read saw (Live.handle): what writes are derived from."""

    api_id: str
    stage: str
    resources: tuple[RestResource, ...]
    # responseType -> GatewayResponse as get_gateway_responses lists it (AWS lists defaults too).
    gateway_responses: Mapping[str, Mapping[str, Any]]
    deployment_description: str | None

    def resource(self, path: str) -> RestResource | None:
        return next((r for r in self.resources if r.path == path), None)


# --- operations the provider executes, in order -------------------------------------------------


@dataclass(frozen=True)
class DeletePreflight:
    resource_id: str


@dataclass(frozen=True)
class CreatePreflight:
    """put_method + MOCK put_integration + 200 method response + 200 integration response."""

    resource_id: str
    method_parameters: Mapping[str, bool]
    integration_parameters: Mapping[str, str]
    response_templates: Mapping[str, str]


@dataclass(frozen=True)
class ReplaceResponses:
    """Rewrite one status of a user's method: the method response (deleted first when `replace`) and
    the integration response, each given as the keyword arguments of its put_* call."""

    resource_id: str
    http_method: str
    replace: bool
    method_response: Mapping[str, Any]
    integration_response: Mapping[str, Any]


@dataclass(frozen=True)
class PutGatewayResponse:
    response_type: str
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class DeleteGatewayResponse:
    response_type: str


Operation = DeletePreflight | CreatePreflight | ReplaceResponses | PutGatewayResponse | DeleteGatewayResponse


# --- settings -------------------------------------------------------------------------------------


def gateway_types(resource: Resource) -> tuple[str, ...]:
    types = resource.settings.get("gateway_responses")
    return DEFAULT_GATEWAY_RESPONSES if types is None else tuple(types)


def managed_resources(resource: Resource, state: RestApiState) -> list[RestResource]:
    """The resources `resources:` names (all of them by default); a missing path is a PlanError."""
    paths = resource.settings.get("resources")
    if paths is None:
        return sorted(state.resources, key=lambda r: r.path)
    missing = [path for path in paths if state.resource(path) is None]
    if missing:
        known = ", ".join(sorted(r.path for r in state.resources))
        raise PlanError(Problem(
            f"REST API {state.api_id} has no resource {', '.join(missing)} (it has: {known})",
            address=resource.address,
        ))
    return sorted({r.path: r for r in state.resources if r.path in paths}.values(), key=lambda r: r.path)


def _adopts(resource: Resource) -> bool:
    return bool(resource.settings.get("adopt_preflights", False))


# --- reading --------------------------------------------------------------------------------------


def live_from_state(resource: Resource, state: RestApiState) -> Live:
    """The Live a read produces: checks ownership, builds the plan view and the warnings."""
    managed = managed_resources(resource, state)
    if resource.cors is not None and not _adopts(resource):
        foreign = [r.path for r in managed if _is_foreign_preflight(r.methods.get("OPTIONS"))]
        if foreign:
            raise PlanError(Problem(
                f"OPTIONS on {', '.join(foreign)} was not created by corsdeploy (operationName is not "
                f"{PREFLIGHT_OPERATION!r}); remove it or set adopt_preflights: true to let corsdeploy "
                "replace it",
                address=resource.address,
            ))
    return Live(
        address=resource.address,
        wire=live_view(resource, state),
        handle=state,
        warnings=warnings(resource, managed),
    )


def live_view(resource: Resource, state: RestApiState) -> dict[str, Any] | None:
    """The live pattern in the contract's REST shape; None when nothing of corsdeploy's is there.

    "Cors" is a summary for readers, rebuilt from the first preflight corsdeploy owns (and the first
    Expose-Headers value found); normalize leaves it out, since resources and gateway responses
    hold the whole state.
    """
    resources = _resources_view(resource, state)
    gateway = {t: _gateway_view(state.gateway_responses.get(t)) for t in gateway_types(resource)}
    if not resources and not any(gateway.values()):
        return None
    view: dict[str, Any] = {"Cors": _cors_summary(resources, gateway), "resources": resources,
                            "gateway_responses": gateway}
    current = state.deployment_description == deployment_description(view)
    view["deployment"] = "current" if current else "pending"
    return view


def _resources_view(resource: Resource, state: RestApiState) -> dict[str, Any]:
    managed = {r.path for r in managed_resources(resource, state)}
    view: dict[str, Any] = {}
    for res in sorted(state.resources, key=lambda r: r.path):
        options = res.methods.get("OPTIONS")
        owned = options is not None and (
            options.get("operationName") == PREFLIGHT_OPERATION or (_adopts(resource) and res.path in managed)
        )
        preflight = _preflight_view(options) if owned and options is not None else None
        methods: dict[str, Headers] = {}
        if res.path in managed or preflight is not None:
            methods = {name: headers for name, method in sorted(res.methods.items())
                       if (headers := _method_view(method))}
        if preflight is not None or methods:
            view[res.path] = {"preflight": preflight, "methods": methods}
    return view


def _is_foreign_preflight(method: Mapping[str, Any] | None) -> bool:
    return method is not None and method.get("operationName") != PREFLIGHT_OPERATION


def _preflight_view(method: Mapping[str, Any]) -> Headers:
    """The headers an OPTIONS method's 200 answer carries, and DRIFT_KEY when it differs from ours."""
    integration = method.get("methodIntegration") or {}
    response = (integration.get("integrationResponses") or {}).get(PREFLIGHT_STATUS) or {}
    method_response = (method.get("methodResponses") or {}).get(PREFLIGHT_STATUS) or {}
    declared = method_response.get("responseParameters") or {}
    parameters = response.get("responseParameters") or {}
    templates = {k: v for k, v in (response.get("responseTemplates") or {}).items() if v}
    view: Headers = {}
    drift: list[str] = []
    for key, value in sorted(parameters.items()):
        if key.startswith(METHOD_HEADER):
            view[key[len(METHOD_HEADER):]] = value
            if key not in declared:
                drift.append(f"{key[len(METHOD_HEADER):]} not declared in the 200 method response")
    if templates:
        if ALLOW_ORIGIN in view:
            drift.append(f"static {ALLOW_ORIGIN} beside a response template")
        view[ALLOW_ORIGIN] = template_view(templates.pop("application/json", ""))
        if METHOD_HEADER + OVERRIDDEN_HEADER not in declared:
            drift.append(f"{OVERRIDDEN_HEADER} not declared in the 200 method response")
        if templates:
            drift.append(f"response templates for {', '.join(sorted(templates))}")
    drift += _method_drift(method, integration)
    if drift:
        view[DRIFT_KEY] = "; ".join(drift)
    return dict(sorted(view.items()))


def _method_drift(method: Mapping[str, Any], integration: Mapping[str, Any]) -> list[str]:
    expected = {
        "operationName": PREFLIGHT_OPERATION,
        "authorizationType": "NONE",
        "apiKeyRequired": False,
    }
    drift = [f"{key} is {method.get(key)!r}" for key, value in expected.items() if method.get(key) != value]
    if integration.get("type") != "MOCK":
        drift.append(f"integration is {integration.get('type')!r}, not MOCK")
    elif dict(integration.get("requestTemplates") or {}) != PREFLIGHT_REQUEST_TEMPLATES:
        drift.append("MOCK request template differs")
    return drift


def _carries_cors(method: Mapping[str, Any]) -> bool:
    """A user's method whose 2xx responses API Gateway builds (not OPTIONS, not a proxy)."""
    integration = method.get("methodIntegration") or {}
    return (
        method.get("httpMethod") != "OPTIONS"
        and integration.get("type") not in PROXY_INTEGRATIONS | {None}
        and bool(_success_statuses(method))
    )


def _success_statuses(method: Mapping[str, Any]) -> list[str]:
    responses = (method.get("methodIntegration") or {}).get("integrationResponses") or {}
    return sorted(status for status in responses if status.startswith("2"))


def _method_view(method: Mapping[str, Any]) -> Headers:
    """The static (quoted) managed values on a method's 2xx responses; mappings are the user's."""
    if not _carries_cors(method):
        return {}
    view: Headers = {}
    for key in METHOD_KEYS:
        values = {status: _static_value(method, status, key) for status in _success_statuses(method)}
        distinct = set(values.values())
        if distinct == {None}:
            continue
        if len(distinct) == 1:
            view[key] = str(distinct.pop())
        else:
            view[key] = MIXED_PREFIX + ", ".join(f"{s}={v or 'none'}" for s, v in values.items())
    return dict(sorted(view.items()))


def _static_value(method: Mapping[str, Any], status: str, key: str) -> str | None:
    response = method["methodIntegration"]["integrationResponses"][status]
    value = (response.get("responseParameters") or {}).get(METHOD_HEADER + key)
    declared = ((method.get("methodResponses") or {}).get(status) or {}).get("responseParameters") or {}
    return value if value is not None and is_static(value) and METHOD_HEADER + key in declared else None


def is_static(value: str) -> bool:
    """API Gateway's static values are single-quoted; anything else maps a request or backend value."""
    return len(value) >= 2 and value.startswith("'") and value.endswith("'")


def _gateway_view(response: Mapping[str, Any] | None) -> Headers | None:
    parameters = (response or {}).get("responseParameters") or {}
    view = {key: parameters[GATEWAY_HEADER + key] for key in sorted(GATEWAY_KEYS)
            if GATEWAY_HEADER + key in parameters}
    return view or None


def _cors_summary(resources: Mapping[str, Any], gateway: Mapping[str, Headers | None]) -> Cors | None:
    preflight = next((e["preflight"] for _, e in sorted(resources.items()) if e["preflight"]), None)
    if preflight is None:
        return None
    expose = next((h[EXPOSE_HEADERS] for h in _header_sets(resources, gateway) if EXPOSE_HEADERS in h), None)
    origin = preflight.get(ALLOW_ORIGIN, "")
    origins = view_origins(origin) or _split(origin)
    credentials = preflight.get(ALLOW_CREDENTIALS) == "'true'"
    max_age = _unquote(preflight.get(MAX_AGE))
    return rule_to_cors(rule_from_cors({
        "AllowOrigins": origins,
        "AllowMethods": _split(preflight.get(ALLOW_METHODS)),
        "AllowHeaders": _split(preflight.get(ALLOW_HEADERS)),
        "ExposeHeaders": _split(expose),
        "MaxAge": int(max_age) if max_age is not None and max_age.lstrip("-").isdigit() else None,
        "AllowCredentials": True if credentials else None,
    }))


def _header_sets(resources: Mapping[str, Any], gateway: Mapping[str, Headers | None]) -> Iterable[Headers]:
    for _, entry in sorted(resources.items()):
        yield from (headers for _, headers in sorted(entry["methods"].items()))
    yield from (headers for _, headers in sorted(gateway.items()) if headers)


def _unquote(value: str | None) -> str | None:
    return value[1:-1] if value is not None and is_static(value) else None


def _split(value: str | None) -> list[str]:
    inner = _unquote(value)
    return [item.strip() for item in inner.split(",") if item.strip()] if inner else []


def warnings(resource: Resource, managed: Sequence[RestResource]) -> tuple[str, ...]:
    """Methods whose actual responses corsdeploy cannot give CORS headers: the backend must send them."""
    if resource.cors is None:
        return ()
    several = len(resource.cors.rules[0].allowed_origins) > 1
    out = []
    for res in managed:
        for name, method in sorted(res.methods.items()):
            integration_type = (method.get("methodIntegration") or {}).get("type")
            if name == "OPTIONS":
                continue
            if integration_type in PROXY_INTEGRATIONS:
                out.append(f"{name} {res.path} uses a {integration_type} integration: API Gateway passes the "
                           f"backend's response through, so the backend must send {ALLOW_ORIGIN}")
            elif several:
                out.append(f"{name} {res.path}: with several origins API Gateway cannot choose one static "
                           f"{ALLOW_ORIGIN} for actual responses; the backend must send it (map "
                           f"integration.response.header.{ALLOW_ORIGIN})")
    return tuple(out)


# --- desired --------------------------------------------------------------------------------------


def _quote(value: str) -> str:
    return f"'{value}'"


def _check_values(resource: Resource, rule: CorsRule) -> None:
    """Last defence against template injection for callers that bypass validation (which reports the
    same problem with its file:line)."""
    values = [*rule.allowed_origins, *rule.allowed_methods, *rule.allowed_headers, *rule.expose_headers]
    bad = [v for v in values if not limits.is_rest_header_value(v)]
    if bad:
        raise PlanError(Problem(
            f"REST API header values cannot hold quotes, backslashes or spaces: {', '.join(map(repr, bad))}",
            address=resource.address,
        ))


def preflight_headers(rule: CorsRule) -> Headers:
    """What corsdeploy's preflight answers with, as the plan shows it."""
    headers: Headers = {}
    if len(rule.allowed_origins) == 1:
        headers[ALLOW_ORIGIN] = _quote(rule.allowed_origins[0])
    else:
        headers[ALLOW_ORIGIN] = origins_view(rule.allowed_origins)
        headers[VARY] = "'Origin'"
    headers[ALLOW_METHODS] = _quote(",".join(rule.allowed_methods))
    if rule.allowed_headers:
        headers[ALLOW_HEADERS] = _quote(",".join(rule.allowed_headers))
    if rule.max_age is not None:
        headers[MAX_AGE] = _quote(str(rule.max_age))
    if rule.allow_credentials:
        headers[ALLOW_CREDENTIALS] = "'true'"
    return dict(sorted(headers.items()))


def method_headers(rule: CorsRule) -> Headers:
    """What corsdeploy puts on users' 2xx responses (Allow-Origin only with a single origin)."""
    headers: Headers = {}
    if len(rule.allowed_origins) == 1:
        headers[ALLOW_ORIGIN] = _quote(rule.allowed_origins[0])
    if rule.allow_credentials:
        headers[ALLOW_CREDENTIALS] = "'true'"
    if rule.expose_headers:
        headers[EXPOSE_HEADERS] = _quote(",".join(rule.expose_headers))
    return dict(sorted(headers.items()))


def gateway_headers(resource: Resource, rule: CorsRule) -> Headers:
    """What the listed gateway responses carry; they run no template, so several origins reflect Origin."""
    headers: Headers = {}
    if len(rule.allowed_origins) == 1:
        headers[ALLOW_ORIGIN] = _quote(rule.allowed_origins[0])
    elif rule.allow_credentials:
        raise PlanError(Problem(
            "gateway responses cannot answer several origins with credentials (they would reflect any "
            "Origin); set gateway_responses: []",
            address=resource.address,
        ))
    else:
        headers[ALLOW_ORIGIN] = ORIGIN_FROM_REQUEST
        headers[VARY] = "'Origin'"
    if rule.allow_credentials:
        headers[ALLOW_CREDENTIALS] = "'true'"
    if rule.expose_headers:
        headers[EXPOSE_HEADERS] = _quote(",".join(rule.expose_headers))
    return dict(sorted(headers.items()))


def desired_view(resource: Resource, state: RestApiState) -> dict[str, Any] | None:
    """What the file asks for in the contract's REST shape, over the API structure read live."""
    if resource.cors is None:
        return None
    (rule,) = resource.cors.rules
    _check_values(resource, rule)
    on_methods = method_headers(rule)
    resources = {
        res.path: {
            "preflight": preflight_headers(rule),
            "methods": {name: dict(on_methods) for name, method in sorted(res.methods.items())
                        if on_methods and _carries_cors(method)},
        }
        for res in managed_resources(resource, state)
    }
    headers = gateway_headers(resource, rule) if gateway_types(resource) else {}
    return {
        "Cors": rule_to_cors(resource.cors),
        "resources": resources,
        "gateway_responses": {t: dict(headers) for t in gateway_types(resource)},
        "deployment": "current",
    }


# --- comparing ------------------------------------------------------------------------------------


def normalize_view(wire: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Resources, gateway responses and deployment, with empty entries dropped; "Cors" is a summary."""
    if wire is None:
        return None
    resources = {}
    for path, entry in (wire.get("resources") or {}).items():
        preflight = entry.get("preflight")
        methods = {name: dict(headers) for name, headers in (entry.get("methods") or {}).items() if headers}
        if preflight is not None or methods:
            resources[path] = {"preflight": preflight and dict(preflight), "methods": methods}
    gateway = {t: dict(headers) for t, headers in (wire.get("gateway_responses") or {}).items() if headers}
    deployment = wire.get("deployment", "current")
    return {"resources": resources, "gateway_responses": gateway, "deployment": deployment}


def state_digest(wire: Mapping[str, Any] | None) -> str:
    """A digest of the managed CORS state (deployment status and summary left out)."""
    value = normalize_view(wire)
    if value is not None:
        value.pop("deployment")
    return digest(value)[:20]


def deployment_description(wire: Mapping[str, Any] | None) -> str:
    """The description corsdeploy's deployments carry: it tells plan whether the stage is current."""
    return DEPLOYMENT_PREFIX + state_digest(wire)


# --- writing --------------------------------------------------------------------------------------


def operations(resource: Resource, state: RestApiState, wire: Mapping[str, Any] | None) -> list[Operation]:
    """The calls that make the live pattern match `wire` (a desired view, or a backup's; None = absent)."""
    have = normalize_view(live_view(resource, state)) or {"resources": {}, "gateway_responses": {}}
    want = normalize_view(wire) or {"resources": {}, "gateway_responses": {}}
    ops: list[Operation] = []
    for path in sorted(set(have["resources"]) | set(want["resources"])):
        res = state.resource(path)
        if res is None:
            raise CorsdeployError(Problem(f"resource {path} no longer exists", address=resource.address))
        had = have["resources"].get(path) or {"preflight": None, "methods": {}}
        wanted = want["resources"].get(path) or {"preflight": None, "methods": {}}
        ops += _preflight_operations(resource, res, had["preflight"], wanted["preflight"])
        ops += _method_operations(res, had["methods"], wanted["methods"])
    for response_type in sorted(set(have["gateway_responses"]) | set(want["gateway_responses"])):
        ops += _gateway_operations(
            response_type,
            state.gateway_responses.get(response_type),
            have["gateway_responses"].get(response_type) or {},
            want["gateway_responses"].get(response_type) or {},
        )
    return ops


def _preflight_operations(
    resource: Resource, res: RestResource, had: Headers | None, wanted: Headers | None
) -> list[Operation]:
    if had == wanted:
        return []
    ops: list[Operation] = []
    if "OPTIONS" in res.methods:
        if had is None:
            raise PlanError(Problem(
                f"OPTIONS on {res.path} was not created by corsdeploy; it is left alone",
                address=resource.address,
            ))
        ops.append(DeletePreflight(res.id))
    if wanted is not None:
        ops.append(_create_preflight(resource, res.id, wanted))
    return ops


def _create_preflight(resource: Resource, resource_id: str, headers: Headers) -> CreatePreflight:
    parameters = {METHOD_HEADER + name: value for name, value in headers.items() if name != DRIFT_KEY}
    templates = {}
    origin = headers.get(ALLOW_ORIGIN, "")
    if origin.startswith((TEMPLATE_VIEW_PREFIX, UNRECOGNISED_VIEW_PREFIX)):
        template = template_from_view(origin)
        if template is None:
            raise CorsdeployError(Problem(
                f"cannot write back a preflight template corsdeploy did not write ({origin})",
                address=resource.address,
            ))
        templates["application/json"] = template
        del parameters[METHOD_HEADER + ALLOW_ORIGIN]
    return CreatePreflight(
        resource_id=resource_id,
        method_parameters={METHOD_HEADER + name: False for name in headers if name != DRIFT_KEY},
        integration_parameters=parameters,
        response_templates=templates,
    )


def _method_operations(
    res: RestResource, had: Mapping[str, Headers], wanted: Mapping[str, Headers]
) -> list[Operation]:
    ops: list[Operation] = []
    for name in sorted(set(had) | set(wanted)):
        method = res.methods.get(name)
        if had.get(name, {}) == wanted.get(name, {}) or method is None or not _carries_cors(method):
            continue
        for status in _success_statuses(method):
            op = _merge_status(res.id, method, status, wanted.get(name, {}))
            if op is not None:
                ops.append(op)
    return ops


def _merge_status(
    resource_id: str, method: Mapping[str, Any], status: str, wanted: Headers
) -> ReplaceResponses | None:
    """Merge the managed keys into one status's responses, keeping every other field as it is."""
    integration = method["methodIntegration"]["integrationResponses"][status]
    method_response = (method.get("methodResponses") or {}).get(status)
    old_parameters = dict(integration.get("responseParameters") or {})
    old_declared = dict((method_response or {}).get("responseParameters") or {})
    parameters, declared = dict(old_parameters), dict(old_declared)
    for key in METHOD_KEYS:
        param = METHOD_HEADER + key
        value = wanted.get(key)
        if value is not None and value.startswith(MIXED_PREFIX):
            continue
        if value is not None:
            parameters[param] = value
            declared.setdefault(param, False)
        elif param in parameters and is_static(parameters[param]):
            del parameters[param]
            declared.pop(param, None)
    if parameters == old_parameters and declared == old_declared:
        return None
    put_method_response: dict[str, Any] = {"statusCode": status, "responseParameters": declared}
    models = (method_response or {}).get("responseModels")
    if models:
        put_method_response["responseModels"] = dict(models)
    put_integration_response: dict[str, Any] = {
        key: integration[key] for key in ("statusCode", "selectionPattern", "contentHandling")
        if integration.get(key) is not None
    }
    put_integration_response["responseParameters"] = parameters
    if integration.get("responseTemplates"):
        # moto reads an empty template back as None; API Gateway stores it as "".
        templates = integration["responseTemplates"].items()
        put_integration_response["responseTemplates"] = {kind: text or "" for kind, text in templates}
    return ReplaceResponses(
        resource_id=resource_id,
        http_method=str(method["httpMethod"]),
        replace=method_response is not None,
        method_response=put_method_response,
        integration_response=put_integration_response,
    )


def _gateway_operations(
    response_type: str, existing: Mapping[str, Any] | None, had: Headers, wanted: Headers
) -> list[Operation]:
    if had == wanted:
        return []
    existing = existing or {}
    parameters = {k: v for k, v in (existing.get("responseParameters") or {}).items()
                  if k not in {GATEWAY_HEADER + key for key in GATEWAY_KEYS}}
    parameters.update({GATEWAY_HEADER + key: value for key, value in wanted.items()})
    templates = {k: v or "" for k, v in (existing.get("responseTemplates") or {}).items()}
    status = existing.get("statusCode")
    if not wanted and not parameters and _is_default(response_type, status, templates):
        customised = bool(existing) and not existing.get("defaultResponse", False)
        return [DeleteGatewayResponse(response_type)] if customised else []
    fields: dict[str, Any] = {"responseParameters": parameters, "responseTemplates": templates}
    if status is not None:
        fields["statusCode"] = status
    return [PutGatewayResponse(response_type, fields)]


def _is_default(response_type: str, status: str | None, templates: Mapping[str, str]) -> bool:
    same_templates = all(not v or DEFAULT_GATEWAY_TEMPLATES.get(k) == v for k, v in templates.items())
    return same_templates and status in (None, DEFAULT_GATEWAY_STATUS.get(response_type))


class RestApiService:
    """CORS semantics of API Gateway REST APIs: the managed pattern and its plan shape."""

    kind = Kind.REST_API

    def desired(self, resource: Resource, live: Live) -> Mapping[str, Any] | None:
        return desired_view(resource, live.handle)

    def normalize(self, wire: Mapping[str, Any] | None) -> Any:
        return normalize_view(wire)


SERVICE = RestApiService()
