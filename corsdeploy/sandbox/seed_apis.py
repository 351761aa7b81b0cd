"""Sandbox seeding for HTTP APIs and Lambda function URLs (through the sandbox's Clients only)."""
from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable

from botocore.exceptions import ClientError

from corsdeploy.aws import Clients, error_code
from corsdeploy.model import Resource
from corsdeploy.services.function_url import split_function_name

SANDBOX_ROUTES = ("GET /items", "POST /items")
SANDBOX_STAGE = "$default"
LAMBDA_ROLE = "corsdeploy-sandbox-lambda"
_ASSUME_ROLE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
}
_HANDLER_SOURCE = 'def handler(event, context):\n    return {"statusCode": 200, "body": "ok"}\n'


def seed_http_api(clients: Clients, resource: Resource) -> None:
    """Create an HTTP API named like the resource, with a couple of routes and the auto-deploying
    `$default` stage the console makes, unless one exists."""
    api = clients.client("apigatewayv2")
    pages = api.get_paginator("get_apis").paginate()
    if any(item["Name"] == resource.name for page in pages for item in page.get("Items", [])):
        return
    api_id = api.create_api(Name=resource.name, ProtocolType="HTTP")["ApiId"]
    for route_key in SANDBOX_ROUTES:
        api.create_route(ApiId=api_id, RouteKey=route_key)
    # moto has no HTTP API deployments (facts §7), so the sandbox seeds only auto-deploy stages.
    api.create_stage(ApiId=api_id, StageName=SANDBOX_STAGE, AutoDeploy=True)


def seed_function_url(clients: Clients, resource: Resource) -> None:
    """Create the function (and alias) the resource names and give it a URL, where missing."""
    function_name, qualifier = split_function_name(resource.name)
    lam = clients.client("lambda")
    if not _exists(lambda: lam.get_function(FunctionName=function_name)):
        lam.create_function(
            FunctionName=function_name, Runtime="python3.12", Role=_lambda_role_arn(clients),
            Handler="index.handler", Code={"ZipFile": _handler_zip()},
        )
    target = {"FunctionName": function_name}
    if qualifier:
        if not _exists(lambda: lam.get_alias(FunctionName=function_name, Name=qualifier)):
            lam.create_alias(FunctionName=function_name, Name=qualifier, FunctionVersion="$LATEST")
        target["Qualifier"] = qualifier
    if not _exists(lambda: lam.get_function_url_config(**target)):
        lam.create_function_url_config(**target, AuthType="NONE")


def _lambda_role_arn(clients: Clients) -> str:
    iam = clients.client("iam")
    try:
        return str(iam.get_role(RoleName=LAMBDA_ROLE)["Role"]["Arn"])
    except ClientError as error:
        if error_code(error) != "NoSuchEntity":
            raise
    role = iam.create_role(RoleName=LAMBDA_ROLE, AssumeRolePolicyDocument=json.dumps(_ASSUME_ROLE_POLICY))
    return str(role["Role"]["Arn"])


def _exists(get: Callable[[], object]) -> bool:
    try:
        get()
    except ClientError as error:
        if error_code(error) != "ResourceNotFoundException":
            raise
        return False
    return True


def _handler_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", _HANDLER_SOURCE)
    return buffer.getvalue()
