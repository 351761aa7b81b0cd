"""`corsdeploy permissions`: the least-privilege policy for exactly an environment's resources, for
plan (read-only) and for apply, never with "*"; and the README's table, generated from the same
declarations (`python -m tests.test_permissions` prints it)."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from corsdeploy import aws
from corsdeploy.config import load_environment
from corsdeploy.engine import environment_permissions
from corsdeploy.errors import CorsdeployError
from corsdeploy.model import Environment, Kind
from corsdeploy.permissions import MANAGED_POLICY_LIMIT, notes, policy, size, table
from corsdeploy.providers import operations_of
from corsdeploy.providers.operations import ArnContext, Grant
from corsdeploy.providers.s3 import GET_CORS
from tests.conftest import Cli, MotoServer
from tests.rest_support import build_api

README = Path(__file__).resolve().parent.parent / "README.md"
TABLE = re.compile(r"<!-- permissions-table:start -->\n(.*?)<!-- permissions-table:end -->", re.S)
CORS = '{AllowOrigins: ["https://app.example.com"], AllowMethods: [GET]}'
S3_RULES = '[{AllowedOrigins: ["https://app.example.com"], AllowedMethods: [GET]}]'
ACCOUNT = "111122223333"


def readme_table() -> str:
    """The table the README must hold, from every provider's declarations and the STS calls."""
    kinds = {"S3 bucket": Kind.S3_BUCKET, "HTTP API": Kind.HTTP_API, "REST API": Kind.REST_API,
             "function URL": Kind.FUNCTION_URL}
    return table({**{label: operations_of(kind) for label, kind in kinds.items()}, "any": aws.OPERATIONS})


def load(tmp_path: Path, text: str, name: str = "prod") -> Environment:
    folder = tmp_path / "environments"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yaml").write_text(text)
    return load_environment(folder, name)


def statements(document: dict[str, Any]) -> dict[str, list[str]]:
    return {s["Action"]: s["Resource"] for s in document["Statement"]}


OFFLINE = f"""\
aws: {{region: eu-west-1, account_id: "{ACCOUNT}"}}
s3_buckets:
  assets: {{cors: {S3_RULES}}}
  shared: {{co_managed: true, cors: absent}}
http_apis:
  orders: {{id: a1b2c3d4e5, stage: live, cors: {CORS}}}
function_urls:
  thumbnailer: {{cors: {CORS}}}
  resize:live: {{co_managed: true, cors: {CORS}}}
"""
LAMBDA = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:"
APIS = "arn:aws:apigateway:eu-west-1::/apis"


def test_read_only_policy_is_exactly_what_plan_reads(tmp_path: Path) -> None:
    """No AWS call is made (no emulator here, so any call would fail): the file names everything."""
    document = environment_permissions(load(tmp_path, OFFLINE), read_only=True).document
    assert document["Version"] == "2012-10-17"
    assert statements(document) == {
        "s3:GetBucketCORS": ["arn:aws:s3:::assets", "arn:aws:s3:::shared"],
        "apigateway:GET": [APIS, f"{APIS}/a1b2c3d4e5/deployments", f"{APIS}/a1b2c3d4e5/routes",
                           f"{APIS}/a1b2c3d4e5/stages"],
        "lambda:GetFunctionUrlConfig": [LAMBDA + "resize:live", LAMBDA + "thumbnailer"],
    }


def test_apply_policy_adds_exactly_the_writes(tmp_path: Path) -> None:
    document = environment_permissions(load(tmp_path, OFFLINE)).document
    assert statements(document) == {
        "s3:GetBucketCORS": ["arn:aws:s3:::assets", "arn:aws:s3:::shared"],
        # DeleteBucketCors is authorised by s3:PutBucketCORS.
        "s3:PutBucketCORS": ["arn:aws:s3:::assets", "arn:aws:s3:::shared"],
        # Tags are read before a write, except where the entry says co_managed: true.
        "s3:GetBucketTagging": ["arn:aws:s3:::assets"],
        "apigateway:GET": [APIS, f"{APIS}/a1b2c3d4e5", f"{APIS}/a1b2c3d4e5/deployments",
                           f"{APIS}/a1b2c3d4e5/routes", f"{APIS}/a1b2c3d4e5/stages"],
        "apigateway:PATCH": [f"{APIS}/a1b2c3d4e5"],
        "apigateway:DELETE": [f"{APIS}/a1b2c3d4e5/cors"],
        "apigateway:POST": [f"{APIS}/a1b2c3d4e5/deployments"],
        "lambda:GetFunctionUrlConfig": [LAMBDA + "resize:live", LAMBDA + "thumbnailer"],
        "lambda:UpdateFunctionUrlConfig": [LAMBDA + "resize:live", LAMBDA + "thumbnailer"],
        # Tags belong to the function, never to an alias.
        "lambda:ListTags": [LAMBDA + "thumbnailer"],
    }
    assert [s["Sid"] for s in document["Statement"]] == [
        "ApigatewayDELETE", "ApigatewayGET", "ApigatewayPATCH", "ApigatewayPOST",
        "LambdaGetFunctionUrlConfig", "LambdaListTags", "LambdaUpdateFunctionUrlConfig", "S3GetBucketCORS",
        "S3GetBucketTagging", "S3PutBucketCORS"]
    assert all(s["Effect"] == "Allow" for s in document["Statement"])


@pytest.fixture
def live_aws() -> Iterator[None]:
    with mock_aws():
        yield


def test_rest_api_writes_are_named_per_resource_method_and_status(tmp_path: Path, live_aws: None) -> None:
    """A REST API by name: its id from the listing, its writes from its resources (GetResources)."""
    client = boto3.client("apigateway", region_name="eu-west-1")
    api = build_api(client)
    ids = {r["path"]: r["id"] for r in client.get_resources(restApiId=api)["items"]}
    env = load(tmp_path, f"""\
aws: {{region: eu-west-1}}
rest_apis:
  legacy: {{stage: prod, resources: ["/items"], cors: {CORS}}}
""")
    base = f"arn:aws:apigateway:eu-west-1::/restapis/{api}"
    items = f"{base}/resources/{ids['/items']}/methods"
    reads = {"apigateway:GET": sorted([
        "arn:aws:apigateway:eu-west-1::/restapis", f"{base}/deployments", f"{base}/gatewayresponses",
        f"{base}/resources", f"{base}/stages/prod", f"{base}/stages/prod/exports/oas30"])}
    assert statements(environment_permissions(env, read_only=True).document) == reads
    gateway = [f"{base}/gatewayresponses/DEFAULT_4XX", f"{base}/gatewayresponses/DEFAULT_5XX"]
    # GET and POST /items answer 200 through MOCK integrations: corsdeploy writes those responses.
    responses = [f"{items}/{m}/{part}responses/200" for m in ("GET", "POST") for part in ("", "integration/")]
    assert statements(environment_permissions(env).document) == {
        **reads,
        "apigateway:PUT": sorted([f"{items}/OPTIONS", f"{items}/OPTIONS/integration",
                                  f"{items}/OPTIONS/responses/200",
                                  f"{items}/OPTIONS/integration/responses/200", *responses, *gateway]),
        "apigateway:PATCH": sorted(responses),
        "apigateway:DELETE": sorted([f"{items}/OPTIONS", f"{items}/GET/responses/200",
                                     f"{items}/POST/responses/200", *gateway]),
        "apigateway:POST": [f"{base}/deployments"],
    }


def test_without_account_id_lambda_arns_take_the_callers_account(tmp_path: Path, live_aws: None) -> None:
    env = load(tmp_path, f"aws: {{region: eu-west-1}}\nfunction_urls:\n  thumbnailer: {{cors: {CORS}}}\n")
    # moto's account, from sts:GetCallerIdentity (which needs no permission).
    assert statements(environment_permissions(env, read_only=True).document) == {
        "lambda:GetFunctionUrlConfig": ["arn:aws:lambda:eu-west-1:123456789012:function:thumbnailer"]}


def test_arns_name_the_regions_partition(tmp_path: Path) -> None:
    env = load(tmp_path, f"aws: {{region: cn-north-1}}\ns3_buckets:\n  assets: {{cors: {S3_RULES}}}\n")
    assert statements(environment_permissions(env, read_only=True).document) == {
        "s3:GetBucketCORS": ["arn:aws-cn:s3:::assets"]}


def test_no_policy_ever_holds_a_wildcard(tmp_path: Path) -> None:
    for read_only in (True, False):
        text = json.dumps(environment_permissions(load(tmp_path, OFFLINE), read_only=read_only).document)
        assert "*" not in text and "?" not in text


def test_an_api_that_cannot_be_found_is_an_error_naming_it(tmp_path: Path, live_aws: None) -> None:
    env = load(tmp_path, f"aws: {{region: eu-west-1}}\nhttp_apis:\n  ghost: {{cors: {CORS}}}\n")
    with pytest.raises(CorsdeployError, match=r"http_api\.ghost: no HTTP API is named 'ghost'"):
        environment_permissions(env, read_only=True)


def test_notes_say_who_assumes_the_role_and_when_iam_will_not_take_the_policy(tmp_path: Path) -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/corsdeploy"
    env = load(tmp_path, f'aws: {{region: eu-west-1, assume_role: "{role}"}}\n'
                         f"s3_buckets:\n  assets: {{cors: {S3_RULES}}}\n")
    (note,) = environment_permissions(env).notes
    assert note.startswith(f"this policy is for {role}; the identity that assumes it needs sts:AssumeRole")
    context = ArnContext("aws", "eu-west-1", lambda: ACCOUNT)
    big = policy([Grant(GET_CORS, {"Bucket": f"bucket-{i:04d}-with-a-long-name"}) for i in range(200)],
                 context)
    assert size(big) > MANAGED_POLICY_LIMIT
    (too_long,) = notes(big, None, [])
    assert f"IAM takes at most {MANAGED_POLICY_LIMIT} in a managed policy" in too_long


def test_the_readme_table_is_generated_from_the_declarations() -> None:
    found = TABLE.search(README.read_text())
    assert found, "README.md lost its permissions-table markers"
    assert found.group(1) == readme_table() + "\n", (
        "README.md's permissions table differs from the providers' declarations: "
        "replace it with the output of `python -m tests.test_permissions`")


def test_cli_prints_the_policy_on_stdout_and_notes_on_stderr(cli: Cli, moto_server: MotoServer) -> None:
    cli.write_env("prod", f"""\
aws: {{region: eu-west-1, endpoint_url: "{moto_server.url}", account_id: "123456789012",
      assume_role: "arn:aws:iam::123456789012:role/deployer"}}
s3_buckets:
  assets: {{cors: {S3_RULES}}}
""")
    result = cli("permissions", "--env", "prod", "--read-only")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Statement"] == [
        {"Sid": "S3GetBucketCORS", "Effect": "Allow", "Action": "s3:GetBucketCORS",
         "Resource": ["arn:aws:s3:::assets"]}]
    assert "Note: this policy is for arn:aws:iam::123456789012:role/deployer" in result.stderr


def test_cli_reports_an_unplannable_resource_with_exit_1(cli: Cli, moto_server: MotoServer) -> None:
    cli.write_env("prod", f'aws: {{region: eu-west-1, endpoint_url: "{moto_server.url}"}}\n'
                          f"rest_apis:\n  ghost: {{stage: prod, cors: {CORS}}}\n")
    result = cli("permissions", "--env", "prod")
    assert result.returncode == 1 and result.stdout == ""
    assert "rest_api.ghost: no REST API is named 'ghost'" in result.stderr


if __name__ == "__main__":
    print(readme_table())
