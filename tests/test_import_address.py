"""Addresses `import` accepts: KIND.NAME for every kind, rest_api.NAME@STAGE, and clear refusals of the
rest before any AWS call."""
from __future__ import annotations

import pytest

from corsdeploy.errors import CorsdeployError
from corsdeploy.importer import Address, import_resources, parse_address
from corsdeploy.model import AwsSettings, Environment, Kind


@pytest.mark.parametrize("text, expected", [
    ("s3_bucket.assets.example.com", Address(Kind.S3_BUCKET, "assets.example.com")),
    ("http_api.orders@prod", Address(Kind.HTTP_API, "orders@prod")),
    ("rest_api.legacy", Address(Kind.REST_API, "legacy")),
    ("rest_api.legacy@prod", Address(Kind.REST_API, "legacy", "prod")),
    # Everything after the last '@' is the stage when it can be one; otherwise it is part of the name.
    ("rest_api.me@example.com", Address(Kind.REST_API, "me@example.com")),
    ("rest_api.me@example.com@v1_2-3", Address(Kind.REST_API, "me@example.com", "v1_2-3")),
    ("rest_api.@prod", Address(Kind.REST_API, "@prod")),
    ("function_url.thumbnailer:live", Address(Kind.FUNCTION_URL, "thumbnailer:live")),
])
def test_addresses(text: str, expected: Address) -> None:
    assert parse_address(text) == expected


@pytest.mark.parametrize("text, message", [
    ("assets", "'assets' is not an address: write KIND.NAME, e.g. s3_bucket.assets (kinds: s3_bucket, "
               "http_api, rest_api, function_url)"),
    ("s3_bucket.", "'s3_bucket.' is not an address"),
    ("s3_buckets.assets", "'s3_buckets.assets': unknown kind 's3_buckets' (did you mean s3_bucket?)"),
    ("sqs.queue", "'sqs.queue': unknown kind 'sqs' (kinds: s3_bucket, http_api, rest_api, function_url)"),
    ("s3_bucket.Assets", "'s3_bucket.Assets': 'Assets' is not an S3 bucket name"),
    ("function_url.arn:aws:lambda:eu-west-1:1:function:f", "is not a function URL's function: it is an ARN"),
    # A byte that is not UTF-8 in argv arrives as a lone surrogate: no file can hold it.
    ("http_api.x\udcff", "the name holds a byte that is not text"),
])
def test_refusals(text: str, message: str) -> None:
    with pytest.raises(CorsdeployError) as raised:
        parse_address(text)
    assert message in str(raised.value)


def test_every_bad_address_is_reported_before_any_aws_call() -> None:
    # No moto and no endpoint: reaching AWS would fail differently (and slowly).
    with pytest.raises(CorsdeployError) as raised:
        import_resources(["sqs.queue", "s3_bucket.ok-bucket", "nothing", "rest_api.a@dev", "rest_api.a@prod"])
    assert [str(p) for p in raised.value.problems] == [
        "'sqs.queue': unknown kind 'sqs' (kinds: s3_bucket, http_api, rest_api, function_url)",
        "'nothing' is not an address: write KIND.NAME, e.g. s3_bucket.assets (kinds: s3_bucket, http_api, "
        "rest_api, function_url)",
        "rest_api.a is asked for with stages dev and prod: an environment file holds one entry per API, "
        "with one stage",
    ]


def test_an_environments_untrusted_endpoint_is_refused_before_any_request() -> None:
    environment = Environment("pr", "environments/pr.yaml", AwsSettings(endpoint_url="https://collector.example"),
                              ())
    with pytest.raises(CorsdeployError) as raised:
        import_resources(["s3_bucket.assets"], environment)
    message = str(raised.value)
    assert message.startswith("environments/pr.yaml: aws.endpoint_url: 'https://collector.example' is not")
    assert "CORSDEPLOY_TRUSTED_ENDPOINTS" in message and "nothing was sent" in message
