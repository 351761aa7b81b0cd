"""The throwaway resources the suite works on, made and deleted with boto3 directly (corsdeploy
itself never creates or deletes resources). Every deletion is registered before its create."""
from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.acceptance.cleanup import CleanupRegistry
from tests.acceptance.naming import HTTP_AUTO_STAGE, HTTP_MANUAL_STAGE, REST_STAGE, Names

# 429s (API Gateway's fixed quotas, facts §7.1) are retried with client-side rate limiting.
SUITE_CONFIG = Config(retries={"mode": "adaptive", "max_attempts": 10}, connect_timeout=10, read_timeout=60)
TAG_KEY = "corsdeploy-acceptance"
DEPLOYMENT_SPACING_SECONDS = 5.0  # CreateDeployment: 1 request every 5 seconds per account and Region
IAM_PROPAGATION_SECONDS = 120  # a new role can take this long before Lambda may assume it
OBJECT_KEY = "probe.txt"
HTTP_ROUTE_PATH = "/hello"
REST_ITEMS_PART = "items"
MOCK_REQUEST_TEMPLATES = {"application/json": '{"statusCode": 200}'}
LAMBDA_RUNTIME = "python3.12"
INVOKED_HEADER = "X-Cdacc-Invoked"  # the function sets it: an answer carrying it came from the code
# The function answers 200; `?acao=ORIGIN` makes it send its own Access-Control-Allow-Origin.
FUNCTION_SOURCE = f'''
def handler(event, context):
    query = event.get("queryStringParameters") or {{}}
    headers = {{"Content-Type": "text/plain", "{INVOKED_HEADER}": "yes"}}
    if "acao" in query:
        headers["Access-Control-Allow-Origin"] = query["acao"]
    return {{"statusCode": 200, "headers": headers, "body": "ok"}}
'''
LAMBDA_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
}


class DeploymentPacer:
    """Spaces the suite's own CreateDeployment calls (REST and HTTP APIs share the quota)."""

    def __init__(self, spacing: float = DEPLOYMENT_SPACING_SECONDS,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._spacing = spacing
        self._clock = clock
        self._sleep = sleep
        self._last: float | None = None

    def wait(self) -> None:
        """Return when the next deployment is within the quota."""
        if self._last is not None:
            remaining = self._spacing - (self._clock() - self._last)
            if remaining > 0:
                self._sleep(remaining)
        self._last = self._clock()


@dataclass
class Aws:
    """The caller's session, with one client per service and the deployment pacing."""

    session: boto3.Session
    region: str
    account_id: str
    partition: str
    pacer: DeploymentPacer = field(default_factory=DeploymentPacer)
    _clients: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def connect(cls) -> Aws:
        session = boto3.Session()
        identity = session.client("sts", config=SUITE_CONFIG).get_caller_identity()
        return cls(session, str(session.region_name), identity["Account"], identity["Arn"].split(":")[1])

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.session.client(service, config=SUITE_CONFIG)
        return self._clients[service]

    def presigning_s3(self) -> Any:
        """An S3 client whose presigned URLs use the bucket's virtual-hosted, regional address."""
        config = SUITE_CONFIG.merge(Config(signature_version="s3v4", s3={"addressing_style": "virtual"}))
        return self.session.client("s3", region_name=self.region, config=config)

    def secrets(self) -> list[str]:
        """The caller's secret key and session token: they must never appear in corsdeploy's output."""
        credentials = self.session.get_credentials()
        if credentials is None:
            return []
        frozen = credentials.get_frozen_credentials()
        return [value for value in (frozen.secret_key, frozen.token) if value]


@dataclass(frozen=True)
class Throwaway:
    """What was made, and where each endpoint answers."""

    names: Names
    region: str
    function_arn: str
    function_url: str
    http_api_id: str
    rest_api_id: str
    rest_root_id: str

    def _api_host(self, api_id: str) -> str:
        return f"https://{api_id}.execute-api.{self.region}.amazonaws.com"

    @property
    def s3_object_url(self) -> str:
        return f"https://{self.names.bucket}.s3.{self.region}.amazonaws.com/{OBJECT_KEY}"

    def http_url(self, stage: str = HTTP_AUTO_STAGE, path: str = HTTP_ROUTE_PATH) -> str:
        base = self._api_host(self.http_api_id)
        return base + path if stage == HTTP_AUTO_STAGE else f"{base}/{stage}{path}"

    def rest_url(self, path: str) -> str:
        return f"{self._api_host(self.rest_api_id)}/{REST_STAGE}{path}"


def ignoring(codes: Iterable[str], call: Callable[[], Any]) -> None:
    """Run `call`; an AWS error whose code is in `codes` ("already gone") counts as done."""
    try:
        call()
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in set(codes):
            raise


def create_all(aws: Aws, names: Names, registry: CleanupRegistry) -> Throwaway:
    """Every resource of the run, in dependency order (the registry deletes them in reverse)."""
    role_arn = create_role(aws, names, registry)
    function_arn = create_function(aws, names, registry, role_arn)
    function_url = create_function_url(aws, names, function_arn)
    http_api_id = create_http_api(aws, names, registry, function_arn)
    rest_api_id, rest_root_id = create_rest_api(aws, names, registry)
    create_bucket(aws, names, registry)
    return Throwaway(names, aws.region, function_arn, function_url, http_api_id, rest_api_id, rest_root_id)


# --- IAM and Lambda ------------------------------------------------------------------------------


def create_role(aws: Aws, names: Names, registry: CleanupRegistry) -> str:
    iam = aws.client("iam")
    registry.add(f"IAM role {names.role}",
                 lambda: ignoring(["NoSuchEntity"], lambda: iam.delete_role(RoleName=names.role)))
    role = iam.create_role(
        RoleName=names.role, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST_POLICY),
        Description="corsdeploy acceptance suite: throwaway, deleted at the end of the run",
        Tags=[{"Key": TAG_KEY, "Value": names.prefix}],
    )
    return str(role["Role"]["Arn"])


def function_zip() -> bytes:
    """The function's code as the deployment package Lambda takes inline."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("handler.py", FUNCTION_SOURCE)
    return buffer.getvalue()


def create_function(aws: Aws, names: Names, registry: CleanupRegistry, role_arn: str,
                    sleep: Callable[[float], None] = time.sleep) -> str:
    lam = aws.client("lambda")
    registry.add(f"Lambda function {names.function} (and its URL)", lambda: ignoring(
        ["ResourceNotFoundException"], lambda: lam.delete_function(FunctionName=names.function)))
    deadline = time.monotonic() + IAM_PROPAGATION_SECONDS
    while True:
        try:
            created = lam.create_function(
                FunctionName=names.function, Runtime=LAMBDA_RUNTIME, Role=role_arn,
                Handler="handler.handler", Code={"ZipFile": function_zip()}, Timeout=5, MemorySize=128,
                Tags={TAG_KEY: names.prefix},
            )
            break
        except ClientError as error:
            # IAM is eventually consistent: "The role defined for the function cannot be assumed by Lambda."
            propagating = "assume" in error.response.get("Error", {}).get("Message", "")
            if not propagating or time.monotonic() > deadline:
                raise
            sleep(5)
    lam.get_waiter("function_active_v2").wait(FunctionName=names.function)
    return str(created["FunctionArn"])


def create_function_url(aws: Aws, names: Names, function_arn: str) -> str:
    """A public URL (AuthType NONE) with the resource-based policy that lets anyone call it."""
    lam = aws.client("lambda")
    url = lam.create_function_url_config(FunctionName=names.function, AuthType="NONE")["FunctionUrl"]
    lam.add_permission(FunctionName=names.function, StatementId=names.statement_id("url"),
                       Action="lambda:InvokeFunctionUrl", Principal="*", FunctionUrlAuthType="NONE")
    # Since October 2025 new function URLs also need lambda:InvokeFunction (Lambda developer guide,
    # "Control access to Lambda function URLs"); limited here to calls made through the URL.
    lam.add_permission(FunctionName=names.function, StatementId=names.statement_id("url-invoke"),
                       Action="lambda:InvokeFunction", Principal="*", InvokedViaFunctionUrl=True)
    return str(url)


# --- API Gateway ---------------------------------------------------------------------------------


def _delete_http_apis_named(aws: Aws, name: str) -> None:
    v2 = aws.client("apigatewayv2")
    for page in v2.get_paginator("get_apis").paginate():
        for api in page.get("Items", []):
            if api["Name"] == name:
                ignoring(["NotFoundException"], partial(v2.delete_api, ApiId=api["ApiId"]))


def create_http_api(aws: Aws, names: Names, registry: CleanupRegistry, function_arn: str) -> str:
    """An HTTP API with `GET /hello` on the function, an auto-deploy `$default` stage and a
    `manual` stage (AutoDeploy false) deployed once."""
    v2 = aws.client("apigatewayv2")
    registry.add(f"HTTP API {names.http_api}", lambda: _delete_http_apis_named(aws, names.http_api))
    api_id = v2.create_api(Name=names.http_api, ProtocolType="HTTP", Tags={TAG_KEY: names.prefix})["ApiId"]
    integration = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY",
                                        IntegrationUri=function_arn, PayloadFormatVersion="2.0")
    target = f"integrations/{integration['IntegrationId']}"
    v2.create_route(ApiId=api_id, RouteKey=f"GET {HTTP_ROUTE_PATH}", Target=target)
    v2.create_stage(ApiId=api_id, StageName=HTTP_AUTO_STAGE, AutoDeploy=True)
    v2.create_stage(ApiId=api_id, StageName=HTTP_MANUAL_STAGE, AutoDeploy=False)
    deploy_http_stage(aws, api_id, HTTP_MANUAL_STAGE, "cdacc seed")
    aws.client("lambda").add_permission(
        FunctionName=names.function, StatementId=names.statement_id("apigateway"),
        Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:{aws.partition}:execute-api:{aws.region}:{aws.account_id}:{api_id}/*",
    )
    return str(api_id)


def deploy_http_stage(aws: Aws, api_id: str, stage: str, description: str) -> None:
    aws.pacer.wait()
    aws.client("apigatewayv2").create_deployment(ApiId=api_id, StageName=stage, Description=description)


def _delete_rest_apis_named(aws: Aws, name: str) -> None:
    apigw = aws.client("apigateway")
    for page in apigw.get_paginator("get_rest_apis").paginate():
        for api in page.get("items", []):
            if api["name"] == name:
                ignoring(["NotFoundException"], partial(apigw.delete_rest_api, restApiId=api["id"]))


def create_rest_api(aws: Aws, names: Names, registry: CleanupRegistry) -> tuple[str, str]:
    """A REST API with binary media types `*/*`, `GET /items` on a MOCK integration, deployed to
    its stage. Returns its id and its root resource's id."""
    apigw = aws.client("apigateway")
    registry.add(f"REST API {names.rest_api}", lambda: _delete_rest_apis_named(aws, names.rest_api))
    api_id = apigw.create_rest_api(
        name=names.rest_api, binaryMediaTypes=["*/*"], endpointConfiguration={"types": ["REGIONAL"]},
        tags={TAG_KEY: names.prefix},
    )["id"]
    root = next(item["id"] for item in apigw.get_resources(restApiId=api_id, limit=500)["items"]
                if item["path"] == "/")
    items = apigw.create_resource(restApiId=api_id, parentId=root, pathPart=REST_ITEMS_PART)["id"]
    put_mock_method(aws, api_id, items, "GET", response_templates={"application/json": '{"ok": true}'})
    deploy_rest_stage(aws, api_id, "cdacc seed")
    return str(api_id), str(root)


def put_mock_method(aws: Aws, api_id: str, resource_id: str, http_method: str, *,
                    response_templates: dict[str, str], mapped: dict[str, str] | None = None,
                    declared: Sequence[str] = (), convert_to_text: bool = True) -> None:
    """A method answering 200 from a MOCK integration, its response declaring the `mapped` headers
    (with their integration values) and the `declared` ones (left to templates). With binary media
    types, a MOCK integration without CONVERT_TO_TEXT answers 500 (facts §7.5)."""
    apigw = aws.client("apigateway")
    target = {"restApiId": api_id, "resourceId": resource_id, "httpMethod": http_method}
    mapped = mapped or {}
    apigw.put_method(**target, authorizationType="NONE")
    apigw.put_integration(**target, type="MOCK", requestTemplates=MOCK_REQUEST_TEMPLATES,
                          **({"contentHandling": "CONVERT_TO_TEXT"} if convert_to_text else {}))
    apigw.put_method_response(**target, statusCode="200", responseParameters={
        f"method.response.header.{name}": False for name in [*mapped, *declared]})
    apigw.put_integration_response(**target, statusCode="200", responseTemplates=response_templates,
                                   responseParameters={f"method.response.header.{name}": value
                                                       for name, value in mapped.items()})


def deploy_rest_stage(aws: Aws, api_id: str, description: str) -> None:
    aws.pacer.wait()
    aws.client("apigateway").create_deployment(restApiId=api_id, stageName=REST_STAGE,
                                               description=description)


# --- S3 --------------------------------------------------------------------------------------------


def _empty_and_delete_bucket(aws: Aws, bucket: str) -> None:
    s3 = aws.client("s3")
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NoSuchBucket":
            return
        raise
    ignoring(["NoSuchBucket"], lambda: s3.delete_bucket(Bucket=bucket))


def create_bucket(aws: Aws, names: Names, registry: CleanupRegistry) -> None:
    """A private bucket holding one small object (read through a presigned URL)."""
    s3 = aws.client("s3")
    registry.add(f"S3 bucket {names.bucket} (and its objects)",
                 lambda: _empty_and_delete_bucket(aws, names.bucket))
    location = {} if aws.region == "us-east-1" else {
        "CreateBucketConfiguration": {"LocationConstraint": aws.region}}
    s3.create_bucket(Bucket=names.bucket, **location)
    s3.get_waiter("bucket_exists").wait(Bucket=names.bucket)
    s3.put_bucket_tagging(Bucket=names.bucket, Tagging={"TagSet": [{"Key": TAG_KEY, "Value": names.prefix}]})
    s3.put_object(Bucket=names.bucket, Key=OBJECT_KEY, Body=b"ok", ContentType="text/plain")


def presigned_object_url(aws: Aws, names: Names, expires: int = 3600) -> str:
    return str(aws.presigning_s3().generate_presigned_url(
        "get_object", Params={"Bucket": names.bucket, "Key": OBJECT_KEY}, ExpiresIn=expires))
