"""API Gateway HTTP APIs: find the API by name (or `id:`), read and write its CorsConfiguration."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from corsdeploy.aws import error_code, translate
from corsdeploy.errors import PlanError, Problem
from corsdeploy.model import Kind, Live, Resource
from corsdeploy.providers.api_names import ApiNames
from corsdeploy.services.http_api import SERVICE

if TYPE_CHECKING:
    from corsdeploy.aws import Clients

# IAM knows API Gateway v2 calls by HTTP verb on the resource path.
READ_ACTION = "apigateway:GET"  # get_apis, get_api, get_routes
UPDATE_ACTION = "apigateway:PATCH"  # update_api
DELETE_ACTION = "apigateway:DELETE"  # delete_cors_configuration


class HttpApiProvider:
    """Reads and writes the CORS of HTTP APIs; one `get_apis` listing per instance, shared by threads."""

    kind = Kind.HTTP_API
    read_actions = (READ_ACTION,)
    write_actions = (UPDATE_ACTION, DELETE_ACTION)

    def __init__(self, clients: Clients) -> None:
        self._clients = clients
        self._names = ApiNames("HTTP API", self._list_http_apis)

    def read(self, resource: Resource) -> Live:
        api = self._get_api(resource, self._api_id(resource))
        cors = api.get("CorsConfiguration")
        warnings = () if resource.cors is None else self._authorizer_warnings(resource, api["ApiId"])
        return Live(
            address=resource.address,
            wire=dict(cors) if cors is not None and SERVICE.normalize(cors) is not None else None,
            handle=api["ApiId"],
            warnings=warnings,
        )

    def write(self, resource: Resource, live: Live, wire: Mapping[str, Any] | None) -> None:
        client = self._clients.client("apigatewayv2")
        try:
            if wire is not None:
                # Whether update_api merges a partial CorsConfiguration is UNCONFIRMED: the whole
                # object is sent, and apply's re-read verifies the result.
                client.update_api(ApiId=live.handle, CorsConfiguration=dict(wire))
            elif live.wire is not None:
                client.delete_cors_configuration(ApiId=live.handle)
        except ClientError as error:
            action = UPDATE_ACTION if wire is not None else DELETE_ACTION
            raise translate(error, action, resource.address) from error

    def _api_id(self, resource: Resource) -> str:
        if resource.settings.get("id"):
            return str(resource.settings["id"])
        return self._names.resolve(resource)

    def _list_http_apis(self, resource: Resource) -> list[tuple[str, str]]:
        try:
            return [
                (api["Name"], api["ApiId"])
                for page in self._clients.client("apigatewayv2").get_paginator("get_apis").paginate()
                for api in page.get("Items", [])
                if api.get("ProtocolType") == "HTTP"
            ]
        except ClientError as error:
            raise translate(error, READ_ACTION, resource.address) from error

    def _get_api(self, resource: Resource, api_id: str) -> Mapping[str, Any]:
        try:
            api: Mapping[str, Any] = self._clients.client("apigatewayv2").get_api(ApiId=api_id)
        except ClientError as error:
            if error_code(error) == "NotFoundException":
                problem = Problem(f"no HTTP API has id {api_id!r}", address=resource.address)
                raise PlanError(problem) from error
            raise translate(error, READ_ACTION, resource.address) from error
        if api.get("ProtocolType") != "HTTP":
            message = f"API {api_id!r} is a {api.get('ProtocolType')} API, not an HTTP API"
            raise PlanError(Problem(message, address=resource.address))
        return api

    def _authorizer_warnings(self, resource: Resource, api_id: str) -> tuple[str, ...]:
        try:
            pages = self._clients.client("apigatewayv2").get_paginator("get_routes").paginate(ApiId=api_id)
            routes = [route for page in pages for route in page.get("Items", [])]
        except ClientError as error:
            raise translate(error, READ_ACTION, resource.address) from error
        return authorizer_warnings(routes)


# `$default` catches every path and method without a route of its own, OPTIONS included.
_DEFAULT_ROUTE = "$default"
_DEFAULT_PREFLIGHT_PATH = "/{proxy+}"


def authorizer_warnings(routes: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    """Warnings for authorized routes that catch preflights (browsers send no credentials with one)."""
    routes = list(routes)
    open_preflights = {
        route["RouteKey"].split(" ", 1)[1]
        for route in routes
        if route["RouteKey"].startswith("OPTIONS ") and _authorization(route) == "NONE"
    }
    warnings = []
    for route in sorted(routes, key=lambda r: str(r["RouteKey"])):
        key, authorization = route["RouteKey"], _authorization(route)
        if authorization == "NONE":
            continue
        method, _, path = key.partition(" ")
        if key == _DEFAULT_ROUTE:
            path = _DEFAULT_PREFLIGHT_PATH
        elif method not in ("ANY", "OPTIONS"):
            continue
        if method != "OPTIONS" and path in open_preflights:
            continue
        fix = ("remove its authorization" if method == "OPTIONS"
               else f"add an 'OPTIONS {path}' route without authorization")
        warnings.append(
            f"route {key!r} has a {authorization} authorizer and catches OPTIONS: API Gateway sends CORS "
            f"preflights to the authorizer and they fail; {fix}"
        )
    return tuple(warnings)


def _authorization(route: Mapping[str, Any]) -> str:
    return str(route.get("AuthorizationType") or "NONE")


PROVIDER_CLASS = HttpApiProvider
