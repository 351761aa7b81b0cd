"""What a redeployment would ship besides corsdeploy's change: the stage's deployed snapshot (its
OpenAPI 3 export with API Gateway's integration extensions) against the API's draft.

A deployment snapshots the whole draft, so corsdeploy's redeploy also publishes every change someone
made to the API and has not deployed yet. Compared: which methods exist on which paths, each
integration's type, HTTP method and URI, and the headers, mappings and templates of method and
integration responses, all without corsdeploy's own keys (its preflights and Access-Control-* keys).
Not compared: authorizers, request parameters, models and gateway responses (whether an export holds
the last is UNCONFIRMED, facts §2.6).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from corsdeploy.lint.plan_rules import RestStageServesOtherChanges
from corsdeploy.lint.rule import tagged
from corsdeploy.model import Resource
from corsdeploy.services.rest_api.pattern import (
    METHOD_HEADER,
    METHOD_KEYS,
    managed_resources,
    owns_preflight,
)
from corsdeploy.services.rest_api.state import Method, RestApiState

# The export's key for an ANY method; every other method is its lowercase verb.
ANY_METHOD = "x-amazon-apigateway-any-method"
INTEGRATION = "x-amazon-apigateway-integration"
# The export's key for the integration response without a selection pattern.
DEFAULT_RESPONSE = "default"
_OURS = frozenset(METHOD_HEADER + key for key in METHOD_KEYS)
_OUR_HEADERS = frozenset(key.lower() for key in METHOD_KEYS)
SHOWN = 5

# (path, method) -> what is compared of it
Projection = dict[tuple[str, str], dict[str, Any]]


def _theirs(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """A response-parameter map without corsdeploy's keys."""
    return {k: v for k, v in sorted(mapping.items()) if k not in _OURS}


def _templates(mapping: Mapping[str, Any] | None) -> dict[str, Any]:
    # An empty template is the same as none.
    return {k: v for k, v in sorted((mapping or {}).items()) if v}


def draft_projection(resource: Resource, state: RestApiState) -> Projection:
    """The draft's methods (corsdeploy's preflights left out), as they are compared."""
    managed = {r.path for r in managed_resources(resource, state)}
    projection: Projection = {}
    for res in state.resources:
        for name, method in res.methods.items():
            if name == "OPTIONS" and (res.path in managed or owns_preflight(resource, res, managed)):
                continue
            projection[(res.path, name)] = _method(method)
    return projection


def _method(method: Method) -> dict[str, Any]:
    integration = method.integration
    return {
        "integration": None if integration is None else {
            "type": (integration.type or "").lower(),
            "httpMethod": integration.other.get("httpMethod"),
            "uri": integration.other.get("uri"),
        },
        "responses": {status: sorted(_header(k) for k in _theirs(r.parameters))
                      for status, r in sorted(method.responses.items())},
        "integration_responses": {} if integration is None else {
            status: {"parameters": _theirs(r.parameters), "templates": _templates(r.templates),
                     "pattern": r.selection_pattern or None}
            for status, r in sorted(integration.responses.items())
        },
    }


def _header(parameter: str) -> str:
    return parameter.removeprefix(METHOD_HEADER)


def export_projection(resource: Resource, state: RestApiState, export: Mapping[str, Any]) -> Projection:
    """The deployed snapshot's methods, as they are compared (preflights left out where the draft's are)."""
    managed = {r.path for r in managed_resources(resource, state)}
    owned = {r.path for r in state.resources if owns_preflight(resource, r, managed)}
    projection: Projection = {}
    for path, operations in (export.get("paths") or {}).items():
        for key, operation in (operations or {}).items():
            name = "ANY" if key == ANY_METHOD else key.upper()
            if not isinstance(operation, Mapping) or (key != ANY_METHOD and key.startswith("x-")):
                continue
            if name == "OPTIONS" and (path in managed or path in owned):
                continue
            projection[(path, name)] = _exported_method(operation)
    return projection


def _exported_method(operation: Mapping[str, Any]) -> dict[str, Any]:
    integration = operation.get(INTEGRATION)
    responses = operation.get("responses") or {}
    return {
        "integration": None if integration is None else {
            "type": str(integration.get("type") or "").lower(),
            "httpMethod": integration.get("httpMethod"),
            "uri": integration.get("uri"),
        },
        "responses": {str(status): sorted(h for h in (r.get("headers") or {})
                                          if h.lower() not in _OUR_HEADERS)
                      for status, r in sorted(responses.items())},
        "integration_responses": {} if integration is None else {
            str(r.get("statusCode")): {
                "parameters": _theirs(r.get("responseParameters") or {}),
                "templates": _templates(r.get("responseTemplates")),
                "pattern": None if pattern == DEFAULT_RESPONSE else pattern,
            }
            for pattern, r in sorted((integration.get("responses") or {}).items())
        },
    }


def differences(draft: Projection, deployed: Projection) -> list[str]:
    """What the draft changes against the deployed snapshot, one phrase per method."""
    found = []
    for path, name in sorted(draft.keys() | deployed.keys(), key=lambda k: (k[0], k[1])):
        before, after = deployed.get((path, name)), draft.get((path, name))
        if before is None:
            found.append(f"{name} {path} is new")
        elif after is None:
            found.append(f"{name} {path} was removed")
        else:
            changed = [what.replace("_", " ") for what in after if after[what] != before[what]]
            if changed:
                found.append(f"{name} {path}: {' and '.join(changed)} changed")
    return found


def snapshot_warning(resource: Resource, state: RestApiState, export: Mapping[str, Any]) -> tuple[str, ...]:
    """The plan warning when the stage serves other than the draft outside corsdeploy's keys."""
    if not str(export.get("openapi", "")).startswith("3"):
        return ()  # not the OpenAPI 3 asked for (moto answers Swagger 2.0 without extensions)
    found = differences(draft_projection(resource, state), export_projection(resource, state, export))
    if not found:
        return ()
    shown = "; ".join(found[:SHOWN]) + (f"; and {len(found) - SHOWN} more" if len(found) > SHOWN else "")
    return (tagged(RestStageServesOtherChanges,
                   f"stage {state.stage!r} serves a deployment that differs from the API's draft beyond "
                   f"corsdeploy's CORS keys ({shown}): the redeployment after this change ships those too"),)
