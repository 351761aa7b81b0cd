"""The operations that make a REST API match the file (a write) or a backup (a restore), and the
backup itself. Pure: the provider executes the operations in order."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from corsdeploy.errors import CorsdeployError, PlanError, Problem
from corsdeploy.model import Resource, frozen
from corsdeploy.services.rest_api.pattern import (
    GATEWAY_HEADER,
    GATEWAY_KEYS,
    METHOD_HEADER,
    METHOD_KEYS,
    Headers,
    carries_cors,
    gateway_headers,
    gateway_types,
    is_ours,
    is_static,
    managed_resources,
    method_headers,
    owns_preflight,
    preflight_method,
    the_rule,
)
from corsdeploy.services.rest_api.state import (
    GatewayResponse,
    Method,
    MethodResponse,
    RestApiState,
    RestBackup,
    RestResource,
    StatusResponses,
)
from corsdeploy.services.rest_api.view import gateway_view, method_view, preflight_view

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


@dataclass(frozen=True)
class ReplacePreflight:
    """Delete the resource's OPTIONS method (when `existing`), then create `method` (when given)."""

    resource_id: str
    path: str
    existing: bool
    method: Method | None


@dataclass(frozen=True)
class StatusChange:
    """One status of a user's method, from `before` to `after` (no method response after: delete it)."""

    status: str
    before: StatusResponses
    after: StatusResponses


@dataclass(frozen=True)
class UpdateResponses:
    """Change statuses of a user's method; the provider leaves the method as it was or as asked."""

    resource_id: str
    http_method: str
    changes: tuple[StatusChange, ...]


@dataclass(frozen=True)
class PutGatewayResponse:
    response: GatewayResponse


@dataclass(frozen=True)
class DeleteGatewayResponse:
    response_type: str


Operation = ReplacePreflight | UpdateResponses | PutGatewayResponse | DeleteGatewayResponse


# --- what the file asks for -----------------------------------------------------------------------


def check_ownership(resource: Resource, state: RestApiState) -> None:
    """A preflight corsdeploy did not create is a PlanError where the file wants one, unless adopted."""
    if resource.cors is None:
        return
    managed = managed_resources(resource, state)
    paths = {r.path for r in managed}
    foreign = [r.path for r in managed if "OPTIONS" in r.methods and not owns_preflight(resource, r, paths)]
    if foreign:
        raise PlanError(Problem(
            f"OPTIONS on {', '.join(foreign)} was not created by corsdeploy (operationName is not "
            f"'corsdeploy-preflight'); remove it or set adopt_preflights: true to let corsdeploy replace it",
            address=resource.address,
        ))


def operations(resource: Resource, state: RestApiState) -> list[Operation]:
    """The calls that make the live pattern what the file asks for (`absent` included)."""
    check_ownership(resource, state)
    rule = the_rule(resource)
    paths = {r.path for r in managed_resources(resource, state)}
    on_methods = method_headers(rule) if rule else {}
    ops: list[Operation] = []
    for res in sorted(state.resources, key=lambda r: r.path):
        owned = owns_preflight(resource, res, paths)
        wanted = preflight_method(rule) if rule and res.path in paths else None
        have = res.methods.get("OPTIONS") if owned else None
        if (have is not None or "OPTIONS" not in res.methods) and _preflight_differs(have, wanted):
            ops.append(ReplacePreflight(res.id, res.path, have is not None, wanted))
        if res.path in paths or owned:
            ops += _method_operations(res, on_methods if res.path in paths else {})
    headers = gateway_headers(resource, rule) if rule and gateway_types(resource) else {}
    for response_type in gateway_types(resource):
        ops += _gateway_operations(state.gateway_responses.get(response_type), response_type, headers)
    return ops


def _preflight_differs(have: Method | None, wanted: Method | None) -> bool:
    return (preflight_view(have) if have else None) != (preflight_view(wanted) if wanted else None)


def _method_operations(res: RestResource, wanted: Headers) -> list[Operation]:
    ops: list[Operation] = []
    for name, method in sorted(res.methods.items()):
        if not carries_cors(method) or method_view(method) == wanted:
            continue
        changes = tuple(change for status in method.success_statuses()
                        if (change := _merge_status(method, status, wanted)) is not None)
        if changes:
            ops.append(UpdateResponses(res.id, name, changes))
    return ops


def _merge_status(method: Method, status: str, wanted: Headers) -> StatusChange | None:
    """Merge the managed keys into one status's responses, keeping every other field as it is."""
    assert method.integration is not None
    integration = method.integration.responses[status]
    method_response = method.responses.get(status)
    parameters = dict(integration.parameters)
    declared = dict(method_response.parameters) if method_response else {}
    for key in METHOD_KEYS:
        param = METHOD_HEADER + key
        value = wanted.get(key)
        if value is not None:
            parameters[param] = value
            declared.setdefault(param, False)
        elif param in parameters and is_static(parameters[param]):
            del parameters[param]
            declared.pop(param, None)
    before = StatusResponses(method_response, integration)
    after = StatusResponses(
        replace(method_response or MethodResponse(status), parameters=frozen(declared)),
        replace(integration, parameters=frozen(parameters)),
    )
    return None if after == before else StatusChange(status, before, after)


def _gateway_operations(
    existing: GatewayResponse | None, response_type: str, wanted: Headers
) -> list[Operation]:
    if (gateway_view(existing) or {}) == wanted:
        return []
    existing = existing or GatewayResponse(response_type)
    parameters = {k: v for k, v in existing.parameters.items()
                  if k not in {GATEWAY_HEADER + key for key in GATEWAY_KEYS}}
    parameters.update({GATEWAY_HEADER + key: value for key, value in wanted.items()})
    if not parameters and _is_default(existing):
        return [] if existing.default else [DeleteGatewayResponse(response_type)]
    return [PutGatewayResponse(replace(existing, parameters=frozen(parameters), default=False))]


def _is_default(response: GatewayResponse) -> bool:
    templates = response.templates.items()
    same_templates = all(not v or DEFAULT_GATEWAY_TEMPLATES.get(k) == v for k, v in templates)
    return same_templates and response.status in (None, DEFAULT_GATEWAY_STATUS.get(response.response_type))


# --- backups --------------------------------------------------------------------------------------


def backup_of(resource: Resource, state: RestApiState) -> RestBackup:
    """Every piece a write for `resource` may change, as it is now."""
    paths = {r.path for r in managed_resources(resource, state)}
    touched = [r for r in state.resources if r.path in paths or owns_preflight(resource, r, paths)]
    responses = {
        (res.path, name, status): pair
        for res in touched for name, method in res.methods.items() if carries_cors(method)
        for status in method.success_statuses()
        if (pair := state.responses(res.path, name, status)) is not None
    }
    return RestBackup(
        api_id=state.api_id,
        preflights=frozen({r.path: r.methods.get("OPTIONS") for r in touched}),
        responses=frozen(responses),
        gateway_responses=frozen({t: state.gateway_responses.get(t) or GatewayResponse(t)
                                  for t in gateway_types(resource)}),
    )


def restore_operations(resource: Resource, state: RestApiState, backup: RestBackup) -> list[Operation]:
    """The calls that put every piece of `backup` back exactly as it was."""
    if backup.api_id != state.api_id:
        raise CorsdeployError(Problem(f"the backup is of REST API {backup.api_id}, not {state.api_id}",
                                      address=resource.address))
    ops: list[Operation] = []
    for path, saved in sorted(backup.preflights.items()):
        res = _resource(resource, state, path)
        have = res.methods.get("OPTIONS")
        # An OPTIONS method someone else made since the backup is theirs: left alone.
        if have != saved and (saved is not None or is_ours(have)):
            ops.append(ReplacePreflight(res.id, path, have is not None, saved))
    by_method: dict[tuple[str, str], list[StatusChange]] = {}
    for (path, name, status), saved_responses in sorted(backup.responses.items()):
        current = state.responses(path, name, status)
        if current is None:
            raise CorsdeployError(Problem(f"{name} {path} no longer answers {status}; it cannot be restored",
                                          address=resource.address))
        if current != saved_responses:
            by_method.setdefault((path, name), []).append(StatusChange(status, current, saved_responses))
    for (path, name), changes in by_method.items():
        ops.append(UpdateResponses(_resource(resource, state, path).id, name, tuple(changes)))
    for response_type, saved_gateway in sorted(backup.gateway_responses.items()):
        have_gateway = state.gateway_responses.get(response_type) or GatewayResponse(response_type)
        if saved_gateway.default and not have_gateway.default:
            ops.append(DeleteGatewayResponse(response_type))
        elif not saved_gateway.default and have_gateway != saved_gateway:
            ops.append(PutGatewayResponse(saved_gateway))
    return ops


def _resource(resource: Resource, state: RestApiState, path: str) -> RestResource:
    res = state.resource(path)
    if res is None:
        raise CorsdeployError(Problem(f"resource {path} no longer exists", address=resource.address))
    return res
