"""The environment schema (draft 2020-12): valid, described, and true to the contract's own example."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from corsdeploy.config import environment_schema, load_environment
from corsdeploy.model import AwsSettings
from tests.test_config_support import FIXTURES, at, problem, where, write

CONTRACT = FIXTURES / "contract"


def test_schema_is_valid_draft_2020_12() -> None:
    schema = environment_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    json.dumps(schema)


def test_every_top_level_key_is_described() -> None:
    properties = environment_schema()["properties"]
    assert set(properties) == {"extends", "state", "aws", "vars", "policies", "lint",
                               "s3_buckets", "http_apis", "rest_apis", "function_urls"}
    assert all(spec.get("description") for spec in properties.values())


def test_schema_accepts_the_contract_example_file() -> None:
    data = yaml.safe_load((CONTRACT / "prod.yaml").read_text())
    assert list(Draft202012Validator(environment_schema()).iter_errors(data)) == []


def test_contract_example_loads() -> None:
    env = load_environment(CONTRACT, "prod")
    assert env.state == "s3://ops-bucket/corsdeploy"
    assert env.aws == AwsSettings("123456789012", "eu-west-1", "prod-deployer",
                                  "arn:aws:iam::123456789012:role/corsdeploy", "http://127.0.0.1:4566")
    assert [r.address for r in env.resources] == [
        "s3_bucket.assets-prod", "s3_bucket.uploads-prod", "s3_bucket.legacy-prod", "http_api.orders",
        "rest_api.legacy", "function_url.thumbnailer"]
    assets = env.resources[0]
    # prod.yaml's `app` overrides the one _base.yaml sets.
    assert assets.cors is not None and assets.cors.rules[0].allowed_origins == ("https://app.example.com",)
    assert env.resources[2].cors is None
    assert dict(env.resources[3].settings) == {"id": "a1b2c3d4e5", "stage": "prod"}


def test_http_api_stage_is_described() -> None:
    """`corsdeploy schema` tells editors what the HTTP API `stage` setting does."""
    stage = environment_schema()["$defs"]["httpApi"]["properties"]["stage"]
    assert stage["type"] == "string" and stage["minLength"] == 1
    assert "without automatic deployment" in stage["description"]


def test_schema_rejects_what_the_loader_rejects(tmp_path: Path) -> None:
    data = {"s3_buckets": {"a": {"cors": [{"AllowedOrigins": ["*"], "AllowedMethods": ["PATCH"]}]}},
            "function_urls": {"f": {"cors": {"AllowOrigins": ["*"], "MaxAge": 90000}}}}
    errors = list(Draft202012Validator(environment_schema()).iter_errors(data))
    assert {tuple(e.absolute_path) for e in errors} == {
        ("s3_buckets", "a", "cors", 0, "AllowedMethods", 0), ("function_urls", "f", "cors", "MaxAge")}


@pytest.mark.parametrize(("text", "needle", "fragment"), [
    ("aws:\n  account_id: 123456789012\n", "123456789012",
     'account_id must be quoted, as in account_id: "123456789012"'),
    ("aws:\n  account_id: '12345'\n", "'12345'", "'12345' is not an AWS account id (12 digits)"),
    ("aws:\n  endpoint_url: localhost:4566\n", "localhost", "is not an http:// or https:// URL"),
    ("aws:\n  endpoint_url: http://127.0.0.1:99999\n", "http://127",
     "has an invalid port; ports are 1 to 65535"),
    ("aws:\n  endpoint_url: http://127.0.0.1:0\n", "http://127", "has port 0; ports are 1 to 65535"),
    ("aws:\n  endpoint_url: 'http://[::1'\n", "'http://[::1'", "is not a valid URL (Invalid IPv6 URL)"),
    ("aws:\n  endpoint_url: 'http://:80'\n", "'http://:80'", "has no host name"),
    ("aws:\n  region: Ireland\n", "Ireland", "is not an AWS region name"),
    ("aws:\n  assume_role: corsdeploy\n", "corsdeploy", "is not an IAM role ARN"),
    ("aws:\n  regoin: eu-west-1\n", "regoin", "unknown key 'regoin'; did you mean 'region'?"),
    ("state: s3://\n", "s3://", "is not s3://BUCKET or s3://BUCKET/PREFIX"),
    ("state: 5\n", "5", "state: expected a string, got 5"),
    ("s3_bucket:\n  a: {cors: absent}\n", "s3_bucket", "did you mean 's3_buckets'?"),
])
def test_aws_state_and_top_level(tmp_path: Path, text: str, needle: str, fragment: str) -> None:
    path = write(tmp_path, "prod.yaml", text)
    assert where(problem(path, fragment)) == at(path, needle)


@pytest.mark.parametrize("state", [
    "s3://ops-bucket", "s3://ops-bucket/corsdeploy/prod", ".corsdeploy", "ops/state"])
def test_state_forms(tmp_path: Path, state: str) -> None:
    write(tmp_path, "prod.yaml", f"state: {state}\n")
    assert load_environment(tmp_path, "prod").state == state


def test_empty_sections_are_allowed(tmp_path: Path) -> None:
    write(tmp_path, "prod.yaml", "aws:\nvars:\npolicies:\ns3_buckets:\nhttp_apis: {}\n")
    env = load_environment(tmp_path, "prod")
    assert env.resources == () and env.aws == AwsSettings()
