"""Typed values of a REST API's live state, parsed once by the provider; everything else reads these.

Fields corsdeploy interprets are typed; the rest of what a put_* call takes is kept verbatim in
`other`, so a method can be written back exactly as it was read.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from corsdeploy.model import frozen
from corsdeploy.services.deployments import Deployment


def _empty() -> Mapping[str, Any]:
    return frozen()


@dataclass(frozen=True)
class MethodResponse:
    """One status of a method response: the headers it declares (value = required) and its models."""

    status: str
    parameters: Mapping[str, bool] = field(default_factory=_empty)
    models: Mapping[str, str] = field(default_factory=_empty)


@dataclass(frozen=True)
class IntegrationResponse:
    """One status of an integration response: header mappings, body templates and how it is selected."""

    status: str
    parameters: Mapping[str, str] = field(default_factory=_empty)
    templates: Mapping[str, str] = field(default_factory=_empty)
    selection_pattern: str | None = None
    content_handling: str | None = None


@dataclass(frozen=True)
class Integration:
    type: str | None
    request_templates: Mapping[str, str] = field(default_factory=_empty)
    content_handling: str | None = None
    responses: Mapping[str, IntegrationResponse] = field(default_factory=_empty)
    # Every other field GetMethod returns for the integration, as it returned it.
    other: Mapping[str, Any] = field(default_factory=_empty)


@dataclass(frozen=True)
class Method:
    http_method: str
    authorization_type: str | None = None
    api_key_required: bool = False
    operation_name: str | None = None
    responses: Mapping[str, MethodResponse] = field(default_factory=_empty)
    integration: Integration | None = None
    # Every other field GetMethod returns for the method (authorizer, request parameters, ...).
    other: Mapping[str, Any] = field(default_factory=_empty)

    def success_statuses(self) -> list[str]:
        """The 2xx statuses the integration answers with (what actual CORS responses use)."""
        responses = self.integration.responses if self.integration else {}
        return sorted(status for status in responses if status.startswith("2"))


@dataclass(frozen=True)
class StatusResponses:
    """A method's method response and integration response for one status (written as a pair)."""

    method_response: MethodResponse | None
    integration_response: IntegrationResponse


@dataclass(frozen=True)
class RestResource:
    id: str
    path: str
    methods: Mapping[str, Method] = field(default_factory=_empty)


@dataclass(frozen=True)
class GatewayResponse:
    response_type: str
    status: str | None = None
    parameters: Mapping[str, str] = field(default_factory=_empty)
    templates: Mapping[str, str] = field(default_factory=_empty)
    # True for a type nobody customised (AWS lists those too).
    default: bool = True


@dataclass(frozen=True)
class RestApiState:
    """The API structure one read saw (Live.handle): what plan views and writes are derived from."""

    api_id: str
    stage: str
    resources: tuple[RestResource, ...]
    gateway_responses: Mapping[str, GatewayResponse]
    stage_deployment: str | None = None
    deployments: tuple[Deployment, ...] = ()
    # The other IaC tool the API's tags say manages it (corsdeploy.services.co_managed); None: none.
    managed_by: str | None = None

    def resource(self, path: str) -> RestResource | None:
        return next((r for r in self.resources if r.path == path), None)

    def responses(self, path: str, http_method: str, status: str) -> StatusResponses | None:
        """One status's responses of a method, or None when the method or its integration response is gone."""
        res = self.resource(path)
        method = res.methods.get(http_method) if res else None
        integration = method.integration if method else None
        if method is None or integration is None or status not in integration.responses:
            return None
        return StatusResponses(method.responses.get(status), integration.responses[status])


@dataclass(frozen=True)
class RestBackup:
    """What a write may change, as it was: enough to put every piece back exactly."""

    api_id: str
    # path -> the OPTIONS method as it was (None: the resource had none).
    preflights: Mapping[str, Method | None]
    # (path, http method, status) -> that status's responses of a user's method.
    responses: Mapping[tuple[str, str, str], StatusResponses]
    # response type -> the gateway response as it was.
    gateway_responses: Mapping[str, GatewayResponse]
