"""The sandbox answers browsers like S3 (facts §1.3-1.4), where moto alone answers otherwise.

Real HTTP against the sandbox's emulator (the `moto_server` fixture runs it), buckets configured
with boto3 as a user would; each test names the moto behaviour it rules out.
"""
from __future__ import annotations

import http.client
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from tests.conftest import MotoServer

BUCKET = "cors-layer-bucket"
KEY = "data.json"
VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
NOT_ALLOWED = ("CORSResponse: This CORS request is not allowed. This is usually because the evalution of "
               "Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers "
               "are not whitelisted by the resource's CORS spec.")


@dataclass(frozen=True)
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def cors(self) -> dict[str, str]:
        """The CORS headers (and Vary), as sent."""
        return {name: value for name, value in self.headers.items()
                if name.lower().startswith("access-control-") or name.lower() == "vary"}

    def error(self) -> dict[str, str]:
        root = ElementTree.fromstring(self.body)
        return {child.tag: child.text or "" for child in root}


def send(server: MotoServer, method: str, path: str, headers: Mapping[str, str] | None = None) -> Reply:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request(method, path, headers=dict(headers or {}))
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        connection.close()


def preflight(server: MotoServer, origin: str, method: str, headers: str | None = None,
              path: str = f"/{BUCKET}/{KEY}", host: str | None = None) -> Reply:
    request = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers is not None:
        request["Access-Control-Request-Headers"] = headers
    if host is not None:
        request["Host"] = host
    return send(server, "OPTIONS", path, request)


def s3_client(server: MotoServer) -> Any:
    return boto3.client("s3", endpoint_url=server.url, region_name="eu-west-1")


@pytest.fixture
def bucket(moto_server: MotoServer) -> Any:
    """A bucket holding one public-read object (a browser GETs it unsigned, as on S3), no CORS yet;
    returns a function that puts its CORS rules."""
    s3 = s3_client(moto_server)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=b'{"ok": true}', ACL="public-read")

    def put_cors(*rules: dict[str, Any]) -> None:
        s3.put_bucket_cors(Bucket=BUCKET, CORSConfiguration={"CORSRules": list(rules)})

    return put_cors


def test_a_later_rule_matches_after_an_earlier_rules_origin_did_not(moto_server: MotoServer,
                                                                    bucket: Any) -> None:
    # moto refuses the preflight at the first rule whose origins differ.
    bucket({"AllowedOrigins": ["https://admin.example.com"], "AllowedMethods": ["PUT"]},
           {"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET", "HEAD"],
            "MaxAgeSeconds": 600})
    reply = preflight(moto_server, "https://app.example.com", "GET")
    assert reply.status == 200 and reply.body == b""
    assert reply.cors() == {
        "Access-Control-Allow-Origin": "https://app.example.com",
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Methods": "GET, HEAD",
        "Access-Control-Max-Age": "600",
        "Vary": VARY,
    }
    actual = send(moto_server, "GET", f"/{BUCKET}/{KEY}", {"Origin": "https://app.example.com"})
    assert actual.status == 200 and actual.body == b'{"ok": true}'
    assert actual.cors()["Access-Control-Allow-Methods"] == "GET, HEAD"


def test_the_method_is_evaluated(moto_server: MotoServer, bucket: Any) -> None:
    # moto ignores the Access-Control-Request-Method.
    bucket({"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET"]},
           {"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["PUT"],
            "ExposeHeaders": ["ETag"]})
    refused = preflight(moto_server, "https://app.example.com", "DELETE")
    assert refused.status == 403 and refused.cors() == {}
    assert refused.headers["Content-Type"] == "application/xml"
    error = refused.error()
    assert (error["Code"], error["Message"], error["Method"], error["ResourceType"]) == (
        "AccessForbidden", NOT_ALLOWED, "DELETE", "OBJECT")
    assert error["RequestId"] and error["HostId"]
    # The first rule allowing PUT decides every header.
    put = preflight(moto_server, "https://app.example.com", "PUT")
    assert put.status == 200
    assert put.cors()["Access-Control-Allow-Methods"] == "PUT"
    assert put.cors()["Access-Control-Expose-Headers"] == "ETag"
    # An actual request S3 evaluates by its Access-Control-Request-Method, when it carries one.
    odd = send(moto_server, "GET", f"/{BUCKET}/{KEY}",
               {"Origin": "https://app.example.com", "Access-Control-Request-Method": "DELETE"})
    assert odd.status == 200 and odd.cors() == {}


def test_requested_headers_are_evaluated(moto_server: MotoServer, bucket: Any) -> None:
    # moto ignores Access-Control-Request-Headers and sends the configured list back.
    bucket({"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["PUT"]},
           {"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["PUT"],
            "AllowedHeaders": ["Content-Type", "x-amz-*"]})
    # No AllowedHeaders allows no requested header: the second rule answers, echoing them lowercased.
    reply = preflight(moto_server, "https://app.example.com", "PUT", "X-Amz-Meta-Owner, content-type")
    assert reply.status == 200
    assert reply.cors()["Access-Control-Allow-Headers"] == "x-amz-meta-owner, content-type"
    refused = preflight(moto_server, "https://app.example.com", "PUT", "content-type, authorization")
    assert refused.status == 403 and refused.error()["Message"] == NOT_ALLOWED
    # Without requested headers the first rule matches, and no Allow-Headers is sent.
    plain = preflight(moto_server, "https://app.example.com", "PUT")
    assert plain.status == 200 and "Access-Control-Allow-Headers" not in plain.cors()
    # Headers of an actual request are not checked.
    actual = send(moto_server, "GET", f"/{BUCKET}/{KEY}", {"Origin": "https://app.example.com",
                                                           "Authorization-Extra": "x"})
    assert actual.status == 200 and actual.cors() == {}  # GET is allowed by neither rule


def test_origin_patterns_are_anchored_at_both_ends(moto_server: MotoServer, bucket: Any) -> None:
    # moto matches a pattern as an unanchored prefix: `https://app.example.com` lets
    # `https://app.example.com.evil.net` in.
    bucket({"AllowedOrigins": ["https://app.example.com", "https://*.example.org"],
            "AllowedMethods": ["GET"]})
    for origin in ("https://app.example.com.evil.net", "https://cdn.example.org.evil.net", "http://app.example.com"):
        assert preflight(moto_server, origin, "GET").status == 403, origin
        actual = send(moto_server, "GET", f"/{BUCKET}/{KEY}", {"Origin": origin})
        assert actual.status == 200 and actual.cors() == {}, origin
    wildcard = preflight(moto_server, "https://cdn.example.org", "GET")
    assert wildcard.status == 200
    assert wildcard.cors()["Access-Control-Allow-Origin"] == "https://cdn.example.org"


def test_a_star_origin_answers_star_without_credentials(moto_server: MotoServer, bucket: Any) -> None:
    # moto echoes the Origin for `*`.
    bucket({"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]})
    for reply in (preflight(moto_server, "https://anyone.example", "GET"),
                  send(moto_server, "GET", f"/{BUCKET}/{KEY}", {"Origin": "https://anyone.example"})):
        assert reply.status == 200
        assert reply.cors() == {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET",
                                "Vary": VARY}


def test_vary_only_on_success(moto_server: MotoServer, bucket: Any) -> None:
    bucket({"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET"]})
    allowed = send(moto_server, "GET", f"/{BUCKET}/{KEY}", {"Origin": "https://app.example.com"})
    assert allowed.cors()["Vary"] == VARY
    for reply in (send(moto_server, "GET", f"/{BUCKET}/{KEY}", {"Origin": "https://other.example.com"}),
                  send(moto_server, "GET", f"/{BUCKET}/{KEY}"),
                  preflight(moto_server, "https://other.example.com", "GET")):
        assert "Vary" not in reply.headers and reply.cors() == {}


def test_preflights_s3_refuses_before_evaluating(moto_server: MotoServer, bucket: Any) -> None:
    no_origin = send(moto_server, "OPTIONS", f"/{BUCKET}/{KEY}", {"Access-Control-Request-Method": "GET"})
    assert no_origin.status == 400
    assert {k: no_origin.error()[k] for k in ("Code", "Message")} == {
        "Code": "BadRequest", "Message": "Insufficient information. Origin request header needed."}
    no_cors = preflight(moto_server, "https://app.example.com", "PUT")
    assert no_cors.status == 403
    assert [no_cors.error()[k] for k in ("Code", "Message", "Method", "ResourceType")] == [
        "AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.", "PUT", "BUCKET"]
    missing = send(moto_server, "OPTIONS", "/no-such-bucket/x", {"Origin": "https://app.example.com"})
    assert missing.status == 403
    assert [missing.error()[k] for k in ("Message", "Method", "ResourceType")] == [
        "CORSResponse: Bucket not found", "OPTIONS", "BUCKET"]
    # Origin but no Access-Control-Request-Method on a configured bucket: refused too.
    bucket({"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]})
    no_method = send(moto_server, "OPTIONS", f"/{BUCKET}", {"Origin": "https://app.example.com"})
    assert no_method.status == 403
    assert [no_method.error()[k] for k in ("Message", "Method", "ResourceType")] == [
        NOT_ALLOWED, "OPTIONS", "BUCKET"]


def test_virtual_hosted_bucket_urls(moto_server: MotoServer, bucket: Any) -> None:
    bucket({"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET"]})
    host = {"Host": f"{BUCKET}.localhost:{moto_server.port}"}
    reply = send(moto_server, "OPTIONS", f"/{KEY}", {**host, "Origin": "https://app.example.com",
                                                      "Access-Control-Request-Method": "GET"})
    assert reply.status == 200 and reply.cors()["Access-Control-Allow-Origin"] == "https://app.example.com"
    actual = send(moto_server, "GET", f"/{KEY}", {**host, "Origin": "https://app.example.com"})
    assert actual.status == 200 and actual.body == b'{"ok": true}'
    assert actual.cors()["Vary"] == VARY
    refused = send(moto_server, "OPTIONS", f"/{KEY}", {**host, "Origin": "https://other.example.com",
                                                        "Access-Control-Request-Method": "GET"})
    assert refused.status == 403 and refused.error()["ResourceType"] == "OBJECT"


def test_everything_else_is_moto_s(moto_server: MotoServer, bucket: Any) -> None:
    """Signed API calls, errors and other services go through untouched."""
    bucket({"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET"]})
    s3 = s3_client(moto_server)
    assert s3.get_bucket_cors(Bucket=BUCKET)["CORSRules"][0]["AllowedMethods"] == ["GET"]
    assert s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read() == b'{"ok": true}'
    missing = send(moto_server, "GET", f"/{BUCKET}/missing", {"Origin": "https://app.example.com"})
    assert missing.status == 404 and b"NoSuchKey" in missing.body
    assert send(moto_server, "GET", "/moto-api/").status == 200
    sts = boto3.client("sts", endpoint_url=moto_server.url, region_name="eu-west-1")
    assert sts.get_caller_identity()["Account"]


@pytest.mark.parametrize("host", ["a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com",
                                  "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com:443",
                                  "abcdef0123456789.lambda-url.eu-west-1.on.aws"])
def test_api_and_function_url_hosts_are_answered_as_not_served(moto_server: MotoServer, host: str) -> None:
    """moto alone answers them with its own unrelated responses (a 200 preflight without CORS headers
    for an HTTP API, 403 for a REST API), which a probe would report as disagreements."""
    reply = preflight(moto_server, "https://app.example.com", "GET", path="/prod/", host=host)
    assert reply.status == 501
    assert reply.headers["X-Corsdeploy-Sandbox"] == "no-data-plane"
    assert reply.cors() == {}
