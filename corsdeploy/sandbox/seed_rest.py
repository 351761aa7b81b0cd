"""Sandbox seeding for REST APIs: an API whose methods already take Access-Control-Allow-Origin from
their backend, so a several-origins preflight is all it needs from corsdeploy (and no warning is due)."""
from __future__ import annotations

from corsdeploy.aws import Clients
from corsdeploy.model import Resource

SANDBOX_BACKEND = "https://example.com/"
# The resources and their methods, each a non-proxy HTTP integration with the backend.
_METHODS = {"/items": ("GET", "POST"), "/items/{id}": ("GET",)}
# What each method's 200 answer maps from the backend's own response.
_FROM_BACKEND = ("Access-Control-Allow-Origin", "Vary")


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
        for http_method in _METHODS[path]:
            _backend_method(clients, api_id, resource_id, http_method, path)
    api.create_deployment(restApiId=api_id, stageName=str(resource.settings.get("stage") or "prod"),
                          description="sandbox seed")


def _backend_method(clients: Clients, api_id: str, resource_id: str, http_method: str, path: str) -> None:
    """A method answering 200 through an HTTP integration that passes the backend's CORS headers on."""
    api = clients.client("apigateway")
    target = {"restApiId": api_id, "resourceId": resource_id, "httpMethod": http_method}
    api.put_method(**target, authorizationType="NONE")
    api.put_integration(**target, type="HTTP", integrationHttpMethod=http_method,
                        uri=SANDBOX_BACKEND + path.lstrip("/").replace("{id}", "1"))
    headers = [f"method.response.header.{name}" for name in _FROM_BACKEND]
    api.put_method_response(**target, statusCode="200", responseModels={"application/json": "Empty"},
                            responseParameters=dict.fromkeys(headers, False))
    api.put_integration_response(**target, statusCode="200", selectionPattern="",
                                 responseParameters={h: f"integration.response.header.{h.rsplit('.', 1)[1]}"
                                                     for h in headers})
