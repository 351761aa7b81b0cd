"""API Gateway HTTP APIs: find the API by name (or `id:`), read and write its CorsConfiguration."""
from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from botocore.exceptions import ClientError

from corsdeploy.aws import translate
from corsdeploy.lint.plan_rules import AuthorizerCatchesPreflight
from corsdeploy.lint.rule import tagged
from corsdeploy.model import Kind, Live, Resource
from corsdeploy.providers.api_names import ApiListing
from corsdeploy.providers.calls import Calls
from corsdeploy.providers.operations import APIGATEWAY, Grant, Operation, Phase, grants_of
from corsdeploy.services.co_managed import other_manager, plan_warning, refuse_write
from corsdeploy.services.deployments import Deployment
from corsdeploy.services.http_api import (
    SERVICE,
    Stage,
    complete_cors,
    deployment_description,
    deployment_pending,
    stage_to_deploy,
    stage_warnings,
)

if TYPE_CHECKING:
    from corsdeploy.aws import Clients


def _v2(name: str, verb: str, path: str, phase: Phase) -> Operation:
    # IAM knows API Gateway calls by HTTP verb on the resource path.
    return Operation("apigatewayv2", name, f"apigateway:{verb}", APIGATEWAY + path, phase)


GET_APIS = _v2("GetApis", "GET", "/apis", Phase.PLAN)
GET_STAGES = _v2("GetStages", "GET", "/apis/{ApiId}/stages", Phase.PLAN)
GET_DEPLOYMENTS = _v2("GetDeployments", "GET", "/apis/{ApiId}/deployments", Phase.PLAN)
GET_ROUTES = _v2("GetRoutes", "GET", "/apis/{ApiId}/routes", Phase.PLAN)
# Only after this provider wrote the API (apply's verification): the listing shows it as it was.
GET_API = _v2("GetApi", "GET", "/apis/{ApiId}", Phase.APPLY)
UPDATE_API = _v2("UpdateApi", "PATCH", "/apis/{ApiId}", Phase.APPLY)
DELETE_CORS = _v2("DeleteCorsConfiguration", "DELETE", "/apis/{ApiId}/cors", Phase.APPLY)
CREATE_DEPLOYMENT = _v2("CreateDeployment", "POST", "/apis/{ApiId}/deployments", Phase.APPLY)
OPERATIONS = (GET_APIS, GET_STAGES, GET_DEPLOYMENTS, GET_ROUTES, GET_API, UPDATE_API, DELETE_CORS,
              CREATE_DEPLOYMENT)


@dataclass(frozen=True)
class HttpApiHandle:
    """Which API a resource is, the stage to deploy after a write (None: nothing to deploy), and the
    other IaC tool its tags say manages it (None: none)."""

    api_id: str
    deploy_stage: str | None = None
    managed_by: str | None = None


class HttpApiProvider:
    """Reads and writes the CORS of HTTP APIs; one `get_apis` listing per instance, shared by threads.

    A read costs, besides its share of that listing, one `get_routes` when CORS is wanted (the
    authorizer warning), one `get_stages` when `stage:` is set or the CORS would change, and
    `get_deployments` (one call per page) when `stage:` names a stage without auto-deploy; a read
    after this instance wrote the API (apply's verification) adds one `get_api`."""

    kind = Kind.HTTP_API
    operations: ClassVar[tuple[Operation, ...]] = OPERATIONS

    def __init__(self, clients: Clients) -> None:
        self._calls = Calls(clients, OPERATIONS)
        self._apis: ApiListing[Mapping[str, Any]] = ApiListing("HTTP API", self._list_http_apis)
        # APIs this instance wrote: the listing shows them as they were, so they are read again.
        self._written: set[str] = set()
        self._lock = threading.Lock()

    def read(self, resource: Resource) -> Live:
        api_id, api = self._apis.select(resource)
        with self._lock:
            written = api_id in self._written
        if written:
            api = self._call(resource, GET_API, ApiId=api_id)
        # GetApis carries CorsConfiguration; a present but empty one is still CORS (facts §7.3).
        cors = api.get("CorsConfiguration")
        wire = dict(cors) if cors is not None else None
        changes = SERVICE.changes(resource, wire)
        stages = self._stages(resource, api_id) if changes or resource.settings.get("stage") else []
        managed_by = other_manager(api.get("Tags") or {})
        handle = HttpApiHandle(api_id, stage_to_deploy(resource, stages), managed_by)
        pending = self._pending_deployment(resource, handle, stages, wire)
        warnings = stage_warnings(resource, stages, changes) + plan_warning(resource, managed_by)
        if resource.cors is not None:
            warnings += self._authorizer_warnings(resource, api_id)
        return Live(resource.address, wire, handle, warnings, pending_deployment=pending, identity=api_id)

    def write(self, resource: Resource, live: Live, wire: Mapping[str, Any] | None) -> None:
        handle: HttpApiHandle = live.handle
        refuse_write(resource, handle.managed_by)
        with self._lock:
            self._written.add(handle.api_id)
        if wire is not None:
            # All six fields: idempotent, so also sent when only a deployment is pending.
            self._call(resource, UPDATE_API, ApiId=handle.api_id, CorsConfiguration=complete_cors(wire))
        elif live.wire is not None:
            self._call(resource, DELETE_CORS, ApiId=handle.api_id)
        elif not live.pending_deployment:
            return
        if handle.deploy_stage:
            # A stage without auto-deploy serves its last deployment until deployed again (§7.4).
            self._call(resource, CREATE_DEPLOYMENT, ApiId=handle.api_id,
                       StageName=handle.deploy_stage, Description=deployment_description(wire))

    def grants(self, resource: Resource, phases: Collection[Phase]) -> list[Grant]:
        """By name, the listing; then what a read and a write of this entry call (a rollback may write
        either way, so both the update and the removal of CORS)."""
        api_id = str(resource.settings.get("id") or "") or self._apis.by_name(resource)[0]
        needed = [GET_APIS, GET_STAGES, GET_API, UPDATE_API, DELETE_CORS]
        needed += [GET_ROUTES] if resource.cors is not None else []
        needed += [GET_DEPLOYMENTS, CREATE_DEPLOYMENT] if resource.settings.get("stage") else []
        return grants_of([op for op in OPERATIONS if op in needed], phases, ApiId=api_id)

    def _call(self, resource: Resource, operation: Operation, **params: Any) -> Any:
        try:
            return self._calls.call(operation, **params)
        except ClientError as error:
            raise translate(error, operation.action, resource.address) from error

    def _paginate(self, resource: Resource, operation: Operation, **params: Any) -> list[Mapping[str, Any]]:
        try:
            return self._calls.items(operation, "Items", **params)
        except ClientError as error:
            raise translate(error, operation.action, resource.address) from error

    def _list_http_apis(self, resource: Resource) -> list[tuple[str, str, Mapping[str, Any]]]:
        return [(api["Name"], api["ApiId"], api) for api in self._paginate(resource, GET_APIS)
                if api.get("ProtocolType") == "HTTP"]

    def _stages(self, resource: Resource, api_id: str) -> list[Stage]:
        return [Stage(str(stage["StageName"]), bool(stage.get("AutoDeploy")), stage.get("DeploymentId"))
                for stage in self._paginate(resource, GET_STAGES, ApiId=api_id)]

    def _pending_deployment(self, resource: Resource, handle: HttpApiHandle, stages: list[Stage],
                            wire: Mapping[str, Any] | None) -> str | None:
        """Why the `stage:` stage may not serve the live CORS; None when it does or deploys itself."""
        stage = next((s for s in stages if s.name == handle.deploy_stage), None)
        if stage is None:
            return None
        items = self._paginate(resource, GET_DEPLOYMENTS, ApiId=handle.api_id)
        return deployment_pending(stage, [_deployment(item) for item in items], wire)

    def _authorizer_warnings(self, resource: Resource, api_id: str) -> tuple[str, ...]:
        return authorizer_warnings(self._paginate(resource, GET_ROUTES, ApiId=api_id))


def _deployment(item: Mapping[str, Any]) -> Deployment:
    created = item.get("CreatedDate")
    return Deployment(str(item["DeploymentId"]), item.get("Description"),
                      int(created.timestamp()) if created is not None else None)


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
        warnings.append(tagged(
            AuthorizerCatchesPreflight,
            f"route {key!r} has a {authorization} authorizer and catches OPTIONS: API Gateway sends CORS "
            f"preflights to the authorizer and they fail; {fix}",
        ))
    return tuple(warnings)


def _authorization(route: Mapping[str, Any]) -> str:
    return str(route.get("AuthorizationType") or "NONE")

