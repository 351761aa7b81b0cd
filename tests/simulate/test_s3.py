"""S3's answers, one row per statement of the facts document (shared/docs/aws-cors-facts.md §1.3
evaluation, §1.4 response headers, §1.2 header wildcards); expected values are the facts' own
(recorded S3 responses where they exist), not the simulator's output."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from corsdeploy.model import Kind, Live, Location, Resource
from corsdeploy.shapes import rules_from_s3
from corsdeploy.simulate import glob
from corsdeploy.simulate.request import BrowserRequest
from corsdeploy.simulate.s3 import answer, evaluate

VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
NOT_ALLOWED = ("CORSResponse: This CORS request is not allowed. This is usually because the evalution of "
               "Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers "
               "are not whitelisted by the resource's CORS spec.")
NOT_ENABLED = "CORSResponse: CORS is not enabled for this bucket."
ORIGIN_NEEDED = "Insufficient information. Origin request header needed."
APP = "https://localhost:4200"
# The rule LocalStack's AWS-validated recordings use (GET and PUT from one origin, max age 3000).
RECORDED = {"AllowedOrigins": [APP], "AllowedMethods": ["GET", "PUT"], "MaxAgeSeconds": 3000}


def preflight(origin: str | None, method: str, *headers: str) -> BrowserRequest:
    return BrowserRequest(origin, method, headers, preflight=True)


def actual(origin: str | None, method: str, *headers: str) -> BrowserRequest:
    return BrowserRequest(origin, method, headers, preflight=False)


@dataclass(frozen=True)
class Row:
    rules: list[dict[str, Any]] | None
    request: BrowserRequest
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    matched_rule: int | None = None
    reason: str | None = None


ROWS = {
    # §1.3 "uses the first CORSRule rule that matches"; "the matched rule alone determines all
    # response headers": rule 1 and rule 2 both match, rule 1's methods are sent.
    "1.3-first-matching-rule-wins": Row(
        [{"AllowedOrigins": ["https://other.example"], "AllowedMethods": ["GET"]},
         {"AllowedOrigins": [APP], "AllowedMethods": ["GET", "HEAD"]},
         {"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "PUT"], "MaxAgeSeconds": 600}],
        preflight(APP, "GET"), 200,
        {"Access-Control-Allow-Origin": APP, "Access-Control-Allow-Credentials": "true",
         "Access-Control-Allow-Methods": "GET, HEAD", "Vary": VARY}, 1),
    # §1.3 a later rule is reached when an earlier one fails only on the method.
    "1.3-rule-fails-on-method-next-matches": Row(
        [{"AllowedOrigins": [APP], "AllowedMethods": ["GET"]},
         {"AllowedOrigins": [APP], "AllowedMethods": ["PUT"]}],
        preflight(APP, "PUT"), 200,
        {"Access-Control-Allow-Origin": APP, "Access-Control-Allow-Credentials": "true",
         "Access-Control-Allow-Methods": "PUT", "Vary": VARY}, 1),
    # §1.3 "No Origin header ... doesn't send CORS response headers" (AWS-REC get-no-origin).
    "1.3-no-origin-actual": Row([RECORDED], actual(None, "GET"), 200),
    # §1.3 "For OPTIONS without Origin: 400 BadRequest" (AWS-REC opt-no-origin).
    "1.3-no-origin-options": Row([RECORDED], preflight(None, "GET"), 400, reason=ORIGIN_NEEDED),
    # §1.3 "both https://www.example.com and http://www.example.com:80 origins ... don't match".
    "1.3-origin-scheme-literal": Row(
        [{"AllowedOrigins": ["http://www.example.com"], "AllowedMethods": ["GET"]}],
        preflight("https://www.example.com", "GET"), 403, reason=NOT_ALLOWED),
    "1.3-origin-port-literal": Row(
        [{"AllowedOrigins": ["http://www.example.com"], "AllowedMethods": ["GET"]}],
        preflight("http://www.example.com:80", "GET"), 403, reason=NOT_ALLOWED),
    # §1.3 "`http://*.origin.com` matches `http://test.origin.com`" (AWS-REC, recorded headers).
    "1.3-wildcard-matches-subdomain": Row(
        [{"AllowedOrigins": ["http://*.origin.com"], "AllowedMethods": ["GET", "PUT"],
          "MaxAgeSeconds": 3000}],
        preflight("http://test.origin.com", "GET"), 200,
        {"Access-Control-Allow-Origin": "http://test.origin.com", "Access-Control-Allow-Credentials": "true",
         "Access-Control-Allow-Methods": "GET, PUT", "Access-Control-Max-Age": "3000", "Vary": VARY}, 0),
    # §1.3 "... but not `http://test.origin.com/` (trailing slash)" (AWS-REC).
    "1.3-wildcard-anchored-trailing-slash": Row(
        [{"AllowedOrigins": ["http://*.origin.com"], "AllowedMethods": ["GET", "PUT"]}],
        preflight("http://test.origin.com/", "GET"), 403, reason=NOT_ALLOWED),
    # §1.3 "Origins need not be URLs: an Origin `localhost:4566` matched `*`" (AWS-REC).
    "1.3-origin-need-not-be-url": Row(
        [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}], preflight("localhost:4566", "GET"), 200,
        {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET", "Vary": VARY}, 0),
    # §1.3 method: "Access-Control-Request-Method for preflight" (AWS-REC opt-put: PUT on a GET rule).
    "1.3-preflight-method-is-acrm": Row(
        [{**RECORDED, "AllowedMethods": ["GET"]}], preflight(APP, "PUT"), 403, reason=NOT_ALLOWED),
    # §1.3 "... the request method otherwise"; actual requests are never refused (AWS-REC put-op).
    "1.3-actual-method-not-allowed-served-without-cors": Row(
        [{**RECORDED, "AllowedMethods": ["GET"]}], actual(APP, "PUT"), 200),
    # §1.3 header matching is case-insensitive; ACAH lowercased (AWS-REC opt-get-allowed-diff-casing).
    "1.3-header-match-case-insensitive": Row(
        [{**RECORDED, "AllowedMethods": ["GET"],
          "AllowedHeaders": ["x-amz-expected-bucket-owner", "x-AMZ-server-SIDE-encryption"]}],
        preflight(APP, "GET", "x-AMZ-expected-BUCKET-owner", "x-amz-server-side-encryption"), 200,
        {"Access-Control-Allow-Origin": APP, "Access-Control-Allow-Credentials": "true",
         "Access-Control-Allow-Methods": "GET",
         "Access-Control-Allow-Headers": "x-amz-expected-bucket-owner, x-amz-server-side-encryption",
         "Access-Control-Max-Age": "3000", "Vary": VARY}, 0),
    # §1.3 "one disallowed header fails the whole rule".
    "1.3-one-disallowed-header-fails-rule": Row(
        [{**RECORDED, "AllowedHeaders": ["x-amz-request-payer"]}],
        preflight(APP, "GET", "x-amz-request-payer", "x-custom"), 403, reason=NOT_ALLOWED),
    # §1.3 "A rule with no AllowedHeaders allows no requested header" (AWS-REC opt-get-headers).
    "1.3-no-allowed-headers-allows-none": Row(
        [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}],
        preflight(APP, "GET", "x-amz-request-payer"), 403, reason=NOT_ALLOWED),
    # §1.3 "Headers on actual requests are not checked" (AWS-REC get-non-allowed).
    "1.3-actual-request-headers-not-checked": Row(
        [{**RECORDED, "AllowedMethods": ["GET"], "AllowedHeaders": ["x-amz-expected-bucket-owner"]}],
        actual(APP, "GET", "x-amz-request-payer"), 200,
        {"Access-Control-Allow-Origin": APP, "Access-Control-Allow-Credentials": "true",
         "Access-Control-Allow-Methods": "GET", "Access-Control-Max-Age": "3000", "Vary": VARY}, 0),
    # §1.3 rejections: preflight on a bucket without CORS (AWS-REC options-with-origin-and-method).
    "1.3-no-cors-preflight": Row(None, preflight(APP, "PUT"), 403, reason=NOT_ENABLED),
    # ... also without Access-Control-Request-Method (AWS-REC options-with-origin-no-method).
    "1.3-no-cors-preflight-no-method": Row(None, preflight(APP, ""), 403, reason=NOT_ENABLED),
    # ... an actual request to a bucket without CORS is served without CORS headers (AWS-REC).
    "1.3-no-cors-actual": Row(None, actual(APP, "GET"), 200),
    # §1.3 "Preflight, no rule matches → 403" with S3's message (AWS-REC opt-wrong-origin).
    "1.3-no-rule-matches-preflight": Row(
        [RECORDED], preflight("https://evil.example", "PUT"), 403, reason=NOT_ALLOWED),
    # §1.3 "Preflight with Origin but no Access-Control-Request-Method on a configured bucket → 403" (S3T).
    "1.3-preflight-without-method": Row([{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}],
                                        preflight("foo.suffix", ""), 403, reason=NOT_ALLOWED),
    # §1.3 "Actual requests are never rejected ... served normally but without CORS headers"
    # (AWS-REC get-wrong-origin).
    "1.3-actual-wrong-origin": Row([RECORDED], actual("https://evil.example", "GET"), 200),
    # §1.2 "<AllowedHeader>x-amz-*</AllowedHeader> will enable all Amazon-specific headers".
    "1.2-allowed-header-wildcard": Row(
        [{"AllowedOrigins": [APP], "AllowedMethods": ["PUT"], "AllowedHeaders": ["x-amz-*"]}],
        preflight(APP, "PUT", "x-amz-date", "X-Amz-Meta-Owner"), 200,
        {"Access-Control-Allow-Origin": APP, "Access-Control-Allow-Credentials": "true",
         "Access-Control-Allow-Methods": "PUT",
         "Access-Control-Allow-Headers": "x-amz-date, x-amz-meta-owner", "Vary": VARY}, 0),
    "1.2-allowed-header-wildcard-refuses-others": Row(
        [{"AllowedOrigins": [APP], "AllowedMethods": ["PUT"], "AllowedHeaders": ["x-amz-*"]}],
        preflight(APP, "PUT", "content-type"), 403, reason=NOT_ALLOWED),
    # §1.4 ACAO echoes the origin; ACAC true; ACAM the rule's methods joined by ", " for a PUT
    # preflight; Max-Age from the rule; Vary on success; status 200 (AWS-REC opt-right-origin).
    "1.4-opt-right-origin": Row(
        [RECORDED], preflight(APP, "PUT"), 200,
        {"Access-Control-Allow-Origin": APP, "Access-Control-Allow-Credentials": "true",
         "Access-Control-Allow-Methods": "GET, PUT", "Access-Control-Max-Age": "3000", "Vary": VARY}, 0),
    # §1.4 the same headers on actual responses (AWS-REC get-right-origin).
    "1.4-get-right-origin": Row(
        [RECORDED], actual(APP, "GET"), 200,
        {"Access-Control-Allow-Origin": APP, "Access-Control-Allow-Credentials": "true",
         "Access-Control-Allow-Methods": "GET, PUT", "Access-Control-Max-Age": "3000", "Vary": VARY}, 0),
    # §1.4 "if the matched rule's origin is `*`, returns `*`", and no ACAC
    # (AWS-REC opt-random-wildcard-origin).
    "1.4-wildcard-origin-returns-star": Row(
        [{**RECORDED, "AllowedOrigins": ["*"]}], preflight("https://random.example", "PUT"), 200,
        {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, PUT",
         "Access-Control-Max-Age": "3000", "Vary": VARY}, 0),
    "1.4-wildcard-origin-returns-star-actual": Row(
        [{**RECORDED, "AllowedOrigins": ["*"]}], actual("https://random.example", "GET"), 200,
        {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, PUT",
         "Access-Control-Max-Age": "3000", "Vary": VARY}, 0),
    # §1.4 ACAH: the requested names lowercased, in request order (AWS-REC opt-get-two).
    "1.4-allow-headers-request-order": Row(
        [{**RECORDED, "AllowedMethods": ["GET"],
          "AllowedHeaders": ["x-amz-expected-bucket-owner", "x-amz-request-payer"]}],
        preflight(APP, "GET", "x-amz-request-payer", "x-amz-expected-bucket-owner"), 200,
        {"Access-Control-Allow-Origin": APP, "Access-Control-Allow-Credentials": "true",
         "Access-Control-Allow-Methods": "GET",
         "Access-Control-Allow-Headers": "x-amz-request-payer, x-amz-expected-bucket-owner",
         "Access-Control-Max-Age": "3000", "Vary": VARY}, 0),
    # §1.4 "(not the configured list, even with `*`)".
    "1.4-allow-headers-not-configured-list": Row(
        [{"AllowedOrigins": [APP], "AllowedMethods": ["PUT"], "AllowedHeaders": ["*"]}],
        preflight(APP, "PUT", "Content-Type"), 200,
        {"Access-Control-Allow-Origin": APP, "Access-Control-Allow-Credentials": "true",
         "Access-Control-Allow-Methods": "PUT", "Access-Control-Allow-Headers": "content-type",
         "Vary": VARY}, 0),
    # §1.4 Expose-Headers joined by ", " (AWS-REC test_cors_expose_headers); Max-Age absent when unset.
    "1.4-expose-headers": Row(
        [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"],
          "ExposeHeaders": ["x-amz-id-2", "x-amz-request-id", "x-amz-request-payer"]}],
        preflight("localhost:4566", "GET"), 200,
        {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET",
         "Access-Control-Expose-Headers": "x-amz-id-2, x-amz-request-id, x-amz-request-payer",
         "Vary": VARY}, 0),
    # §1.4 no Max-Age, no Expose-Headers when not configured (AWS-REC test_put_cors_default_values opt-get).
    "1.4-defaults": Row(
        [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}], preflight(APP, "GET"), 200,
        {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET", "Vary": VARY}, 0),
}


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_s3_answers_as_the_facts_say(row: Row) -> None:
    config = rules_from_s3(row.rules) if row.rules is not None else None
    got = evaluate(config, row.request)
    assert (got.status, dict(got.headers), got.matched_rule) == (row.status, row.headers, row.matched_rule)
    if row.reason is not None:
        assert got.reason == row.reason


# §1.3 (s3-tests): `*suffix`, `start*end`, `prefix*`; `*` may match nothing; anchored at both ends.
S3_TESTS_PATTERNS = [
    ("*suffix", "foo.suffix", True), ("*suffix", "foo.suffix.get", False),
    ("start*end", "startend", True), ("start*end", "start12end", True), ("start*end", "0start12end", False),
    ("prefix*", "prefix", True), ("prefix*", "prefix.suffix", True), ("prefix*", "bla.prefix", False),
    ("http://*.origin.com", "http://test.origin.com", True),
    ("http://*.origin.com", "http://test.origin.com/", False),
    ("https://app.example.com", "https://app.example.com", True),
    ("https://app.example.com", "https://app.example.com:443", False),
    ("*", "null", True), ("*", "", True),
]


@pytest.mark.parametrize(("pattern", "value", "expected"), S3_TESTS_PATTERNS)
def test_glob_is_anchored_with_one_wildcard(pattern: str, value: str, expected: bool) -> None:
    assert glob.matches(pattern, value) is expected


def test_glob_treats_regex_characters_literally() -> None:
    assert not glob.matches("https://app.example.com", "https://appXexample.com")
    assert glob.matches("https://(a|b)+.example.com", "https://(a|b)+.example.com")


def test_glob_case_and_wildcard_run_options() -> None:
    assert glob.matches("X-Amz-*", "x-amz-date", case_sensitive=False)
    assert not glob.matches("X-Amz-*", "x-amz-date")
    assert not glob.matches("prefix*", "prefix", empty=False)
    assert not glob.matches("https://*.example.com", "https://a.b.example.com", spans=False)
    assert glob.matches("https://*.example.com", "https://a.b.example.com")


# What the answer rests on when the facts say UNCONFIRMED (§8.1): the reason says so.
def test_origin_case_is_an_unconfirmed_choice_named_in_the_reason() -> None:
    config = rules_from_s3([{"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET"]}])
    got = evaluate(config, preflight("https://APP.example.com", "GET"))
    assert got.status == 403
    assert got.reason.startswith(NOT_ALLOWED)
    assert ("UNCONFIRMED: S3 compares the Origin with AllowedOrigins case-sensitively (facts §1.3, §8.1)"
            in got.reason)


def test_an_answer_that_rests_on_no_assumption_says_nothing_unconfirmed() -> None:
    config = rules_from_s3([RECORDED])
    for request in (preflight(APP, "PUT"), preflight("https://evil.example", "GET"), actual(APP, "GET")):
        assert "UNCONFIRMED" not in evaluate(config, request).reason


def test_wildcard_across_dots_and_empty_run_are_named() -> None:
    config = rules_from_s3([{"AllowedOrigins": ["https://*.example.com", "https://app*"],
                             "AllowedMethods": ["GET"]}])
    assert "across `.` and `/`" in evaluate(config, preflight("https://a.b.example.com", "GET")).reason
    assert "matches no characters" in evaluate(config, preflight("https://app", "GET")).reason


def test_star_beside_the_origin_follows_the_first_matching_entry() -> None:
    config = rules_from_s3([{"AllowedOrigins": ["*", APP], "AllowedMethods": ["GET"]}])
    got = evaluate(config, preflight(APP, "GET"))
    assert got.headers["Access-Control-Allow-Origin"] == "*"
    assert "first matching entry" in got.reason and "UNCONFIRMED" in got.reason


def test_steps_say_why_each_earlier_rule_did_not_match() -> None:
    config = rules_from_s3([
        {"ID": "admin", "AllowedOrigins": ["https://admin.example.com"], "AllowedMethods": ["GET"]},
        {"AllowedOrigins": [APP], "AllowedMethods": ["GET"]},
        {"AllowedOrigins": [APP], "AllowedMethods": ["PUT"], "AllowedHeaders": ["content-type"]},
        {"AllowedOrigins": [APP], "AllowedMethods": ["PUT"], "AllowedHeaders": ["x-amz-*"]},
        {"AllowedOrigins": [APP], "AllowedMethods": ["PUT"], "AllowedHeaders": ["*"]},
    ])
    got = evaluate(config, preflight(APP, "PUT", "X-Amz-Date"))
    assert got.matched_rule == 3
    rule0, rule1, rule2, rule3 = got.steps
    assert rule0.startswith("rule 0 (ID 'admin'): origin 'https://localhost:4200' matches none of "
                            "AllowedOrigins")
    assert "method PUT is not one of AllowedMethods" in rule1
    assert "no AllowedHeaders, so no requested header is allowed (X-Amz-Date)" in rule1
    assert rule2.startswith("rule 2: requested header X-Amz-Date matches no AllowedHeaders entry")
    assert rule3.startswith("rule 3: matches: origin by AllowedOrigins entry 'https://localhost:4200'")
    assert got.reason == "rule 3 matches origin, method and every requested header"


def test_steps_list_every_rule_when_none_matches() -> None:
    other = {"AllowedOrigins": ["https://other.example"], "AllowedMethods": ["GET"]}
    config = rules_from_s3([RECORDED, other])
    got = evaluate(config, actual("https://evil.example", "GET"))
    assert len(got.steps) == 2 and all("matches none of AllowedOrigins" in step for step in got.steps)


def _bucket(cors: list[dict[str, Any]] | None) -> Resource:
    return Resource(Kind.S3_BUCKET, "assets", rules_from_s3(cors) if cors else None, Location("e.yaml", 1, 1))


def test_answer_uses_the_file_or_the_live_rules() -> None:
    resource = _bucket([{"AllowedOrigins": [APP], "AllowedMethods": ["GET"]}])
    request = preflight(APP, "GET")
    assert answer(resource, request, None).status == 200
    assert answer(resource, request, Live(resource.address, None)).reason == NOT_ENABLED
    live = Live(resource.address, {"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]})
    assert answer(resource, request, live).headers["Access-Control-Allow-Origin"] == "*"
    assert answer(_bucket(None), request, None).reason == NOT_ENABLED
