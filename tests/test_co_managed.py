"""Resources another IaC tool also manages: recognised by their tags, refused by apply unless the
entry says `co_managed: true`; APIs warned about at plan, buckets and function URLs checked at apply
(once per resource written), each kind on moto; and the real command end to end."""
from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.s3.models import s3_backends

from corsdeploy.aws import Clients
from corsdeploy.errors import CorsdeployError
from corsdeploy.model import AwsSettings, Kind, Location, Resource, frozen
from corsdeploy.plan import plan_resource
from corsdeploy.providers import Provider, provider_for
from corsdeploy.services.co_managed import CO_MANAGED_CODE, NOT_CHECKED_AT_PLAN, other_manager
from corsdeploy.shapes import rule_from_cors, rules_from_s3
from tests.conftest import Cli, MotoServer
from tests.rest_support import build_api, rest

CORS = {"AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET"]}
RULES = [{"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET"]}]


@pytest.mark.parametrize(("tags", "manager"), [
    ({"aws:cloudformation:stack-name": "orders-prod", "aws:cloudformation:logical-id": "Api"},
     "CloudFormation stack 'orders-prod' (tag aws:cloudformation:stack-name)"),
    ({"aws:cloudformation:stack-id": "arn:aws:cloudformation:eu-west-1:1:stack/x/y"},
     "CloudFormation (tag aws:cloudformation:stack-id)"),
    ({"lambda:createdBy": "SAM"}, "AWS SAM (tag lambda:createdBy=SAM)"),
    ({"httpapi:createdBy": "SAM"}, "AWS SAM (tag httpapi:createdBy=SAM)"),
    ({"ManagedBy": "terraform"}, "Terraform (tag ManagedBy=terraform)"),
    ({"managed-by": "Terraform Cloud"}, "Terraform (tag managed-by=Terraform Cloud)"),
    ({"Provisioner": "opentofu"}, "OpenTofu (tag Provisioner=opentofu)"),
    ({"created_by": "pulumi"}, "Pulumi (tag created_by=pulumi)"),
    ({"terraform": "true"}, "Terraform (tag terraform)"),
    ({"tf:workspace": "prod"}, "Terraform (tag tf:workspace)"),
    ({"Terraform:module": "cdn"}, "Terraform (tag Terraform:module)"),
])
def test_tags_that_name_another_tool(tags: dict[str, str], manager: str) -> None:
    assert other_manager(tags) == manager


@pytest.mark.parametrize("tags", [
    {}, {"Team": "platform", "Environment": "prod"}, {"ManagedBy": "platform-team"},
    {"Project": "terraform-migration"}, {"Owner": "pulumi-fan"}, {"samples": "yes"},
])
def test_tags_that_do_not(tags: dict[str, str]) -> None:
    assert other_manager(tags) is None


# --- each kind on moto ----------------------------------------------------------------------------

@pytest.fixture
def clients() -> Iterator[Clients]:
    with mock_aws():
        yield Clients(AwsSettings(region="eu-west-1"))


def counted(clients: Clients, service: str, operation: str) -> list[str]:
    calls: list[str] = []
    clients.client(service).meta.events.register(f"before-call.{service}.{operation}",
                                                 lambda **_: calls.append(operation))
    return calls


def refused_then_allowed(provider: Provider, resource: Resource) -> tuple[str, Resource]:
    """Apply's write refused (nothing written), then allowed with co_managed: true; the refusal's text."""
    live = provider.read(resource)
    change = plan_resource(resource, live)
    with pytest.raises(CorsdeployError) as refused:
        provider.write(resource, live, change.after)
    assert refused.value.code == CO_MANAGED_CODE
    assert provider.read(resource).wire == live.wire, "a refused write changed the resource"
    allowed = replace(resource, co_managed=True)
    live = provider.read(allowed)
    provider.write(allowed, live, plan_resource(allowed, live).after)
    assert provider.read(allowed).wire is not None
    return str(refused.value), allowed


def test_s3_bucket_of_a_cloudformation_stack(clients: Clients) -> None:
    s3 = clients.client("s3")
    s3.create_bucket(Bucket="assets", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    # CloudFormation's tags are system tags a caller cannot set: put them as the stack would.
    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    backend.put_bucket_tagging("assets", {"aws:cloudformation:stack-name": "web"})
    resource = Resource(Kind.S3_BUCKET, "assets", rules_from_s3(RULES), Location("e.yaml", 4, 3))
    provider = provider_for(Kind.S3_BUCKET, clients)
    # Plan reads no tags (one call per bucket) and says so for the bucket it would write.
    tagging = counted(clients, "s3", "GetBucketTagging")
    assert provider.read(resource).warnings == (NOT_CHECKED_AT_PLAN,)
    assert tagging == []
    message, allowed = refused_then_allowed(provider, resource)
    assert message == (
        "s3_bucket.assets: not written: also managed by CloudFormation stack 'web' (tag "
        "aws:cloudformation:stack-name), and each tool would overwrite the other's CORS; move the CORS into "
        "one tool, or set co_managed: true on this entry to write it anyway")
    assert tagging == ["GetBucketTagging"], "the tags are read once, before the refused write only"
    assert provider.read(allowed).warnings == ()


def test_an_untagged_bucket_is_written(clients: Clients) -> None:
    clients.client("s3").create_bucket(Bucket="assets",
                                       CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    resource = Resource(Kind.S3_BUCKET, "assets", rules_from_s3(RULES), Location("e.yaml", 4, 3))
    provider = provider_for(Kind.S3_BUCKET, clients)
    live = provider.read(resource)
    provider.write(resource, live, plan_resource(resource, live).after)
    assert provider.read(resource).warnings == ()  # written: nothing left to check


def _function(clients: Clients, tags: dict[str, str]) -> None:
    role = clients.client("iam").create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("index.py", "def handler(e, c): return 1\n")
    lam = clients.client("lambda")
    lam.create_function(FunctionName="thumbnailer", Runtime="python3.12", Role=role, Handler="index.handler",
                        Code={"ZipFile": code.getvalue()}, Tags=tags)
    lam.create_function_url_config(FunctionName="thumbnailer", AuthType="NONE")


def test_function_url_of_a_sam_function(clients: Clients) -> None:
    _function(clients, {"lambda:createdBy": "SAM"})
    resource = Resource(Kind.FUNCTION_URL, "thumbnailer", rule_from_cors(CORS), Location("e.yaml", 9, 3))
    provider = provider_for(Kind.FUNCTION_URL, clients)
    list_tags = counted(clients, "lambda", "ListTags")
    assert provider.read(resource).warnings == (NOT_CHECKED_AT_PLAN,)
    message, _ = refused_then_allowed(provider, resource)
    assert ("function_url.thumbnailer: not written: also managed by AWS SAM (tag lambda:createdBy=SAM)"
            in message)
    assert list_tags == ["ListTags"], "with co_managed: true the tags are not read at all"


def test_http_api_of_a_terraform_stack_is_warned_about_at_plan(clients: Clients) -> None:
    clients.client("apigatewayv2").create_api(Name="orders", ProtocolType="HTTP",
                                              Tags={"ManagedBy": "terraform"})
    resource = Resource(Kind.HTTP_API, "orders", rule_from_cors(CORS), Location("e.yaml", 6, 3),
                        frozen({"id": None, "stage": None}))
    provider = provider_for(Kind.HTTP_API, clients)
    (warning,) = provider.read(resource).warnings
    assert warning == ("CD306: also managed by Terraform (tag ManagedBy=terraform): apply will refuse to "
                       "write it, since each tool would overwrite the other's CORS; set co_managed: true on "
                       "this entry to write it anyway")
    message, allowed = refused_then_allowed(provider, resource)
    assert "http_api.orders: not written: also managed by Terraform (tag ManagedBy=terraform)" in message
    (acknowledged,) = provider_for(Kind.HTTP_API, clients).read(allowed).warnings
    assert acknowledged.startswith(
        "CD306: also managed by Terraform (tag ManagedBy=terraform); written anyway")


def test_rest_api_of_a_cdk_stack_is_refused_for_writes_and_restores(clients: Clients) -> None:
    client = clients.client("apigateway")
    build_api(client, tags={"aws:cloudformation:stack-name": "cdk-legacy"})
    resource = rest(CORS, resources=["/items"])
    provider = provider_for(Kind.REST_API, clients)
    live = provider.read(resource)
    cdk = "CD306: also managed by CloudFormation stack 'cdk-legacy'"
    assert any(w.startswith(cdk) for w in live.warnings)
    message, _ = refused_then_allowed(provider, resource)
    assert "rest_api.legacy: not written: also managed by CloudFormation stack 'cdk-legacy'" in message
    rest_provider: Any = provider
    with pytest.raises(CorsdeployError, match="not written: also managed by CloudFormation"):
        rest_provider.restore(resource, rest_provider.read(resource), live.backup_document)


# --- the schema and the real command ----------------------------------------------------------------

ENVIRONMENT = """\
aws: {{region: eu-west-1, endpoint_url: "{url}"}}
s3_buckets:
  assets:
    {extra}cors: [{{AllowedOrigins: ["https://app.example.com"], AllowedMethods: [GET]}}]
"""


@pytest.fixture
def tagged_bucket(moto_server: MotoServer) -> Any:
    s3 = boto3.client("s3", endpoint_url=moto_server.url, region_name="eu-west-1")
    s3.create_bucket(Bucket="assets", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_tagging(Bucket="assets", Tagging={"TagSet": [{"Key": "ManagedBy", "Value": "Terraform"}]})
    return s3


def test_apply_refuses_a_co_managed_bucket_and_writes_it_with_co_managed_true(
        cli: Cli, moto_server: MotoServer, tagged_bucket: Any) -> None:
    cli.write_env("prod", ENVIRONMENT.format(url=moto_server.url, extra=""))
    plan = cli("plan", "--env", "prod")
    assert f"Warning: s3_bucket.assets: {NOT_CHECKED_AT_PLAN}" in plan.stdout
    result = cli("apply", "--env", "prod", "--auto-approve", "--format", "json")
    assert result.returncode == 1
    (outcome,) = json.loads(result.stdout)["results"]
    assert outcome["outcome"] == "failed" and outcome["error"]["code"] == CO_MANAGED_CODE
    assert "also managed by Terraform (tag ManagedBy=Terraform)" in outcome["error"]["message"]
    with pytest.raises(ClientError, match="NoSuchCORSConfiguration"):  # nothing was written
        tagged_bucket.get_bucket_cors(Bucket="assets")

    cli.write_env("prod", ENVIRONMENT.format(url=moto_server.url, extra="co_managed: true\n    "))
    assert "Warning" not in cli("plan", "--env", "prod").stdout
    assert cli("apply", "--env", "prod", "--auto-approve").returncode == 0
    assert tagged_bucket.get_bucket_cors(Bucket="assets")["CORSRules"] == RULES


def test_co_managed_must_be_a_boolean(cli: Cli) -> None:
    cli.write_env("prod", ENVIRONMENT.format(url="http://127.0.0.1:1", extra="co_managed: yes please\n    "))
    result = cli("validate", "--env", "prod")
    assert result.returncode == 1
    assert ("prod.yaml:4:17: s3_bucket.assets: co_managed: expected true or false, got 'yes please'"
            in result.stderr)
