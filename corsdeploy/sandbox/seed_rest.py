"""Sandbox seeding for REST APIs: an API with plain, path-parameter and proxy resources, deployed."""
from __future__ import annotations

from corsdeploy.aws import Clients
from corsdeploy.model import Resource

SANDBOX_BACKEND = "https://example.com/"
# The plain resources and their MOCK methods; `/{proxy+}` gets an HTTP_PROXY ANY method.
_PLAIN_METHODS = {"/items": ("GET", "POST"), "/items/{id}": ("GET",)}


def seed_rest_api(clients: Clients, resource: Resource) -> None:
    """Create a REST API named like the resource, deployed to its stage, unless one exists."""
    api = clients.client("apigateway")
    pages = api.get_paginator("get_rest_apis").paginate()
    if any(item["name"] == resource.name for page in pages for item in page.get("items", [])):
        return
    api_id = api.create_rest_api(name=resource.name)["id"]
    root = next(item["id"] for item in api.get_resources(restApiId=api_id)["items"] if item["path"] == "/")
    items = api.create_resource(restApiId=api_id, parentId=root, pathPart="items")["id"]
    item = api.create_resource(restApiId=api_id, parentId=items, pathPart="{id}")["id"]
    for resource_id, path in ((items, "/items"), (item, "/items/{id}")):
        for http_method in _PLAIN_METHODS[path]:
            _mock_method(clients, api_id, resource_id, http_method)
    proxy = api.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")["id"]
    api.put_method(restApiId=api_id, resourceId=proxy, httpMethod="ANY", authorizationType="NONE",
                   requestParameters={"method.request.path.proxy": True})
    api.put_integration(restApiId=api_id, resourceId=proxy, httpMethod="ANY", type="HTTP_PROXY",
                        integrationHttpMethod="ANY", uri=SANDBOX_BACKEND + "{proxy}",
                        requestParameters={"integration.request.path.proxy": "method.request.path.proxy"})
    api.create_deployment(restApiId=api_id, stageName=str(resource.settings.get("stage") or "prod"),
                          description="sandbox seed")


def _mock_method(clients: Clients, api_id: str, resource_id: str, http_method: str) -> None:
    """A method answering 200 from a MOCK integration (non-proxy: API Gateway builds its response)."""
    api = clients.client("apigateway")
    target = {"restApiId": api_id, "resourceId": resource_id, "httpMethod": http_method}
    api.put_method(**target, authorizationType="NONE")
    api.put_integration(**target, type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'})
    api.put_method_response(**target, statusCode="200", responseModels={"application/json": "Empty"})
    api.put_integration_response(**target, statusCode="200",
                                 responseTemplates={"application/json": '{"ok": true}'})
