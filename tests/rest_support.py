"""What the REST API tests share: resources as the config layer builds them, the API they run on,
and a small fake of API Gateway's method-response calls that behaves like AWS where moto does not."""
from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import botocore.session
from botocore import xform_name
from botocore.exceptions import ClientError
from botocore.validate import validate_parameters

from corsdeploy.model import Kind, Location, Resource, frozen
from corsdeploy.providers.operations import Operation
from corsdeploy.shapes import rule_from_cors

BACKEND = "https://example.com/"
MOCK_200 = {"application/json": '{"statusCode": 200}'}


def rest(cors: Mapping[str, Any] | None, name: str = "legacy", **settings: Any) -> Resource:
    """A REST API resource with every setting present, as the config layer builds it."""
    defaults = {"id": None, "stage": "prod", "resources": None,
                "gateway_responses": ["DEFAULT_4XX", "DEFAULT_5XX"], "adopt_preflights": False}
    return Resource(
        Kind.REST_API, name, None if cors is None else rule_from_cors(cors),
        Location("environments/test.yaml", 3, 3), frozen({**defaults, **settings}),
    )


def build_api(client: Any, name: str = "legacy", stage: str = "prod",
              tags: Mapping[str, str] | None = None) -> str:
    """An API with MOCK GET/POST /items, MOCK GET /items/{id} and an HTTP_PROXY ANY /{proxy+}, deployed."""
    api_id = str(client.create_rest_api(name=name, **({"tags": dict(tags)} if tags else {}))["id"])
    root = next(item["id"] for item in client.get_resources(restApiId=api_id)["items"] if item["path"] == "/")
    items = client.create_resource(restApiId=api_id, parentId=root, pathPart="items")["id"]
    item = client.create_resource(restApiId=api_id, parentId=items, pathPart="{id}")["id"]
    for resource_id, http_method in ((items, "GET"), (items, "POST"), (item, "GET")):
        target = {"restApiId": api_id, "resourceId": resource_id, "httpMethod": http_method}
        client.put_method(**target, authorizationType="NONE")
        client.put_integration(**target, type="MOCK", requestTemplates=MOCK_200)
        client.put_method_response(**target, statusCode="200", responseModels={"application/json": "Empty"})
        client.put_integration_response(**target, statusCode="200",
                                        responseTemplates={"application/json": '{"ok": true}'})
    proxy = client.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")["id"]
    client.put_method(restApiId=api_id, resourceId=proxy, httpMethod="ANY", authorizationType="NONE",
                      requestParameters={"method.request.path.proxy": True})
    client.put_integration(restApiId=api_id, resourceId=proxy, httpMethod="ANY", type="HTTP_PROXY",
                           integrationHttpMethod="ANY", uri=BACKEND + "{proxy}",
                           requestParameters={"integration.request.path.proxy": "method.request.path.proxy"})
    client.create_deployment(restApiId=api_id, stageName=stage, description="release 1")
    return api_id


_MODEL = botocore.session.get_session().get_service_model("apigateway")


def _error(code: str, message: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


def _unpointer(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


class FakeResponses:
    """API Gateway's method and integration responses of one method, as AWS answers them (facts §7.5):
    Put on an existing method response is a ConflictException, Update* apply JSON-Patch operations,
    an integration response needs its method response. Every request is checked against botocore's
    model. `fail_at` makes that call (0-based) fail with a 500 before it changes anything."""

    def __init__(self, method_responses: Mapping[str, dict[str, Any]],
                 integration_responses: Mapping[str, dict[str, Any]], fail_at: int | None = None) -> None:
        self.method_responses = copy.deepcopy(dict(method_responses))
        self.integration_responses = copy.deepcopy(dict(integration_responses))
        self.calls: list[str] = []
        self.fail_at = fail_at
        # After each call: whether every header an integration response maps is declared (AWS requires it).
        self.valid: list[bool] = []

    def consistent(self) -> bool:
        return all(
            status in self.method_responses
            and set(response.get("responseParameters") or {})
            <= set(self.method_responses[status].get("responseParameters") or {})
            for status, response in self.integration_responses.items()
        )

    def snapshot(self) -> tuple[dict[str, Any], dict[str, Any]]:
        return copy.deepcopy(self.method_responses), copy.deepcopy(self.integration_responses)

    def call(self, operation: Operation, region: str | None = None, **params: Any) -> Any:
        """The declared-call interface providers use (corsdeploy.providers.calls.Calls)."""
        return getattr(self, xform_name(operation.name))(**params)

    def _enter(self, operation: str, params: dict[str, Any]) -> None:
        shape = _MODEL.operation_model(operation).input_shape
        validate_parameters(params, shape)
        index = len(self.calls)
        self.calls.append(operation)
        if index == self.fail_at:
            raise _error("InternalFailure", "injected failure", operation)

    def put_method_response(self, **params: Any) -> dict[str, Any]:
        self._enter("PutMethodResponse", params)
        status = params["statusCode"]
        if status in self.method_responses:
            raise _error("ConflictException", "Response already exists for this resource",
                         "PutMethodResponse")
        self.method_responses[status] = {"statusCode": status,
                                         **{k: params[k] for k in ("responseParameters", "responseModels")
                                            if params.get(k)}}
        self.valid.append(self.consistent())
        return self.method_responses[status]

    def update_method_response(self, **params: Any) -> dict[str, Any]:
        self._enter("UpdateMethodResponse", params)
        response = self._existing(self.method_responses, params["statusCode"], "UpdateMethodResponse")
        for op in params["patchOperations"]:
            _, field, key = op["path"].split("/", 2)
            target = response.setdefault(field, {})
            if op["op"] == "remove":
                target.pop(_unpointer(key))
            else:
                value = op["value"]
                target[_unpointer(key)] = value == "true" if field == "responseParameters" else value
            if not target:
                del response[field]  # AWS omits an empty map
        self.valid.append(self.consistent())
        return response

    def delete_method_response(self, **params: Any) -> dict[str, Any]:
        self._enter("DeleteMethodResponse", params)
        self._existing(self.method_responses, params["statusCode"], "DeleteMethodResponse")
        del self.method_responses[params["statusCode"]]
        self.valid.append(self.consistent())
        return {}

    def put_integration_response(self, **params: Any) -> dict[str, Any]:
        self._enter("PutIntegrationResponse", params)
        status = params["statusCode"]
        if status not in self.method_responses:
            raise _error("BadRequestException", "Invalid Method Response status code",
                         "PutIntegrationResponse")
        fields = ("responseParameters", "responseTemplates", "selectionPattern", "contentHandling")
        self.integration_responses[status] = {"statusCode": status,
                                              **{k: params[k] for k in fields if k in params}}
        self.valid.append(self.consistent())
        return self.integration_responses[status]

    def update_integration_response(self, **params: Any) -> dict[str, Any]:
        self._enter("UpdateIntegrationResponse", params)
        response = self._existing(self.integration_responses, params["statusCode"],
                                  "UpdateIntegrationResponse")
        for op in params["patchOperations"]:
            parts = op["path"].split("/", 2)
            if len(parts) == 2:
                if op["op"] == "remove":
                    response.pop(parts[1], None)
                else:
                    response[parts[1]] = op["value"]
                continue
            target = response.setdefault(parts[1], {})
            if op["op"] == "remove":
                target.pop(_unpointer(parts[2]))
            else:
                target[_unpointer(parts[2])] = op["value"]
            if not target:
                del response[parts[1]]  # AWS omits an empty map
        self.valid.append(self.consistent())
        return response

    @staticmethod
    def _existing(responses: dict[str, Any], status: str, operation: str) -> dict[str, Any]:
        if status not in responses:
            raise _error("NotFoundException", "Invalid Response status code specified", operation)
        response: dict[str, Any] = responses[status]
        return response
