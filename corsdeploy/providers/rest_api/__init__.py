"""API Gateway REST APIs: read the API's structure into typed state, execute the operations the
service derives (or a backup's), deploy."""
from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from botocore.exceptions import ClientError

from corsdeploy.aws import error_code, translate
from corsdeploy.errors import AwsError, CorsdeployError, PlanError, Problem
from corsdeploy.lint.plan_rules import RestStageServesOtherChanges
from corsdeploy.lint.rule import tagged
from corsdeploy.model import Kind, Live, Resource, frozen
from corsdeploy.providers.api_names import ApiListing, require_key_name
from corsdeploy.providers.calls import Calls
from corsdeploy.providers.operations import Grant, Phase, grants_of
from corsdeploy.providers.operations import Operation as AwsOperation
from corsdeploy.providers.rest_api.operations import (
    CREATE_DEPLOYMENT,
    DELETE_GATEWAY_RESPONSE,
    DELETE_METHOD,
    GET_DEPLOYMENTS,
    GET_EXPORT,
    GET_GATEWAY_RESPONSES,
    GET_RESOURCES,
    GET_REST_API,
    GET_REST_APIS,
    GET_STAGE,
    GET_STAGES,
    INTEGRATION_RESPONSE_WRITES,
    METHOD_RESPONSE_WRITES,
    OPERATIONS,
    PUT_GATEWAY_RESPONSE,
    PUT_INTEGRATION,
    PUT_INTEGRATION_RESPONSE,
    PUT_METHOD,
    PUT_METHOD_RESPONSE,
)
from corsdeploy.providers.rest_api.responses import ResponseWriter
from corsdeploy.providers.rest_api.wire import (
    backup_document,
    backup_from_document,
    gateway_response_fields,
    integration_fields,
    integration_response_fields,
    method_fields,
    method_response_fields,
    parse_deployment,
    parse_gateway_response,
    parse_resource,
)
from corsdeploy.services.co_managed import other_manager, plan_warning, refuse_write
from corsdeploy.services.rest_api import backup_of, desired_view, live_from_state
from corsdeploy.services.rest_api.pattern import PREFLIGHT_STATUS
from corsdeploy.services.rest_api.reconcile import (
    DeleteGatewayResponse,
    Operation,
    PutGatewayResponse,
    ReplacePreflight,
    UpdateResponses,
    operations,
    restore_operations,
)
from corsdeploy.services.rest_api.snapshot import snapshot_warning
from corsdeploy.services.rest_api.state import Method, RestApiState
from corsdeploy.services.rest_api.view import deployment_description, live_view, normalize_view

if TYPE_CHECKING:
    from corsdeploy.aws import Clients

# The largest page API Gateway's listings give (GetResources is limited to 5 calls per 2 s).
PAGE_SIZE = 500
# The deployed snapshot, with the integrations a redeploy would replace (facts §2.6).
EXPORT_TYPE = "oas30"
EXPORT: Mapping[str, Any] = {"exportType": EXPORT_TYPE, "parameters": {"extensions": "integrations"},
                             "accepts": "application/json"}


class RestApiProvider:
    """Reads and writes the CORS pattern of REST APIs; one `get_rest_apis` listing per instance, shared.

    A read is GetStage, GetDeployments, GetResources and GetGatewayResponses, plus GetExport when a
    change would redeploy the stage (to say what else the redeploy ships); with `id:`, GetRestApi
    instead of a share of the listing. Tags (another IaC tool) come with the listing or GetRestApi."""

    kind = Kind.REST_API
    operations: ClassVar[tuple[AwsOperation, ...]] = OPERATIONS

    def __init__(self, clients: Clients) -> None:
        self._clients = clients
        self._calls = Calls(clients, OPERATIONS)
        self._apis: ApiListing[Mapping[str, Any]] = ApiListing("REST API", self._list_rest_apis)

    def read(self, resource: Resource) -> Live:
        api_id, api = self._api(resource)
        state = self._read_state(resource, api_id, other_manager(api.get("tags") or {}))
        live = live_from_state(resource, state)
        warnings = live.warnings + plan_warning(resource, state.managed_by)
        if operations(resource, state) or _pending(live):
            warnings += self._snapshot_warning(resource, state)
        return replace(live, backup=backup_document(live.wire, backup_of(resource, state)),
                       identity=state.api_id, warnings=warnings)

    def write(self, resource: Resource, live: Live, wire: Mapping[str, Any] | None) -> None:
        """Make the API what the file asks for (`wire` must be that: backups go through `restore`)."""
        state: RestApiState = live.handle
        refuse_write(resource, state.managed_by)
        desired = desired_view(resource, state)
        if normalize_view(wire) != normalize_view(desired):
            raise CorsdeployError(Problem(
                "a REST API is written from its environment file; put a backup back with restore",
                address=resource.address,
            ))
        ops = operations(resource, state)
        self._execute(resource, state.api_id, ops)
        if ops or _pending(live):
            self._deploy(resource, state, deployment_description(desired))

    def restore(self, resource: Resource, live: Live, backup: Mapping[str, Any]) -> None:
        """Put back exactly what `backup` (a Live.backup of this API) held, then deploy the stage."""
        state: RestApiState = live.handle
        refuse_write(resource, state.managed_by)
        ops = restore_operations(resource, state, backup_from_document(backup, resource.address))
        self._execute(resource, state.api_id, ops)
        if ops or _pending(live):
            restored = live_view(resource, self._read_state(resource, state.api_id, state.managed_by))
            self._deploy(resource, state, deployment_description(restored))

    def grants(self, resource: Resource, phases: Collection[Phase]) -> list[Grant]:
        """The reads of this API (its id from `id:` or the listing), and every write a plan, apply or
        rollback of this entry can make: named per resource, method and status, so the API's current
        structure is read (GetResources) when apply's grants are asked for."""
        api_id = str(resource.settings.get("id") or "") or self._apis.by_name(resource)[0]
        api = {"restApiId": api_id}
        stage = {**api, "stageName": str(resource.settings.get("stage") or "")}
        found = grants_of([GET_REST_API if resource.settings.get("id") else GET_REST_APIS], phases)
        found += grants_of([GET_DEPLOYMENTS, GET_RESOURCES, GET_GATEWAY_RESPONSES, CREATE_DEPLOYMENT], phases,
                           **api)
        found += grants_of([GET_STAGE], phases, **stage)
        found += grants_of([GET_EXPORT], phases, **stage, exportType=EXPORT_TYPE)
        if Phase.APPLY in phases:
            found += self._write_grants(resource, api_id)
        return found

    def _write_grants(self, resource: Resource, api_id: str) -> list[Grant]:
        items = self._paginate(resource, GET_RESOURCES, restApiId=api_id, embed=["methods"])
        state = RestApiState(api_id, "", tuple(parse_resource(item) for item in items), frozen())
        backup = backup_of(resource, state)
        found = []
        for path, existing in sorted(backup.preflights.items()):
            target = _target(api_id, state, path, "OPTIONS")
            found += grants_of([PUT_METHOD, DELETE_METHOD, PUT_INTEGRATION], [Phase.APPLY], **target)
            for status in sorted({PREFLIGHT_STATUS, *_statuses(existing)}):
                found += grants_of([PUT_METHOD_RESPONSE, PUT_INTEGRATION_RESPONSE], [Phase.APPLY], **target,
                                   statusCode=status)
        for path, name, status in sorted(backup.responses):
            found += grants_of([*METHOD_RESPONSE_WRITES, *INTEGRATION_RESPONSE_WRITES], [Phase.APPLY],
                               **_target(api_id, state, path, name), statusCode=status)
        for response_type in sorted(backup.gateway_responses):
            found += grants_of([PUT_GATEWAY_RESPONSE, DELETE_GATEWAY_RESPONSE], [Phase.APPLY],
                               restApiId=api_id, responseType=response_type)
        return found

    def stage_names(self, resource: Resource) -> tuple[str, ...]:
        """The API's stages by name (GetStages), so `import` can fill in `stage:`."""
        api_id = self._api(resource)[0]
        reply = self._get(resource, GET_STAGES, f"no REST API has id {api_id!r}", restApiId=api_id)
        return tuple(sorted(str(stage["stageName"]) for stage in reply.get("item", [])))

    # --- reading ----------------------------------------------------------------------------------

    def _api(self, resource: Resource) -> tuple[str, Mapping[str, Any]]:
        """By `id:` (one GetRestApi, whose name must equal the key), otherwise by name in the listing."""
        if resource.settings.get("id"):
            api_id = str(resource.settings["id"])
            api = self._get(resource, GET_REST_API, f"no REST API has id {api_id!r}", restApiId=api_id)
            require_key_name("REST API", resource, api_id, str(api.get("name", "")))
            return api_id, api
        return self._apis.by_name(resource)

    def _list_rest_apis(self, resource: Resource) -> list[tuple[str, str, Mapping[str, Any]]]:
        return [(api["name"], api["id"], api) for api in self._paginate(resource, GET_REST_APIS)]

    def _read_state(self, resource: Resource, api_id: str, managed_by: str | None) -> RestApiState:
        stage_name = str(resource.settings.get("stage") or "")
        if not stage_name:
            raise PlanError(Problem("a REST API needs `stage:`", address=resource.address))
        stage = self._get(resource, GET_STAGE, f"REST API {api_id!r} has no stage {stage_name!r}",
                          restApiId=api_id, stageName=stage_name)
        deployments = self._paginate(resource, GET_DEPLOYMENTS, restApiId=api_id)
        resources = self._paginate(resource, GET_RESOURCES, restApiId=api_id, embed=["methods"])
        gateway = self._paginate(resource, GET_GATEWAY_RESPONSES, restApiId=api_id)
        return RestApiState(
            api_id=api_id,
            stage=stage_name,
            resources=tuple(parse_resource(item) for item in resources),
            gateway_responses=frozen({r.response_type: r for r in map(parse_gateway_response, gateway)}),
            stage_deployment=stage.get("deploymentId"),
            deployments=tuple(parse_deployment(item) for item in deployments),
            managed_by=managed_by,
        )

    def _snapshot_warning(self, resource: Resource, state: RestApiState) -> tuple[str, ...]:
        """What else the redeploy after this change would ship (a warning, never a failed plan)."""
        def ask() -> Any:
            reply = self._calls.call(GET_EXPORT, restApiId=state.api_id, stageName=state.stage, **EXPORT)
            return json.loads(reply["body"].read())

        try:
            # A stage's export is its deployment's snapshot, which never changes: apply's re-read of
            # what was just planned does not ask again.
            deployed = state.stage_deployment
            export = ask() if deployed is None else self._clients.remembered(
                ("rest export", state.api_id, state.stage, deployed), ask)
        except (ClientError, AwsError, ValueError) as error:
            return (tagged(RestStageServesOtherChanges,
                           f"could not compare stage {state.stage!r} with the API's draft "
                           f"({type(error).__name__}: {error}): the redeployment after this change ships "
                           "every undeployed change"),)
        return snapshot_warning(resource, state, export) if isinstance(export, Mapping) else ()

    def _get(self, resource: Resource, operation: AwsOperation, missing: str,
             **params: Any) -> Mapping[str, Any]:
        """One GET call; NotFound (an unknown API id or stage) is a PlanError."""
        try:
            reply: Mapping[str, Any] = self._calls.call(operation, **params)
        except ClientError as error:
            if error_code(error) == "NotFoundException":
                raise PlanError(Problem(missing, address=resource.address)) from error
            raise translate(error, operation.action, resource.address) from error
        return reply

    def _paginate(self, resource: Resource, operation: AwsOperation,
                  **params: Any) -> list[Mapping[str, Any]]:
        try:
            return self._calls.items(operation, "items", page_size=PAGE_SIZE, **params)
        except ClientError as error:
            if error_code(error) == "NotFoundException":
                problem = Problem(f"no REST API has id {params.get('restApiId')!r}", address=resource.address)
                raise PlanError(problem) from error
            raise translate(error, operation.action, resource.address) from error

    # --- writing ----------------------------------------------------------------------------------

    def _execute(self, resource: Resource, api_id: str, ops: list[Operation]) -> None:
        for op in ops:
            if isinstance(op, ReplacePreflight):
                target = {"restApiId": api_id, "resourceId": op.resource_id, "httpMethod": "OPTIONS"}
                if op.existing:
                    self._call(resource, DELETE_METHOD, **target)
                if op.method is not None:
                    self._create_method(resource, target, op.method)
            elif isinstance(op, UpdateResponses):
                target = {"restApiId": api_id, "resourceId": op.resource_id, "httpMethod": op.http_method}
                try:
                    ResponseWriter(self._calls, target).apply(op.changes)
                except ClientError as error:
                    raise translate(error, PUT_METHOD_RESPONSE.action, resource.address) from error
            elif isinstance(op, PutGatewayResponse):
                self._call(resource, PUT_GATEWAY_RESPONSE, restApiId=api_id,
                           **gateway_response_fields(op.response))
            elif isinstance(op, DeleteGatewayResponse):
                self._call(resource, DELETE_GATEWAY_RESPONSE, restApiId=api_id, responseType=op.response_type)

    def _create_method(self, resource: Resource, target: Mapping[str, str], method: Method) -> None:
        """put_method, put_integration, then each method response before the integration responses
        (an integration response must map to an existing method response)."""
        self._call(resource, PUT_METHOD, **target, **method_fields(method))
        if method.integration is not None:
            self._call(resource, PUT_INTEGRATION, **target, **integration_fields(method.integration))
        for response in method.responses.values():
            self._call(resource, PUT_METHOD_RESPONSE, **target, **method_response_fields(response))
        for integration_response in (method.integration.responses if method.integration else {}).values():
            self._call(resource, PUT_INTEGRATION_RESPONSE, **target,
                       **integration_response_fields(integration_response))

    def _deploy(self, resource: Resource, state: RestApiState, description: str) -> None:
        self._call(resource, CREATE_DEPLOYMENT, restApiId=state.api_id, stageName=state.stage,
                   description=description)

    def _call(self, resource: Resource, operation: AwsOperation, **params: Any) -> None:
        try:
            self._calls.call(operation, **params)
        except ClientError as error:
            raise translate(error, operation.action, resource.address) from error


def _target(api_id: str, state: RestApiState, path: str, http_method: str) -> dict[str, str]:
    res = state.resource(path)
    assert res is not None  # backups name only resources of this state
    return {"restApiId": api_id, "resourceId": res.id, "httpMethod": http_method}


def _statuses(method: Method | None) -> set[str]:
    """Every status a method answers with, declared or mapped."""
    if method is None:
        return set()
    return {*method.responses, *(method.integration.responses if method.integration else {})}


def _pending(live: Live) -> bool:
    return (live.wire or {}).get("deployment") == "pending"

