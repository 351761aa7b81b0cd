"""Where a probe may send requests: AWS's own endpoint of each resource, or only the override."""
from __future__ import annotations

import pytest

from corsdeploy.errors import CorsdeployError
from corsdeploy.probe.endpoints import (
    Endpoint,
    api_endpoint,
    function_url_endpoint,
    is_aws_service_endpoint,
    refusal,
    s3_endpoint,
)

SANDBOX = "http://127.0.0.1:4566"


@pytest.mark.parametrize(("bucket", "region", "override", "endpoint"), [
    ("assets", "eu-west-1", None, Endpoint("https://assets.s3.eu-west-1.amazonaws.com/")),
    # A name with dots is not covered by *.s3.REGION.amazonaws.com's certificate: path-style.
    ("assets.example.com", "eu-west-1", None, Endpoint("https://s3.eu-west-1.amazonaws.com/assets.example.com/")),
    ("assets", "cn-north-1", None, Endpoint("https://assets.s3.cn-north-1.amazonaws.com.cn/")),
    ("assets", "eu-west-1", SANDBOX + "/", Endpoint("http://127.0.0.1:4566/assets/")),
])
def test_bucket_urls(bucket: str, region: str, override: str | None, endpoint: Endpoint) -> None:
    assert s3_endpoint(bucket, region, override) == endpoint


@pytest.mark.parametrize(("stage", "override", "endpoint"), [
    ("prod", None, Endpoint("https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/")),
    ("$default", None, Endpoint("https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/")),
    # Under an override the AWS URL names the API (Host header); the connection goes to the override.
    ("prod", SANDBOX, Endpoint("https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/", SANDBOX)),
    ("v 1/x", None, Endpoint("https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/v%201%2Fx/")),
])
def test_api_invoke_urls(stage: str, override: str | None, endpoint: Endpoint) -> None:
    assert api_endpoint("a1b2c3d4e5", "eu-west-1", stage, override) == endpoint


def test_function_urls_are_taken_only_in_lambdas_own_form() -> None:
    url = "https://abcdef0123.lambda-url.eu-west-1.on.aws/"
    assert function_url_endpoint(url, None) == Endpoint(url)
    assert function_url_endpoint(url.rstrip("/"), SANDBOX) == Endpoint(url, SANDBOX)
    for other in ("https://evil.example/", "http://abcdef0123.lambda-url.eu-west-1.on.aws/",
                  "http://127.0.0.1:8080/", "https://abc.lambda-url.eu-west-1.on.aws.evil.example/"):
        with pytest.raises(CorsdeployError, match="not of the form"):
            function_url_endpoint(other, None)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: api_endpoint("../x", "eu-west-1", "prod", None), "not an API Gateway id"),
    (lambda: api_endpoint("abc", "eu-west-1.evil.example", "prod", None), "not an AWS region"),
    (lambda: s3_endpoint("a/b", "eu-west-1", None), "not an S3 bucket name"),
    (lambda: s3_endpoint("assets", "x.evil.example/", None), "not an AWS region"),
])
def test_ids_that_would_change_the_host_are_refused(call: object, message: str) -> None:
    with pytest.raises(CorsdeployError, match=message):
        call()  # type: ignore[operator]


@pytest.mark.parametrize("url", [
    "https://assets.s3.eu-west-1.amazonaws.com/",
    "https://s3.eu-west-1.amazonaws.com/a.b/",
    "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/",
    "https://abc.lambda-url.eu-west-1.on.aws/",
    "https://ABC.lambda-url.eu-west-1.on.aws:443/",
])
def test_on_aws_only_aws_hosts_over_https_are_allowed(url: str) -> None:
    assert refusal(url, None) is None


@pytest.mark.parametrize("url", [
    "http://assets.s3.eu-west-1.amazonaws.com/",          # not https
    "https://assets.s3.eu-west-1.amazonaws.com:8443/",    # another port
    "https://evil.example/",
    "https://assets.s3.eu-west-1.amazonaws.com.evil.example/",
    "https://sts.amazonaws.com/",                          # AWS, but no service a probe reads
    "http://127.0.0.1:4566/",
    "ftp://assets.s3.eu-west-1.amazonaws.com/",
])
def test_on_aws_anything_else_is_refused(url: str) -> None:
    assert refusal(url, None) is not None


def test_under_an_override_only_the_override_itself_is_allowed() -> None:
    assert refusal("http://127.0.0.1:4566/assets/", SANDBOX) is None
    assert refusal("http://127.0.0.1:4566", SANDBOX + "/") is None
    for other in ("http://127.0.0.1:4567/", "https://127.0.0.1:4566/", "http://localhost:4566/",
                  "https://assets.s3.eu-west-1.amazonaws.com/"):
        assert refusal(other, SANDBOX) is not None


@pytest.mark.parametrize(("url", "aws"), [
    ("https://s3.eu-west-1.amazonaws.com", True), ("https://apigateway.cn-north-1.amazonaws.com.cn", True),
    ("https://lambda.eu-west-1.api.aws", True), (SANDBOX, False), ("https://proxy.corp.example", False),
    ("https://amazonaws.com.evil.example", False),
])
def test_which_client_endpoints_are_awss_own(url: str, aws: bool) -> None:
    assert is_aws_service_endpoint(url) is aws
