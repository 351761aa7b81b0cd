"""An HTTP API on moto with the stages a stage-warning test needs, and the entry that names it."""
from __future__ import annotations

from typing import Any

from corsdeploy.aws import Clients
from corsdeploy.model import Kind, Location, Resource, frozen
from corsdeploy.shapes import rule_from_cors

CORS = {"AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET"]}


def orders(**settings: Any) -> Resource:
    return Resource(Kind.HTTP_API, "orders", rule_from_cors(CORS), Location("environments/prod.yaml", 3, 3),
                    frozen({"id": None, "stage": None, **settings}))


def api_with_stages(clients: Clients, **auto_deploy: bool) -> None:
    """An API named orders (no CORS yet: a plan would change it) with these stages."""
    client = clients.client("apigatewayv2")
    api_id = client.create_api(Name="orders", ProtocolType="HTTP")["ApiId"]
    for name, auto in auto_deploy.items():
        client.create_stage(ApiId=api_id, StageName=name, AutoDeploy=auto)
