"""API Gateway's REST shapes <-> corsdeploy's typed REST state, and the JSON form of REST backups.

Reads are parsed here once; writes take their keyword arguments from here. A backup is JSON holding
the same shapes GetMethod and GetGatewayResponses return, so it reads back through the same parser.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from corsdeploy.errors import CorsdeployError, Problem
from corsdeploy.model import frozen
from corsdeploy.services.deployments import Deployment
from corsdeploy.services.rest_api.state import (
    GatewayResponse,
    Integration,
    IntegrationResponse,
    Method,
    MethodResponse,
    RestBackup,
    RestResource,
    StatusResponses,
)

BACKUP_FORMAT = "corsdeploy.rest_api.backup/1"
# Method fields corsdeploy interprets; every other field GetMethod returns is one put_method takes.
_METHOD_TYPED = {"httpMethod", "authorizationType", "apiKeyRequired", "operationName", "methodResponses",
                 "methodIntegration"}
_INTEGRATION_TYPED = {"type", "requestTemplates", "contentHandling", "integrationResponses"}
# GetMethod names the integration's own HTTP method `httpMethod`; put_integration calls it this.
_INTEGRATION_RENAMED = {"httpMethod": "integrationHttpMethod"}


def _templates(value: Mapping[str, str | None] | None) -> Mapping[str, str]:
    # moto reads an empty template back as None; API Gateway stores it as "".
    return frozen({kind: text or "" for kind, text in (value or {}).items()})


# --- AWS -> typed ---------------------------------------------------------------------------------


def parse_method(raw: Mapping[str, Any]) -> Method:
    integration = raw.get("methodIntegration")
    return Method(
        http_method=str(raw["httpMethod"]),
        authorization_type=raw.get("authorizationType"),
        api_key_required=bool(raw.get("apiKeyRequired", False)),
        operation_name=raw.get("operationName"),
        responses=frozen({status: parse_method_response(r)
                          for status, r in (raw.get("methodResponses") or {}).items()}),
        integration=None if integration is None else parse_integration(integration),
        other=frozen({k: v for k, v in raw.items() if k not in _METHOD_TYPED}),
    )


def parse_integration(raw: Mapping[str, Any]) -> Integration:
    return Integration(
        type=raw.get("type"),
        request_templates=_templates(raw.get("requestTemplates")),
        content_handling=raw.get("contentHandling"),
        responses=frozen({status: parse_integration_response(r)
                          for status, r in (raw.get("integrationResponses") or {}).items()}),
        other=frozen({k: v for k, v in raw.items() if k not in _INTEGRATION_TYPED}),
    )


def parse_method_response(raw: Mapping[str, Any]) -> MethodResponse:
    return MethodResponse(str(raw["statusCode"]), frozen(raw.get("responseParameters") or {}),
                          frozen(raw.get("responseModels") or {}))


def parse_integration_response(raw: Mapping[str, Any]) -> IntegrationResponse:
    return IntegrationResponse(
        status=str(raw["statusCode"]),
        parameters=frozen(raw.get("responseParameters") or {}),
        templates=_templates(raw.get("responseTemplates")),
        selection_pattern=raw.get("selectionPattern"),
        content_handling=raw.get("contentHandling"),
    )


def parse_resource(raw: Mapping[str, Any]) -> RestResource:
    raw_methods = raw.get("resourceMethods") or {}
    methods = {name: parse_method({"httpMethod": name, **m}) for name, m in raw_methods.items()}
    return RestResource(str(raw["id"]), str(raw["path"]), frozen(methods))


def parse_gateway_response(raw: Mapping[str, Any]) -> GatewayResponse:
    return GatewayResponse(
        response_type=str(raw["responseType"]),
        status=raw.get("statusCode"),
        parameters=frozen(raw.get("responseParameters") or {}),
        templates=_templates(raw.get("responseTemplates")),
        default=bool(raw.get("defaultResponse", False)),
    )


def parse_deployment(raw: Mapping[str, Any]) -> Deployment:
    created = raw.get("createdDate")
    return Deployment(str(raw["id"]), raw.get("description"),
                      int(created.timestamp()) if isinstance(created, datetime) else None)


# --- typed -> AWS ---------------------------------------------------------------------------------


def _set(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def method_fields(method: Method) -> dict[str, Any]:
    """put_method's keyword arguments (target left out)."""
    typed = _set(authorizationType=method.authorization_type or "NONE",
                 apiKeyRequired=method.api_key_required, operationName=method.operation_name)
    return {**typed, **method.other}


def integration_fields(integration: Integration) -> dict[str, Any]:
    """put_integration's keyword arguments (target left out)."""
    other = {_INTEGRATION_RENAMED.get(k, k): v for k, v in integration.other.items()}
    templates = dict(integration.request_templates) or None
    return {**_set(type=integration.type, requestTemplates=templates,
                   contentHandling=integration.content_handling), **other}


def _maps(**fields: Mapping[str, Any]) -> dict[str, Any]:
    """Map fields that hold something (API Gateway omits empty ones on read)."""
    return {k: dict(v) for k, v in fields.items() if v}


def method_response_fields(response: MethodResponse) -> dict[str, Any]:
    return {"statusCode": response.status,
            **_maps(responseParameters=response.parameters, responseModels=response.models)}


def integration_response_fields(response: IntegrationResponse) -> dict[str, Any]:
    return {"statusCode": response.status,
            **_maps(responseParameters=response.parameters, responseTemplates=response.templates),
            **_set(selectionPattern=response.selection_pattern, contentHandling=response.content_handling)}


def gateway_response_fields(response: GatewayResponse) -> dict[str, Any]:
    """put_gateway_response's keyword arguments (API id left out)."""
    return {"responseType": response.response_type, "responseParameters": dict(response.parameters),
            "responseTemplates": dict(response.templates), **_set(statusCode=response.status)}


def method_shape(method: Method) -> dict[str, Any]:
    """A method the way GetMethod returns it."""
    shape: dict[str, Any] = {"httpMethod": method.http_method, "apiKeyRequired": method.api_key_required,
                             **_set(authorizationType=method.authorization_type,
                                    operationName=method.operation_name), **method.other}
    shape["methodResponses"] = {s: method_response_fields(r) for s, r in method.responses.items()}
    if method.integration is not None:
        integration = method.integration
        shape["methodIntegration"] = {
            **_set(type=integration.type, contentHandling=integration.content_handling),
            "requestTemplates": dict(integration.request_templates), **integration.other,
            "integrationResponses": {s: integration_response_fields(r)
                                     for s, r in integration.responses.items()},
        }
    return shape


def _gateway_shape(response: GatewayResponse) -> dict[str, Any]:
    return {**gateway_response_fields(response), "defaultResponse": response.default}


# --- backups --------------------------------------------------------------------------------------


def backup_document(view: Mapping[str, Any] | None, backup: RestBackup) -> dict[str, Any]:
    """The JSON a backup file holds: the plan view for people, and every piece as AWS returned it."""
    methods: dict[str, dict[str, dict[str, Any]]] = {}
    for (path, name, status), pair in sorted(backup.responses.items()):
        declared = pair.method_response
        methods.setdefault(path, {}).setdefault(name, {})[status] = {
            "methodResponse": None if declared is None else method_response_fields(declared),
            "integrationResponse": integration_response_fields(pair.integration_response),
        }
    return {
        "format": BACKUP_FORMAT,
        "api_id": backup.api_id,
        "view": view,
        "preflights": {path: None if m is None else method_shape(m)
                       for path, m in sorted(backup.preflights.items())},
        "methods": methods,
        "gateway_responses": {t: _gateway_shape(r) for t, r in sorted(backup.gateway_responses.items())},
    }


def backup_from_document(document: Mapping[str, Any], address: str) -> RestBackup:
    """The typed backup a backup file holds; anything else is an error naming the address."""
    if not isinstance(document, Mapping) or document.get("format") != BACKUP_FORMAT:
        raise CorsdeployError(Problem(f"not a REST API backup (format {BACKUP_FORMAT!r} expected)",
                                      address=address))
    try:
        responses = {
            (path, name, status): StatusResponses(
                None if pair["methodResponse"] is None else parse_method_response(pair["methodResponse"]),
                parse_integration_response(pair["integrationResponse"]),
            )
            for path, names in document["methods"].items()
            for name, statuses in names.items()
            for status, pair in statuses.items()
        }
        return RestBackup(
            api_id=str(document["api_id"]),
            preflights=frozen({path: None if m is None else parse_method(m)
                               for path, m in document["preflights"].items()}),
            responses=frozen(responses),
            gateway_responses=frozen({t: parse_gateway_response(r)
                                      for t, r in document["gateway_responses"].items()}),
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise CorsdeployError(Problem(f"REST API backup is damaged: missing or malformed {error}",
                                      address=address)) from error
