"""The browser's verdict, one row per rule of the Fetch standard's CORS check and CORS-preflight
fetch (https://fetch.spec.whatwg.org/#cors-check, #cors-preflight-fetch)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pytest

from corsdeploy.model import Kind, Location, Resource
from corsdeploy.shapes import rule_from_cors, rules_from_s3
from corsdeploy.simulate import check
from corsdeploy.simulate.browser import normalize_method, verdict
from corsdeploy.simulate.request import BrowserRequest, ServiceAnswer

PAGE = "https://app.example.com"


@dataclass(frozen=True)
class Row:
    request: BrowserRequest
    status: int
    headers: Mapping[str, str]
    allowed: bool
    because: str = ""


def pre(method: str, *headers: str, credentials: bool = False) -> BrowserRequest:
    return BrowserRequest(PAGE, method, headers, preflight=True, credentials=credentials)


def get(credentials: bool = False) -> BrowserRequest:
    return BrowserRequest(PAGE, "GET", preflight=False, credentials=credentials)


ORIGIN = {"Access-Control-Allow-Origin": PAGE}
STAR = {"Access-Control-Allow-Origin": "*"}

ROWS = {
    # CORS check: no Access-Control-Allow-Origin fails.
    "no-allow-origin": Row(get(), 200, {}, False, "no Access-Control-Allow-Origin"),
    # `*` passes without credentials ...
    "star-without-credentials": Row(get(), 200, STAR, True),
    # ... and fails with them.
    "star-with-credentials": Row(get(credentials=True), 200, STAR, False, "with credentials"),
    # Otherwise the value must be the request's origin, byte for byte.
    "other-origin": Row(get(), 200, {"Access-Control-Allow-Origin": "https://evil.example"}, False,
                        "is not the page's origin"),
    "origin-with-trailing-slash": Row(get(), 200, {"Access-Control-Allow-Origin": PAGE + "/"}, False),
    "several-origins-in-one-value": Row(
        get(), 200, {"Access-Control-Allow-Origin": f"{PAGE}, https://b.example.com"}, False),
    "own-origin": Row(get(), 200, ORIGIN, True),
    # Header names are case-insensitive (HTTP).
    "lowercase-header-name": Row(get(), 200, {"access-control-allow-origin": PAGE}, True),
    # With credentials, Access-Control-Allow-Credentials must be exactly `true`.
    "credentials-missing-acac": Row(get(credentials=True), 200, ORIGIN, False,
                                    "Access-Control-Allow-Credentials"),
    "credentials-acac-True": Row(get(credentials=True), 200,
                                 {**ORIGIN, "Access-Control-Allow-Credentials": "True"}, False),
    "credentials-acac-true": Row(get(credentials=True), 200,
                                 {**ORIGIN, "Access-Control-Allow-Credentials": "true"}, True),
    # An actual response's status does not matter to the CORS check.
    "actual-error-status-readable": Row(get(), 500, ORIGIN, True),
    # Preflight: the status must be ok (2xx).
    "preflight-403": Row(pre("PUT"), 403, {**ORIGIN, "Access-Control-Allow-Methods": "PUT"}, False, "403"),
    "preflight-204": Row(pre("PUT"), 204, {**ORIGIN, "Access-Control-Allow-Methods": "PUT"}, True),
    # The method must be in Access-Control-Allow-Methods (compared as written) ...
    "method-not-listed": Row(pre("PUT"), 200, {**ORIGIN, "Access-Control-Allow-Methods": "GET, POST"}, False,
                             "method PUT"),
    "method-case-differs": Row(pre("PUT"), 200, {**ORIGIN, "Access-Control-Allow-Methods": "put"}, False),
    # ... unless it is a CORS-safelisted method.
    "safelisted-method-unlisted": Row(pre("POST", "content-type"), 200,
                                      {**ORIGIN, "Access-Control-Allow-Headers": "content-type"}, True),
    # `*` allows any method without credentials, none with them.
    "star-methods": Row(pre("DELETE"), 200, {**ORIGIN, "Access-Control-Allow-Methods": "*"}, True),
    "star-methods-credentials": Row(
        pre("DELETE", credentials=True), 200,
        {**ORIGIN, "Access-Control-Allow-Credentials": "true", "Access-Control-Allow-Methods": "*"}, False),
    "star-beside-method-credentials": Row(
        pre("DELETE", credentials=True), 200,
        {**ORIGIN, "Access-Control-Allow-Credentials": "true", "Access-Control-Allow-Methods": "*, DELETE"},
        True),
    # Requested headers must be in Access-Control-Allow-Headers, case-insensitively.
    "header-listed-other-case": Row(pre("GET", "X-Custom"), 200,
                                    {**ORIGIN, "Access-Control-Allow-Headers": "x-custom"}, True),
    "header-missing": Row(pre("GET", "x-custom", "x-other"), 200,
                          {**ORIGIN, "Access-Control-Allow-Headers": "x-custom"}, False, "x-other"),
    # `*` covers any header without credentials, none with them, and never Authorization.
    "star-headers": Row(pre("GET", "x-custom"), 200, {**STAR, "Access-Control-Allow-Headers": "*"}, True),
    "star-headers-credentials": Row(
        pre("GET", "x-custom", credentials=True), 200,
        {**ORIGIN, "Access-Control-Allow-Credentials": "true", "Access-Control-Allow-Headers": "*"}, False),
    "star-headers-authorization": Row(pre("GET", "Authorization"), 200,
                                      {**STAR, "Access-Control-Allow-Headers": "*"}, False, "Authorization"),
    "authorization-listed": Row(pre("GET", "Authorization"), 200,
                                {**STAR, "Access-Control-Allow-Headers": "*, authorization"}, True),
    # A value that is not a list of tokens fails the preflight.
    "bad-allow-methods": Row(pre("PUT"), 200, {**ORIGIN, "Access-Control-Allow-Methods": "Bad value"}, False,
                             "not a token"),
    # The CORS check applies to the preflight too.
    "preflight-without-allow-origin": Row(pre("GET"), 200, {"Access-Control-Allow-Methods": "GET"}, False),
}


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_browser_verdict_follows_fetch(row: Row) -> None:
    allowed, why = verdict(row.request, ServiceAnswer(row.status, row.headers))
    assert allowed is row.allowed, why
    assert row.because in why


def test_a_request_without_origin_is_not_a_cross_origin_one() -> None:
    allowed, why = verdict(BrowserRequest(None, "GET", preflight=False), ServiceAnswer(200, STAR))
    assert not allowed and "no Origin" in why


@pytest.mark.parametrize(("typed", "sent"), [("put", "PUT"), ("Delete", "DELETE"), ("get", "GET"),
                                             ("patch", "patch"), ("PATCH", "PATCH")])
def test_methods_are_normalized_as_fetch_does(typed: str, sent: str) -> None:
    assert normalize_method(typed) == sent


# simulate.check: the service's answer (through the {Kind: answer} table) and the browser's verdict.
def _bucket(rules: list[dict[str, object]]) -> Resource:
    return Resource(Kind.S3_BUCKET, "assets", rules_from_s3(rules), Location("e.yaml", 1, 1))


def test_check_an_s3_actual_request_no_rule_matches_is_served_and_blocked() -> None:
    # The contract's own example: "status: 200, allowed: false, headers: {}, matched_rule: null".
    bucket = _bucket([{"AllowedOrigins": ["https://other.example"], "AllowedMethods": ["GET"]}])
    answer = check(bucket, BrowserRequest(PAGE, "GET", preflight=False))
    assert (answer.address, answer.allowed, answer.status, dict(answer.headers), answer.matched_rule) == (
        "s3_bucket.assets", False, 200, {}, None)
    assert answer.steps[-1] == ("browser: the browser blocks it: the response has no "
                                "Access-Control-Allow-Origin header")


def test_check_names_the_browser_when_it_refuses_what_the_service_sent() -> None:
    bucket = _bucket([{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}])
    answer = check(bucket, BrowserRequest(PAGE, "GET", preflight=False, credentials=True))
    assert answer.status == 200 and answer.headers["Access-Control-Allow-Origin"] == "*"
    assert not answer.allowed
    assert answer.reason == ("rule 0 matches origin and method; the browser blocks it: Access-Control-Allow-"
                             "Origin is `*`, which a request with credentials does not accept")


def test_check_allowed_keeps_the_services_reason() -> None:
    bucket = _bucket([{"AllowedOrigins": [PAGE], "AllowedMethods": ["GET", "PUT"]}])
    answer = check(bucket, BrowserRequest(PAGE, "PUT"))
    assert answer.allowed and answer.matched_rule == 0
    assert answer.reason == "rule 0 matches origin, method and every requested header"


@pytest.mark.parametrize("kind", [Kind.HTTP_API, Kind.FUNCTION_URL])
def test_check_dispatches_cors_object_services(kind: Kind) -> None:
    resource = Resource(kind, "api", rule_from_cors({"AllowOrigins": [PAGE], "AllowMethods": ["PUT"]}),
                        Location("e.yaml", 1, 1))
    answer = check(resource, BrowserRequest(PAGE, "PUT"))
    assert answer.allowed and answer.headers["Access-Control-Allow-Origin"] == PAGE
    assert answer.address == f"{kind.value}.api"
