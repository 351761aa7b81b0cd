"""The plan view of a REST API (the contract's REST JSON shape), rendered from typed state.

The view is for people and for comparing; nothing is ever written from it.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from corsdeploy.model import Resource
from corsdeploy.services import digest
from corsdeploy.services.deployments import Deployment, stage_is_current
from corsdeploy.services.rest_api.pattern import (
    ALLOW_CREDENTIALS,
    ALLOW_HEADERS,
    ALLOW_METHODS,
    ALLOW_ORIGIN,
    EXPOSE_HEADERS,
    GATEWAY_HEADER,
    GATEWAY_KEYS,
    MAX_AGE,
    METHOD_HEADER,
    METHOD_KEYS,
    PREFLIGHT_CONTENT_HANDLING,
    PREFLIGHT_OPERATION,
    PREFLIGHT_REQUEST_TEMPLATES,
    PREFLIGHT_STATUS,
    Headers,
    carries_cors,
    gateway_types,
    is_static,
    managed_resources,
    owns_preflight,
)
from corsdeploy.services.rest_api.state import (
    GatewayResponse,
    Method,
    MethodResponse,
    RestApiState,
)
from corsdeploy.services.rest_api.template import OVERRIDDEN_HEADER, template_origins, template_view
from corsdeploy.shapes import rule_from_cors, rule_to_cors

# The view's `deployment`: whether the stage serves corsdeploy's last change to the draft.
CURRENT, PENDING = "current", "pending"

# Pseudo-header in a preflight's plan value listing what differs from corsdeploy's OPTIONS method.
DRIFT_KEY = "(method)"
# Prefix of a method's plan value when its 2xx responses carry different values.
MIXED_PREFIX = "differs by status: "
# Deployments corsdeploy creates carry this prefix and the digest of the draft they snapshot.
DEPLOYMENT_PREFIX = "corsdeploy "

Cors = dict[str, Any]


def live_view(resource: Resource, state: RestApiState) -> dict[str, Any] | None:
    """The live pattern in the contract's REST shape; None when nothing of corsdeploy's is there.

    "Cors" is a summary for readers, rebuilt from the first preflight corsdeploy owns (and the first
    Expose-Headers value found); normalize leaves it out, since resources and gateway responses
    hold the whole state.
    """
    resources = _resources_view(resource, state)
    gateway = {t: gateway_view(state.gateway_responses.get(t)) for t in gateway_types(resource)}
    if not resources and not any(gateway.values()):
        return None
    view: dict[str, Any] = {"Cors": _cors_summary(resource, state, resources, gateway),
                            "resources": resources, "gateway_responses": gateway}
    view["deployment"] = deployment_status(state, state_digest(view))
    return view


def _resources_view(resource: Resource, state: RestApiState) -> dict[str, Any]:
    managed = {r.path for r in managed_resources(resource, state)}
    view: dict[str, Any] = {}
    for res in sorted(state.resources, key=lambda r: r.path):
        options = res.methods.get("OPTIONS")
        preflight = preflight_view(options) if options and owns_preflight(resource, res, managed) else None
        methods: dict[str, Headers] = {}
        if res.path in managed or preflight is not None:
            methods = {name: headers for name, method in sorted(res.methods.items())
                       if (headers := method_view(method))}
        if preflight is not None or methods:
            view[res.path] = {"preflight": preflight, "methods": methods}
    return view


def preflight_view(method: Method) -> Headers:
    """The headers an OPTIONS method's 200 answer carries, and DRIFT_KEY when it differs from ours."""
    integration = method.integration
    response = integration.responses.get(PREFLIGHT_STATUS) if integration else None
    declared = (method.responses.get(PREFLIGHT_STATUS) or MethodResponse(PREFLIGHT_STATUS)).parameters
    templates = {k: v for k, v in (response.templates if response else {}).items() if v}
    view: Headers = {}
    drift: list[str] = []
    for key, value in sorted((response.parameters if response else {}).items()):
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
    drift += _method_drift(method)
    if drift:
        view[DRIFT_KEY] = "; ".join(drift)
    return dict(sorted(view.items()))


def _method_drift(method: Method) -> list[str]:
    expected = {"operationName": (method.operation_name, PREFLIGHT_OPERATION),
                "authorizationType": (method.authorization_type, "NONE"),
                "apiKeyRequired": (method.api_key_required, False)}
    drift = [f"{key} is {have!r}" for key, (have, want) in expected.items() if have != want]
    integration = method.integration
    if integration is None or integration.type != "MOCK":
        drift.append(f"integration is {integration and integration.type!r}, not MOCK")
        return drift
    if dict(integration.request_templates) != PREFLIGHT_REQUEST_TEMPLATES:
        drift.append("MOCK request template differs")
    if integration.content_handling != PREFLIGHT_CONTENT_HANDLING:
        drift.append(f"contentHandling is {integration.content_handling!r}, not {PREFLIGHT_CONTENT_HANDLING} "
                     "(binary media types make such a preflight answer 500)")
    return drift


def method_view(method: Method) -> Headers:
    """The static (quoted) managed values on a method's 2xx responses; mappings are the user's."""
    if not carries_cors(method):
        return {}
    view: Headers = {}
    for key in METHOD_KEYS:
        values = {status: static_value(method, status, key) for status in method.success_statuses()}
        distinct = set(values.values())
        if distinct == {None}:
            continue
        if len(distinct) == 1:
            view[key] = str(distinct.pop())
        else:
            view[key] = MIXED_PREFIX + ", ".join(f"{s}={v or 'none'}" for s, v in values.items())
    return dict(sorted(view.items()))


def static_value(method: Method, status: str, key: str) -> str | None:
    """The static value a 2xx status maps to `key`, when its method response declares it."""
    assert method.integration is not None
    value = method.integration.responses[status].parameters.get(METHOD_HEADER + key)
    declared = (method.responses.get(status) or MethodResponse(status)).parameters
    return value if value is not None and is_static(value) and METHOD_HEADER + key in declared else None


def gateway_view(response: GatewayResponse | None) -> Headers | None:
    parameters = response.parameters if response else {}
    view = {key: parameters[GATEWAY_HEADER + key] for key in sorted(GATEWAY_KEYS)
            if GATEWAY_HEADER + key in parameters}
    return view or None


def _cors_summary(resource: Resource, state: RestApiState, resources: Mapping[str, Any],
                  gateway: Mapping[str, Headers | None]) -> Cors | None:
    path = next((p for p, e in sorted(resources.items()) if e["preflight"]), None)
    if path is None:
        return None
    preflight = resources[path]["preflight"]
    expose = next((h[EXPOSE_HEADERS] for h in _header_sets(resources, gateway) if EXPOSE_HEADERS in h), None)
    max_age = _unquote(preflight.get(MAX_AGE))
    return rule_to_cors(rule_from_cors({
        "AllowOrigins": _origins(state, path, preflight.get(ALLOW_ORIGIN, "")),
        "AllowMethods": _split(preflight.get(ALLOW_METHODS)),
        "AllowHeaders": _split(preflight.get(ALLOW_HEADERS)),
        "ExposeHeaders": _split(expose),
        "MaxAge": int(max_age) if max_age is not None and max_age.lstrip("-").isdigit() else None,
        "AllowCredentials": True if preflight.get(ALLOW_CREDENTIALS) == "'true'" else None,
    }))


def _origins(state: RestApiState, path: str, shown: str) -> list[str]:
    """A preflight's origins: the static value, or the list of the template corsdeploy wrote."""
    res = state.resource(path)
    options = res.methods.get("OPTIONS") if res else None
    integration = options.integration if options else None
    response = integration.responses.get(PREFLIGHT_STATUS) if integration else None
    template = (response.templates.get("application/json") if response else None) or ""
    return list(template_origins(template) or ()) or _split(shown)


def _header_sets(resources: Mapping[str, Any], gateway: Mapping[str, Headers | None]) -> Iterable[Headers]:
    for _, entry in sorted(resources.items()):
        yield from (headers for _, headers in sorted(entry["methods"].items()))
    yield from (headers for _, headers in sorted(gateway.items()) if headers)


def _unquote(value: str | None) -> str | None:
    return value[1:-1] if value is not None and is_static(value) else None


def _split(value: str | None) -> list[str]:
    inner = _unquote(value)
    return [item.strip() for item in inner.split(",") if item.strip()] if inner else []


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
    deployment = wire.get("deployment", CURRENT)
    return {"resources": resources, "gateway_responses": gateway, "deployment": deployment}


def state_digest(wire: Mapping[str, Any] | None) -> str:
    """A digest of the managed CORS state (deployment status and summary left out)."""
    value = normalize_view(wire)
    if value is not None:
        value.pop("deployment")
    return digest(value)[:20]


def deployment_description(wire: Mapping[str, Any] | None) -> str:
    """The description corsdeploy's deployments carry: it names the draft they snapshot."""
    return DEPLOYMENT_PREFIX + state_digest(wire)


def deployment_status(state: RestApiState, draft_digest: str) -> str:
    """"current" or "pending": whether the stage serves corsdeploy's last change to the draft."""
    current = stage_is_current(state.stage_deployment, state.deployments, _is_ours,
                               lambda deployment: _snapshots(deployment, draft_digest))
    return CURRENT if current else PENDING


def _is_ours(deployment: Deployment) -> bool:
    return (deployment.description or "").startswith(DEPLOYMENT_PREFIX.strip())


def _snapshots(deployment: Deployment, draft_digest: str) -> bool:
    """Whether corsdeploy made `deployment` of a draft with this digest."""
    return _is_ours(deployment) and draft_digest in (deployment.description or "")


