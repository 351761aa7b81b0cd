"""Which resource of an environment serves a URL: every S3 endpoint style, API and function URLs."""
from __future__ import annotations

import pytest

from corsdeploy.config import check_data
from corsdeploy.errors import CorsdeployError
from corsdeploy.model import AwsSettings, Environment, Kind
from corsdeploy.simulate.urls import candidates, endpoint_overrides, not_served, served_by, target_of

CORS = {"AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET"]}
S3_RULES = [{"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET"]}]


def environment() -> Environment:
    return check_data("prod", "environments/prod.yaml", {
        "s3_buckets": {"assets-prod": {"cors": S3_RULES}, "assets.example.com": {"cors": S3_RULES}},
        "http_apis": {"orders": {"id": "a1b2c3d4e5", "cors": CORS}, "search": {"cors": CORS}},
        "rest_apis": {"legacy": {"id": "q1w2e3r4t5", "stage": "prod", "cors": CORS},
                      "billing": {"stage": "v1", "cors": CORS}},
        "function_urls": {"thumbnailer": {"cors": CORS}},
    })


@pytest.mark.parametrize(("url", "bucket", "path"), [
    ("https://assets-prod.s3.amazonaws.com/logo.svg", "assets-prod", "/logo.svg"),
    ("https://assets-prod.s3.eu-west-1.amazonaws.com/a/b.png", "assets-prod", "/a/b.png"),
    ("https://assets-prod.s3-eu-west-1.amazonaws.com/a", "assets-prod", "/a"),
    ("https://assets-prod.s3.dualstack.eu-west-1.amazonaws.com/a", "assets-prod", "/a"),
    ("https://assets-prod.s3-fips.dualstack.us-gov-west-1.amazonaws.com/a", "assets-prod", "/a"),
    ("https://assets-prod.s3-accelerate.amazonaws.com/a", "assets-prod", "/a"),
    ("https://assets-prod.s3-accelerate.dualstack.amazonaws.com/a", "assets-prod", "/a"),
    ("http://assets-prod.s3-website-eu-west-1.amazonaws.com/", "assets-prod", "/"),
    ("http://assets-prod.s3-website.eu-central-1.amazonaws.com/index.html", "assets-prod", "/index.html"),
    ("https://assets-prod.s3.cn-north-1.amazonaws.com.cn/a", "assets-prod", "/a"),
    ("https://ASSETS-PROD.S3.EU-WEST-1.AMAZONAWS.COM/a", "assets-prod", "/a"),
    ("https://assets.example.com.s3.eu-west-1.amazonaws.com/a", "assets.example.com", "/a"),
    ("https://s3.amazonaws.com/assets-prod/logo.svg", "assets-prod", "/logo.svg"),
    ("https://s3.eu-west-1.amazonaws.com/assets-prod/a/b?x=1", "assets-prod", "/a/b"),
    ("https://s3-eu-west-1.amazonaws.com/assets-prod", "assets-prod", "/"),
    ("https://s3.dualstack.eu-west-1.amazonaws.com/assets.example.com/a", "assets.example.com", "/a"),
])
def test_s3_endpoint_styles(url: str, bucket: str, path: str) -> None:
    target = target_of(url)
    assert (target.kinds, target.key, target.path) == ((Kind.S3_BUCKET,), bucket, path)
    served = served_by(environment(), target)
    assert served is not None and served.resource.address == f"s3_bucket.{bucket}"


@pytest.mark.parametrize(("url", "endpoint"), [
    ("http://127.0.0.1:47123/assets-prod/logo.svg", "http://127.0.0.1:47123"),
    ("http://127.0.0.1:47123/assets-prod/logo.svg", "http://127.0.0.1:47123/"),
    ("http://localhost:4566/assets-prod/logo.svg", "http://LOCALHOST:4566"),
    ("http://assets-prod.localhost:4566/logo.svg", "http://localhost:4566"),
    ("https://minio.internal/s3/assets-prod/logo.svg", "https://minio.internal:443/s3"),
])
def test_an_endpoint_override_serves_s3(url: str, endpoint: str) -> None:
    target = target_of(url, [endpoint])
    assert (target.kinds, target.key, target.path) == ((Kind.S3_BUCKET,), "assets-prod", "/logo.svg")


def test_another_port_is_not_the_endpoint() -> None:
    with pytest.raises(CorsdeployError, match="is not an endpoint corsdeploy manages"):
        target_of("http://127.0.0.1:47124/assets-prod/logo.svg", ["http://127.0.0.1:47123"])


def test_an_api_is_found_by_its_id() -> None:
    target = target_of("https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/orders/7")
    assert (target.kinds, target.key) == ((Kind.HTTP_API, Kind.REST_API), "a1b2c3d4e5")
    served = served_by(environment(), target)
    assert served is not None and served.resource.address == "http_api.orders"
    assert served.path == "/prod/orders/7"


def test_a_rest_api_path_is_below_its_stage() -> None:
    served = served_by(environment(), target_of("https://q1w2e3r4t5.execute-api.eu-west-1.amazonaws.com/prod/items/7"))
    assert served is not None and (served.resource.address, served.path, served.notes) == (
        "rest_api.legacy", "/items/7", ())


def test_a_rest_api_at_another_stage_says_which_stage_is_answered() -> None:
    served = served_by(environment(), target_of("https://q1w2e3r4t5.execute-api.eu-west-1.amazonaws.com/dev/items"))
    assert served is not None and served.path == "/items"
    assert served.notes == ("the URL names stage 'dev', but rest_api.legacy deploys to stage 'prod': the "
                            "answer is what 'prod' serves",)


def test_ids_only_aws_knows_come_from_identities() -> None:
    env = environment()
    api = target_of("https://zzzzzzzzzz.execute-api.eu-west-1.amazonaws.com/v1/pay")
    assert served_by(env, api) is None
    assert [r.address for r in candidates(env, api)] == ["http_api.search", "rest_api.billing"]
    served = served_by(env, api, {"http_api.search": "yyyyyyyyyy", "rest_api.billing": "zzzzzzzzzz"})
    assert served is not None and (served.resource.address, served.path) == ("rest_api.billing", "/pay")

    host = "abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws"
    function = target_of(f"https://{host}/thumb?w=10")
    assert served_by(env, function) is None
    assert [r.address for r in candidates(env, function)] == ["function_url.thumbnailer"]
    served = served_by(env, function, {"function_url.thumbnailer": host})
    assert served is not None
    assert (served.resource.address, served.path) == ("function_url.thumbnailer", "/thumb")


@pytest.mark.parametrize(("url", "live", "message"), [
    ("https://other-bucket.s3.amazonaws.com/a", False,
     "'https://other-bucket.s3.amazonaws.com/a': no resource of environment 'prod' serves it; the S3 bucket "
     "'other-bucket' (an s3_buckets entry named 'other-bucket') would"),
    ("https://zzzzzzzzzz.execute-api.eu-west-1.amazonaws.com/v1/pay", False,
     "no resource of environment 'prod' serves it; the API with id 'zzzzzzzzzz' (an http_apis or rest_apis "
     "entry with `id: zzzzzzzzzz`, or one that --live finds by name) would; run with --live to look the ids "
     "up in AWS"),
    ("https://abc.lambda-url.eu-west-1.on.aws/", True,
     "the function URL 'abc.lambda-url.eu-west-1.on.aws' (a function_urls entry that --live finds with that "
     "URL) would"),
])
def test_not_served_names_the_url_and_what_would_serve_it(url: str, live: bool, message: str) -> None:
    error = not_served(environment(), target_of(url), live)
    assert message in str(error)
    assert "\n" not in str(error)


@pytest.mark.parametrize(("url", "message"), [
    ("https://api.example.com/orders", "is not an endpoint corsdeploy manages"),
    ("ftp://assets-prod.s3.amazonaws.com/a", "is not an http or https URL"),
    ("https://s3.eu-west-1.amazonaws.com/", "names no bucket"),
    ("https://[::1/a", "is not a URL"),
    ("https://s3.amazonaws.com.evil.example/assets-prod/a", "is not an endpoint corsdeploy manages"),
])
def test_urls_no_resource_can_serve(url: str, message: str) -> None:
    with pytest.raises(CorsdeployError, match=message):
        target_of(url)


def test_endpoint_overrides_follow_botocore() -> None:
    file = AwsSettings(endpoint_url="http://127.0.0.1:47123")
    environ = {"AWS_ENDPOINT_URL_S3": "http://localhost:4566", "AWS_ENDPOINT_URL": "http://127.0.0.1:4567"}
    assert endpoint_overrides(file, environ) == (
        "http://127.0.0.1:47123", "http://localhost:4566", "http://127.0.0.1:4567")
    ignored = {**environ, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}
    assert endpoint_overrides(file, ignored) == ("http://127.0.0.1:47123",)
    assert endpoint_overrides(AwsSettings(), {}) == ()
