"""API Gateway REST APIs: read the API's structure into typed state, execute the operations the
service derives (or a backup's), deploy."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from corsdeploy.aws import error_code, translate
from corsdeploy.errors import CorsdeployError, PlanError, Problem
from corsdeploy.model import Kind, Live, Resource, frozen
from corsdeploy.providers.api_names import ApiNames, require_key_name
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
from corsdeploy.services.rest_api import backup_of, desired_view, live_from_state
from corsdeploy.services.rest_api.reconcile import (
    DeleteGatewayResponse,
    Operation,
    PutGatewayResponse,
    ReplacePreflight,
    UpdateResponses,
    operations,
    restore_operations,
)
from corsdeploy.services.rest_api.state import Method, RestApiState
from corsdeploy.services.rest_api.view import deployment_description, live_view, normalize_view

if TYPE_CHECKING:
    from corsdeploy.aws import Clients

# IAM knows API Gateway calls by HTTP verb on the resource path.
READ_ACTION = "apigateway:GET"  # get_rest_apis, get_resources, get_gateway_responses, get_stage, ...
PUT_ACTION = "apigateway:PUT"  # put_method, put_integration, put_*_response
POST_ACTION = "apigateway:POST"  # create_deployment
PATCH_ACTION = "apigateway:PATCH"  # update_method_response, update_integration_response
DELETE_ACTION = "apigateway:DELETE"  # delete_method, delete_method_response, delete_gateway_response
# The largest page API Gateway's listings give (GetResources is limited to 5 calls per 2 s).
PAGE_SIZE = 500


class RestApiProvider:
    """Reads and writes the CORS pattern of REST APIs; one `get_rest_apis` listing per instance, shared."""

    kind = Kind.REST_API
    read_actions = (READ_ACTION,)
    write_actions = (PUT_ACTION, POST_ACTION, PATCH_ACTION, DELETE_ACTION)

    def __init__(self, clients: Clients) -> None:
        self._clients = clients
        self._names = ApiNames("REST API", self._list_rest_apis)

    @property
    def _client(self) -> Any:
        return self._clients.client("apigateway")

    def read(self, resource: Resource) -> Live:
        """GetStage, GetDeployments, GetResources and GetGatewayResponses: four calls per API."""
        state = self._read_state(resource, self._api_id(resource))
        live = live_from_state(resource, state)
        return replace(live, backup=backup_document(live.wire, backup_of(resource, state)),
                       identity=state.api_id)

    def write(self, resource: Resource, live: Live, wire: Mapping[str, Any] | None) -> None:
        """Make the API what the file asks for (`wire` must be that: backups go through `restore`)."""
        state: RestApiState = live.handle
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
        ops = restore_operations(resource, state, backup_from_document(backup, resource.address))
        self._execute(resource, state.api_id, ops)
        if ops or _pending(live):
            restored = live_view(resource, self._read_state(resource, state.api_id))
            self._deploy(resource, state, deployment_description(restored))

    def stage_names(self, resource: Resource) -> tuple[str, ...]:
        """The API's stages by name (GetStages), so `import` can fill in `stage:`."""
        api_id = self._api_id(resource)
        reply = self._get(resource, "get_stages", f"no REST API has id {api_id!r}", restApiId=api_id)
        return tuple(sorted(str(stage["stageName"]) for stage in reply.get("item", [])))

    # --- reading ----------------------------------------------------------------------------------

    def _api_id(self, resource: Resource) -> str:
        """By `id:` (one GetRestApi, whose name must equal the key), otherwise by name in the listing."""
        if resource.settings.get("id"):
            api_id = str(resource.settings["id"])
            api = self._get(resource, "get_rest_api", f"no REST API has id {api_id!r}", restApiId=api_id)
            require_key_name("REST API", resource, api_id, str(api.get("name", "")))
            return api_id
        return self._names.resolve(resource)

    def _list_rest_apis(self, resource: Resource) -> list[tuple[str, str]]:
        return [(api["name"], api["id"]) for api in self._paginate(resource, "get_rest_apis")]

    def _read_state(self, resource: Resource, api_id: str) -> RestApiState:
        stage_name = str(resource.settings.get("stage") or "")
        if not stage_name:
            raise PlanError(Problem("a REST API needs `stage:`", address=resource.address))
        stage = self._get(resource, "get_stage", f"REST API {api_id!r} has no stage {stage_name!r}",
                          restApiId=api_id, stageName=stage_name)
        deployments = self._paginate(resource, "get_deployments", restApiId=api_id)
        resources = self._paginate(resource, "get_resources", restApiId=api_id, embed=["methods"])
        gateway = self._paginate(resource, "get_gateway_responses", restApiId=api_id)
        return RestApiState(
            api_id=api_id,
            stage=stage_name,
            resources=tuple(parse_resource(item) for item in resources),
            gateway_responses=frozen({r.response_type: r for r in map(parse_gateway_response, gateway)}),
            stage_deployment=stage.get("deploymentId"),
            deployments=tuple(parse_deployment(item) for item in deployments),
        )

    def _get(self, resource: Resource, operation: str, missing: str, **kwargs: Any) -> Mapping[str, Any]:
        """One GET call; NotFound (an unknown API id or stage) is a PlanError."""
        try:
            reply: Mapping[str, Any] = getattr(self._client, operation)(**kwargs)
        except ClientError as error:
            if error_code(error) == "NotFoundException":
                raise PlanError(Problem(missing, address=resource.address)) from error
            raise translate(error, READ_ACTION, resource.address) from error
        return reply

    def _paginate(self, resource: Resource, operation: str, **kwargs: Any) -> list[Mapping[str, Any]]:
        try:
            pages = self._client.get_paginator(operation).paginate(
                **kwargs, PaginationConfig={"PageSize": PAGE_SIZE})
            return [item for page in pages for item in page.get("items", [])]
        except ClientError as error:
            if error_code(error) == "NotFoundException":
                problem = Problem(f"no REST API has id {kwargs.get('restApiId')!r}", address=resource.address)
                raise PlanError(problem) from error
            raise translate(error, READ_ACTION, resource.address) from error

    # --- writing ----------------------------------------------------------------------------------

    def _execute(self, resource: Resource, api_id: str, ops: list[Operation]) -> None:
        for op in ops:
            if isinstance(op, ReplacePreflight):
                target = {"restApiId": api_id, "resourceId": op.resource_id, "httpMethod": "OPTIONS"}
                if op.existing:
                    self._call(resource, DELETE_ACTION, "delete_method", **target)
                if op.method is not None:
                    self._create_method(resource, target, op.method)
            elif isinstance(op, UpdateResponses):
                target = {"restApiId": api_id, "resourceId": op.resource_id, "httpMethod": op.http_method}
                try:
                    ResponseWriter(self._client, target).apply(op.changes)
                except ClientError as error:
                    raise translate(error, PUT_ACTION, resource.address) from error
            elif isinstance(op, PutGatewayResponse):
                self._call(resource, PUT_ACTION, "put_gateway_response", restApiId=api_id,
                           **gateway_response_fields(op.response))
            elif isinstance(op, DeleteGatewayResponse):
                self._call(resource, DELETE_ACTION, "delete_gateway_response",
                           restApiId=api_id, responseType=op.response_type)

    def _create_method(self, resource: Resource, target: Mapping[str, str], method: Method) -> None:
        """put_method, put_integration, then each method response before the integration responses
        (an integration response must map to an existing method response)."""
        self._call(resource, PUT_ACTION, "put_method", **target, **method_fields(method))
        if method.integration is not None:
            self._call(resource, PUT_ACTION, "put_integration", **target,
                       **integration_fields(method.integration))
        for response in method.responses.values():
            self._call(resource, PUT_ACTION, "put_method_response", **target,
                       **method_response_fields(response))
        for integration_response in (method.integration.responses if method.integration else {}).values():
            self._call(resource, PUT_ACTION, "put_integration_response", **target,
                       **integration_response_fields(integration_response))

    def _deploy(self, resource: Resource, state: RestApiState, description: str) -> None:
        self._call(resource, POST_ACTION, "create_deployment",
                   restApiId=state.api_id, stageName=state.stage, description=description)

    def _call(self, resource: Resource, action: str, operation: str, **kwargs: Any) -> None:
        try:
            getattr(self._client, operation)(**kwargs)
        except ClientError as error:
            raise translate(error, action, resource.address) from error


def _pending(live: Live) -> bool:
    return (live.wire or {}).get("deployment") == "pending"


PROVIDER_CLASS = RestApiProvider
