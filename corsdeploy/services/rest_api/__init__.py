"""API Gateway REST APIs (v1): there is no CORS object, so corsdeploy manages a pattern and owns only
what it marks.

The provider parses live state once into typed values (`state`); `pattern` is what the file asks
for, `view` the plan's REST shape rendered from both, `reconcile` the operations a write or a
restore executes, `template` the several-origins preflight template.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from corsdeploy.model import Kind, Live, Resource
from corsdeploy.services.rest_api.pattern import (
    carries_cors,
    gateway_headers,
    gateway_types,
    managed_resources,
    method_headers,
    preflight_headers,
    the_rule,
    warnings,
)
from corsdeploy.services.rest_api.reconcile import backup_of, check_ownership
from corsdeploy.services.rest_api.state import RestApiState
from corsdeploy.services.rest_api.view import live_view, normalize_view
from corsdeploy.shapes import rule_to_cors


def live_from_state(resource: Resource, state: RestApiState) -> Live:
    """The Live a read produces: checks ownership, renders the plan view and the warnings."""
    check_ownership(resource, state)
    return Live(address=resource.address, wire=live_view(resource, state), handle=state,
                warnings=warnings(resource, managed_resources(resource, state)))


def desired_view(resource: Resource, state: RestApiState) -> dict[str, Any] | None:
    """What the file asks for in the contract's REST shape, over the API structure read live."""
    rule = the_rule(resource)
    if rule is None or resource.cors is None:
        return None
    on_methods = method_headers(rule)
    resources = {
        res.path: {
            "preflight": preflight_headers(rule),
            "methods": {name: dict(on_methods) for name, method in sorted(res.methods.items())
                        if on_methods and carries_cors(method)},
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


class RestApiService:
    """CORS semantics of API Gateway REST APIs: the managed pattern and its plan shape."""

    kind = Kind.REST_API

    def desired(self, resource: Resource, live: Live) -> Mapping[str, Any] | None:
        return desired_view(resource, live.handle)

    def normalize(self, wire: Mapping[str, Any] | None) -> Any:
        return normalize_view(wire)


SERVICE = RestApiService()

__all__ = ["SERVICE", "RestApiService", "backup_of", "desired_view", "live_from_state"]
