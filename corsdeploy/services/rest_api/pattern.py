"""The CORS pattern corsdeploy writes on a REST API, computed from the file's rule.

On each managed resource an OPTIONS method marked with operationName `corsdeploy-preflight` (MOCK
integration, a 200 response carrying the preflight headers); on users' non-proxy methods,
Access-Control-* keys with static ('quoted') values on 2xx responses; on the listed gateway
responses, the CORS keys; and a stage deployment whose description carries a digest of all of that.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from corsdeploy import limits
from corsdeploy.errors import PlanError, Problem
from corsdeploy.lint.plan_rules import RestProxyIntegration, RestSeveralOriginsOnActualResponses
from corsdeploy.lint.rule import tagged
from corsdeploy.model import CorsRule, Resource, frozen
from corsdeploy.services.rest_api.state import (
    Integration,
    IntegrationResponse,
    Method,
    MethodResponse,
    RestApiState,
    RestResource,
)
from corsdeploy.services.rest_api.template import OVERRIDDEN_HEADER, origins_view, preflight_template

PREFLIGHT_OPERATION = "corsdeploy-preflight"
PREFLIGHT_STATUS = "200"
# MOCK integrations need a request template that yields the status code, or they answer 500.
PREFLIGHT_REQUEST_TEMPLATES: Mapping[str, str] = frozen({"application/json": '{"statusCode": 200}'})
# On an API with binary media types (e.g. */*) a MOCK integration without this answers every
# preflight 500 "Unable to transform request" (facts §7.5). Set on the integration, as the fixes
# cited there do; the integration response needs none (its body is empty).
PREFLIGHT_CONTENT_HANDLING = "CONVERT_TO_TEXT"
DEFAULT_GATEWAY_RESPONSES = ("DEFAULT_4XX", "DEFAULT_5XX")
# Proxy integrations return the backend's response unchanged: API Gateway adds no header to it.
PROXY_INTEGRATIONS = frozenset({"AWS_PROXY", "HTTP_PROXY"})

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

Headers = dict[str, str]


# --- settings -------------------------------------------------------------------------------------


def gateway_types(resource: Resource) -> tuple[str, ...]:
    types = resource.settings.get("gateway_responses")
    return DEFAULT_GATEWAY_RESPONSES if types is None else tuple(types)


def adopts(resource: Resource) -> bool:
    return bool(resource.settings.get("adopt_preflights", False))


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


def is_ours(method: Method | None) -> bool:
    return method is not None and method.operation_name == PREFLIGHT_OPERATION


def owns_preflight(resource: Resource, res: RestResource, managed: set[str]) -> bool:
    """Whether the OPTIONS method of `res` is corsdeploy's to show and change."""
    options = res.methods.get("OPTIONS")
    return options is not None and (is_ours(options) or (adopts(resource) and res.path in managed))


def carries_cors(method: Method) -> bool:
    """A user's method whose 2xx responses API Gateway builds (not OPTIONS, not a proxy)."""
    integration = method.integration
    return (
        method.http_method != "OPTIONS"
        and integration is not None
        and integration.type not in PROXY_INTEGRATIONS | {None}
        and bool(method.success_statuses())
    )


def is_static(value: str) -> bool:
    """API Gateway's static values are single-quoted; anything else maps a request or backend value."""
    return len(value) >= 2 and value.startswith("'") and value.endswith("'")


# --- desired --------------------------------------------------------------------------------------


def the_rule(resource: Resource) -> CorsRule | None:
    """The file's single rule, checked once more for values that would break quoting."""
    if resource.cors is None:
        return None
    (rule,) = resource.cors.rules
    _check_values(resource, rule)
    return rule


def _quote(value: str) -> str:
    return f"'{value}'"


def _check_values(resource: Resource, rule: CorsRule) -> None:
    """Last defence for callers that bypass validation (which reports the same with its file:line)."""
    values = [*rule.allowed_origins, *rule.allowed_methods, *rule.allowed_headers, *rule.expose_headers]
    bad = [v for v in values if not limits.is_rest_header_value(v)]
    if bad:
        raise PlanError(Problem(
            f"REST API header values cannot hold quotes, backslashes or spaces: {', '.join(map(repr, bad))}",
            address=resource.address,
        ))
    if rule.allow_credentials and "*" in rule.allowed_origins:
        raise PlanError(Problem(
            "AllowCredentials cannot be combined with the origin '*' (browsers refuse it)",
            address=resource.address,
        ))


def _several(rule: CorsRule) -> bool:
    return len(rule.allowed_origins) > 1


def preflight_headers(rule: CorsRule) -> Headers:
    """What corsdeploy's preflight answers with, as the plan shows it."""
    headers: Headers = {}
    if _several(rule):
        headers[ALLOW_ORIGIN] = origins_view(rule.allowed_origins)
        headers[VARY] = "'Origin'"
    else:
        headers[ALLOW_ORIGIN] = _quote(rule.allowed_origins[0])
    headers[ALLOW_METHODS] = _quote(",".join(rule.allowed_methods))
    if rule.allowed_headers:
        headers[ALLOW_HEADERS] = _quote(",".join(rule.allowed_headers))
    if rule.max_age is not None:
        headers[MAX_AGE] = _quote(str(rule.max_age))
    if rule.allow_credentials:
        headers[ALLOW_CREDENTIALS] = "'true'"
    return dict(sorted(headers.items()))


def preflight_method(rule: CorsRule) -> Method:
    """The OPTIONS method corsdeploy creates: an open, marked MOCK answering 200 with the headers."""
    parameters = {METHOD_HEADER + name: value for name, value in preflight_headers(rule).items()}
    templates: dict[str, str] = {}
    if _several(rule):
        # The template sets Access-Control-Allow-Origin; it stays declared but has no static value.
        del parameters[METHOD_HEADER + OVERRIDDEN_HEADER]
        templates["application/json"] = preflight_template(rule.allowed_origins)
    declared = dict.fromkeys(sorted({*parameters, METHOD_HEADER + ALLOW_ORIGIN}), False)
    return Method(
        http_method="OPTIONS",
        authorization_type="NONE",
        api_key_required=False,
        operation_name=PREFLIGHT_OPERATION,
        responses=frozen({PREFLIGHT_STATUS: MethodResponse(PREFLIGHT_STATUS, frozen(declared))}),
        integration=Integration(
            type="MOCK",
            request_templates=PREFLIGHT_REQUEST_TEMPLATES,
            content_handling=PREFLIGHT_CONTENT_HANDLING,
            responses=frozen({PREFLIGHT_STATUS: IntegrationResponse(
                PREFLIGHT_STATUS, frozen(parameters), frozen(templates))}),
        ),
    )


def method_headers(rule: CorsRule) -> Headers:
    """What corsdeploy puts on users' 2xx responses (Allow-Origin only with a single origin)."""
    headers: Headers = {}
    if not _several(rule):
        headers[ALLOW_ORIGIN] = _quote(rule.allowed_origins[0])
    if rule.allow_credentials:
        headers[ALLOW_CREDENTIALS] = "'true'"
    if rule.expose_headers:
        headers[EXPOSE_HEADERS] = _quote(",".join(rule.expose_headers))
    return dict(sorted(headers.items()))


def gateway_headers(resource: Resource, rule: CorsRule) -> Headers:
    """What the listed gateway responses carry; they run no template, so several origins reflect Origin."""
    headers: Headers = {}
    if not _several(rule):
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


def maps_origin_dynamically(method: Method) -> bool:
    """Whether every 2xx answer of a user's method already gets Access-Control-Allow-Origin from its
    backend or a template (so several origins need nothing more from corsdeploy)."""
    statuses = method.success_statuses()
    integration = method.integration
    if integration is None or not statuses:
        return False
    key = METHOD_HEADER + ALLOW_ORIGIN
    for status in statuses:
        response = integration.responses[status]
        mapped = response.parameters.get(key)
        declared = key in (method.responses.get(status) or MethodResponse(status)).parameters
        overridden = any(f"responseOverride.header.{ALLOW_ORIGIN}" in t for t in response.templates.values())
        if not ((mapped is not None and not is_static(mapped) and declared) or overridden):
            return False
    return True


def warnings(resource: Resource, managed: Sequence[RestResource]) -> tuple[str, ...]:
    """Methods whose actual responses corsdeploy cannot give CORS headers and that do not get them
    another way: the backend must send them."""
    rule = resource.cors.rules[0] if resource.cors else None
    if rule is None:
        return ()
    out = []
    for res in managed:
        for name, method in sorted(res.methods.items()):
            integration_type = method.integration.type if method.integration else None
            if name == "OPTIONS":
                continue
            if integration_type in PROXY_INTEGRATIONS:
                out.append(tagged(RestProxyIntegration,
                                  f"{name} {res.path} uses a {integration_type} integration: API Gateway "
                                  f"passes the backend's response through, so the backend must send "
                                  f"{ALLOW_ORIGIN}"))
            elif _several(rule) and carries_cors(method) and not maps_origin_dynamically(method):
                out.append(tagged(RestSeveralOriginsOnActualResponses,
                                  f"{name} {res.path}: with several origins API Gateway cannot choose one "
                                  f"static {ALLOW_ORIGIN} for actual responses; the backend must send it "
                                  f"(map integration.response.header.{ALLOW_ORIGIN})"))
    return tuple(out)
