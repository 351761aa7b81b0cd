"""API Gateway REST APIs: read the API's structure, execute the operations the service derives, deploy."""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from corsdeploy.aws import error_code, translate
from corsdeploy.errors import PlanError, Problem
from corsdeploy.model import Kind, Live, Resource
from corsdeploy.providers.api_names import ApiNames
from corsdeploy.services.rest_api import (
    PREFLIGHT_OPERATION,
    PREFLIGHT_REQUEST_TEMPLATES,
    PREFLIGHT_STATUS,
    CreatePreflight,
    DeleteGatewayResponse,
    DeletePreflight,
    Operation,
    PutGatewayResponse,
    ReplaceResponses,
    RestApiState,
    RestResource,
    deployment_description,
    live_from_state,
    live_view,
    operations,
)

if TYPE_CHECKING:
    from corsdeploy.aws import Clients

# IAM knows API Gateway calls by HTTP verb on the resource path.
READ_ACTION = "apigateway:GET"  # get_rest_apis, get_resources, get_gateway_responses, get_stage, ...
PUT_ACTION = "apigateway:PUT"  # put_method, put_integration, put_*_response
POST_ACTION = "apigateway:POST"  # create_deployment
DELETE_ACTION = "apigateway:DELETE"  # delete_method, delete_method_response, delete_gateway_response


class RestApiProvider:
    """Reads and writes the CORS pattern of REST APIs; one `get_rest_apis` listing per instance, shared."""

    kind = Kind.REST_API
    read_actions = (READ_ACTION,)
    write_actions = (PUT_ACTION, POST_ACTION, DELETE_ACTION)

    def __init__(self, clients: Clients) -> None:
        self._clients = clients
        self._names = ApiNames("REST API", self._list_rest_apis)

    @property
    def _client(self) -> Any:
        return self._clients.client("apigateway")

    def read(self, resource: Resource) -> Live:
        return live_from_state(resource, self._read_state(resource, self._api_id(resource)))

    def write(self, resource: Resource, live: Live, wire: Mapping[str, Any] | None) -> None:
        state: RestApiState = live.handle
        pending = (live_view(resource, state) or {}).get("deployment") == "pending"
        ops = operations(resource, state, wire)
        for op in ops:
            self._execute(resource, state.api_id, op)
        if ops or pending:
            fresh = self._read_state(resource, state.api_id)
            description = deployment_description(live_view(resource, fresh))
            self._call(resource, POST_ACTION, "create_deployment",
                       restApiId=state.api_id, stageName=state.stage, description=description)

    # --- reading ----------------------------------------------------------------------------------

    def _api_id(self, resource: Resource) -> str:
        if resource.settings.get("id"):
            api_id = str(resource.settings["id"])
            self._get(resource, "get_rest_api", f"no REST API has id {api_id!r}", restApiId=api_id)
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
        description = None
        if stage.get("deploymentId"):
            deployment = self._get(resource, "get_deployment", f"deployment of stage {stage_name!r} is gone",
                                   restApiId=api_id, deploymentId=stage["deploymentId"])
            description = deployment.get("description")
        resources = tuple(
            RestResource(id=item["id"], path=item["path"], methods=item.get("resourceMethods") or {})
            for item in self._paginate(resource, "get_resources", restApiId=api_id, embed=["methods"])
        )
        gateway = {item["responseType"]: item
                   for item in self._paginate(resource, "get_gateway_responses", restApiId=api_id)}
        return RestApiState(api_id=api_id, stage=stage_name, resources=resources, gateway_responses=gateway,
                            deployment_description=description)

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
            pages = self._client.get_paginator(operation).paginate(**kwargs)
            return [item for page in pages for item in page.get("items", [])]
        except ClientError as error:
            if error_code(error) == "NotFoundException":
                problem = Problem(f"no REST API has id {kwargs.get('restApiId')!r}", address=resource.address)
                raise PlanError(problem) from error
            raise translate(error, READ_ACTION, resource.address) from error

    # --- writing ----------------------------------------------------------------------------------

    def _execute(self, resource: Resource, api_id: str, op: Operation) -> None:
        if isinstance(op, DeletePreflight):
            self._call(resource, DELETE_ACTION, "delete_method",
                       restApiId=api_id, resourceId=op.resource_id, httpMethod="OPTIONS")
        elif isinstance(op, CreatePreflight):
            self._create_preflight(resource, api_id, op)
        elif isinstance(op, ReplaceResponses):
            self._replace_responses(resource, api_id, op)
        elif isinstance(op, PutGatewayResponse):
            self._call(resource, PUT_ACTION, "put_gateway_response",
                       restApiId=api_id, responseType=op.response_type, **op.fields)
        elif isinstance(op, DeleteGatewayResponse):
            self._call(resource, DELETE_ACTION, "delete_gateway_response",
                       restApiId=api_id, responseType=op.response_type)

    def _create_preflight(self, resource: Resource, api_id: str, op: CreatePreflight) -> None:
        target = {"restApiId": api_id, "resourceId": op.resource_id, "httpMethod": "OPTIONS"}
        self._call(resource, PUT_ACTION, "put_method", **target, authorizationType="NONE",
                   apiKeyRequired=False, operationName=PREFLIGHT_OPERATION)
        self._call(resource, PUT_ACTION, "put_integration", **target, type="MOCK",
                   requestTemplates=dict(PREFLIGHT_REQUEST_TEMPLATES))
        # The integration response must map to an existing method response: that goes first.
        self._call(resource, PUT_ACTION, "put_method_response", **target, statusCode=PREFLIGHT_STATUS,
                   responseParameters=dict(op.method_parameters))
        extra = {"responseTemplates": dict(op.response_templates)} if op.response_templates else {}
        self._call(resource, PUT_ACTION, "put_integration_response", **target, statusCode=PREFLIGHT_STATUS,
                   responseParameters=dict(op.integration_parameters), **extra)

    def _replace_responses(self, resource: Resource, api_id: str, op: ReplaceResponses) -> None:
        target = {"restApiId": api_id, "resourceId": op.resource_id, "httpMethod": op.http_method}
        if op.replace:
            # Replaced by delete then put: update_* patch calls are avoided (moto does not implement them).
            self._call(resource, DELETE_ACTION, "delete_method_response", **target,
                       statusCode=op.method_response["statusCode"])
        self._call(resource, PUT_ACTION, "put_method_response", **target, **op.method_response)
        self._call(resource, PUT_ACTION, "put_integration_response", **target, **op.integration_response)

    def _call(self, resource: Resource, action: str, operation: str, **kwargs: Any) -> None:
        try:
            getattr(self._client, operation)(**kwargs)
        except ClientError as error:
            raise translate(error, action, resource.address) from error


PROVIDER_CLASS = RestApiProvider
