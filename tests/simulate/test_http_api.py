"""HTTP APIs' answers, one row per statement of the facts document (§3.2 origins and fields, §3.3
evaluation, §3.4 read-back, §7.3 an empty configuration); where the facts say UNCONFIRMED the row
expects the reason to say so."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from corsdeploy.model import Kind, Live, Location, Resource
from corsdeploy.shapes import rule_from_cors
from corsdeploy.simulate.http_api import answer, evaluate
from corsdeploy.simulate.request import BrowserRequest

APP = "https://www.example.com"


def preflight(origin: str | None, method: str, *headers: str) -> BrowserRequest:
    return BrowserRequest(origin, method, headers, preflight=True)


def actual(origin: str | None, method: str = "GET") -> BrowserRequest:
    return BrowserRequest(origin, method, preflight=False)


@dataclass(frozen=True)
class Row:
    cors: dict[str, Any] | None
    request: BrowserRequest
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    # Text the reason must hold (an UNCONFIRMED choice, say).
    says: tuple[str, ...] = ()


# The status of an answered preflight is UNCONFIRMED (§3.3: "204 per third-party tutorials").
STATUS_204 = "UNCONFIRMED: API Gateway answers an allowed preflight with 204"
REFUSED = "UNCONFIRMED: API Gateway answers a preflight it does not allow"

ROWS = {
    # §3.2 allowOrigins "https://www.example.com": that origin is allowed ...
    "3.2-exact-origin": Row({"AllowOrigins": [APP], "AllowMethods": ["GET"]}, preflight(APP, "GET"), 204,
                            {"Access-Control-Allow-Origin": APP, "Access-Control-Allow-Methods": "GET"},
                            (STATUS_204,)),
    # ... and another is not (no CORS headers; what status: UNCONFIRMED, §3.3).
    "3.2-other-origin": Row({"AllowOrigins": [APP], "AllowMethods": ["GET"]},
                            preflight("https://evil.example", "GET"), 204, {}, (REFUSED,)),
    # §3.2 "`*` (all origins)"; §3.3 "expected `*`" for the answer (UNCONFIRMED).
    "3.2-star-all-origins": Row({"AllowOrigins": ["*"], "AllowMethods": ["GET"]},
                                preflight("https://any.example", "GET"), 204,
                                {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET"},
                                (STATUS_204,)),
    # §3.2 "`https://*` (any origin that begins with `https://`)" ...
    "3.2-https-star": Row({"AllowOrigins": ["https://*"], "AllowMethods": ["GET"]},
                          preflight("https://anything.example:8443", "GET"), 204,
                          {"Access-Control-Allow-Origin": "https://anything.example:8443",
                           "Access-Control-Allow-Methods": "GET"}),
    "3.2-https-star-not-http": Row({"AllowOrigins": ["https://*"], "AllowMethods": ["GET"]},
                                   preflight("http://anything.example", "GET"), 204, {}),
    # §3.2 "`http://*` (any origin that begins with `http://`)".
    "3.2-http-star": Row({"AllowOrigins": ["http://*"], "AllowMethods": ["GET"]},
                         preflight("http://localhost:3000", "GET"), 204,
                         {"Access-Control-Allow-Origin": "http://localhost:3000",
                          "Access-Control-Allow-Methods": "GET"}),
    # §3.2 allowCredentials true -> Access-Control-Allow-Credentials; maxAge 300 -> Access-Control-Max-Age.
    "3.2-credentials-and-max-age": Row(
        {"AllowOrigins": [APP], "AllowMethods": ["GET", "POST", "DELETE"], "AllowCredentials": True,
         "MaxAge": 300}, preflight(APP, "DELETE"), 204,
        {"Access-Control-Allow-Origin": APP, "Access-Control-Allow-Credentials": "true",
         "Access-Control-Allow-Methods": "GET,POST,DELETE", "Access-Control-Max-Age": "300"}),
    # §3.2 allowMethods "*" allows any method; allowHeaders "authorization, *" any header.
    "3.2-star-methods-and-headers": Row(
        {"AllowOrigins": [APP], "AllowMethods": ["*"], "AllowHeaders": ["authorization", "*"]},
        preflight(APP, "PATCH", "x-custom"), 204,
        {"Access-Control-Allow-Origin": APP, "Access-Control-Allow-Methods": "*",
         "Access-Control-Allow-Headers": "authorization,*"},
        ("UNCONFIRMED: HTTP APIs send `*` in AllowMethods/AllowHeaders as `*`",)),
    # §3.2 a method not in allowMethods, a header not in allowHeaders: refused.
    "3.2-method-not-allowed": Row({"AllowOrigins": [APP], "AllowMethods": ["GET"]}, preflight(APP, "PUT"),
                                  204, {}, (REFUSED,)),
    "3.2-header-not-allowed": Row({"AllowOrigins": [APP], "AllowMethods": ["GET"], "AllowHeaders": ["x-a"]},
                                  preflight(APP, "GET", "x-b"), 204, {}, (REFUSED,)),
    # §3.2 subdomain wildcards "UNCONFIRMED (not documented)".
    "3.2-subdomain-wildcard-unconfirmed": Row(
        {"AllowOrigins": ["https://*.example.com"], "AllowMethods": ["GET"]},
        preflight("https://app.example.com", "GET"), 204,
        {"Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Allow-Methods": "GET"},
        ("UNCONFIRMED: HTTP APIs treat `*` inside an origin",)),
    # §3.3 "API Gateway automatically sends a response to preflight OPTIONS requests, even if there
    # isn't an OPTIONS route"; its status is UNCONFIRMED (204 per third parties).
    "3.3-answers-preflight-itself": Row(
        {"AllowOrigins": [APP], "AllowMethods": ["PUT"], "AllowHeaders": ["x-a"]},
        preflight(APP, "PUT", "x-a"), 204,
        {"Access-Control-Allow-Origin": APP, "Access-Control-Allow-Methods": "PUT",
         "Access-Control-Allow-Headers": "x-a"}, (STATUS_204,)),
    # §3.3 "For a CORS request, API Gateway adds the configured CORS headers to the response from an
    # integration" (and ignores the integration's own): expose headers go on actual responses.
    "3.3-adds-headers-to-actual": Row(
        {"AllowOrigins": [APP], "AllowMethods": ["GET"], "ExposeHeaders": ["date", "x-api-id"],
         "AllowCredentials": True}, actual(APP), 200,
        {"Access-Control-Allow-Origin": APP, "Access-Control-Allow-Credentials": "true",
         "Access-Control-Expose-Headers": "date,x-api-id"}),
    # §3.3 "To return CORS headers, your request must contain an origin header."
    "3.3-no-origin-no-headers": Row({"AllowOrigins": ["*"], "AllowMethods": ["GET"]}, actual(None), 200, {}),
    # §3.3 "For the OPTIONS method, your request must contain an origin header and an
    # Access-Control-Request-Method header."
    "3.3-options-without-acrm": Row({"AllowOrigins": ["*"], "AllowMethods": ["GET"]}, preflight(APP, ""),
                                    200, {}),
    "3.3-options-without-origin": Row({"AllowOrigins": ["*"], "AllowMethods": ["GET"]},
                                      preflight(None, "GET"), 200, {}),
    # §3.3 origin case sensitivity: UNCONFIRMED.
    "3.3-origin-case-unconfirmed": Row({"AllowOrigins": ["https://WWW.example.com"], "AllowMethods": ["GET"]},
                                       actual(APP), 200, {"Access-Control-Allow-Origin": APP},
                                       ("UNCONFIRMED: HTTP APIs compare origins case-insensitively",)),
    # §3.4 "Header names are lowercased by the service".
    "3.4-header-names-lowercased": Row(
        {"AllowOrigins": [APP], "AllowMethods": ["POST"], "AllowHeaders": ["Content-Type", "Authorization"]},
        preflight(APP, "POST", "content-type"), 204,
        {"Access-Control-Allow-Origin": APP, "Access-Control-Allow-Methods": "POST",
         "Access-Control-Allow-Headers": "content-type,authorization"}),
    # §3.4 "credentials absent ≡ false, MaxAge absent ≡ 0": neither header is sent.
    "3.4-unset-credentials-and-max-age": Row({"AllowOrigins": [APP], "AllowMethods": ["GET"], "MaxAge": 0},
                                             preflight(APP, "GET"), 204,
                                             {"Access-Control-Allow-Origin": APP,
                                              "Access-Control-Allow-Methods": "GET"}),
    # §7.3 "an empty CorsConfiguration is still a CORS configuration": API Gateway answers the
    # preflight itself (allowing nothing).
    "7.3-empty-configuration-is-cors": Row({}, preflight(APP, "GET"), 204, {}, (REFUSED,)),
    # §3.1 no CorsConfiguration: the integration answers; corsdeploy cannot see what it sends.
    "3.1-no-cors-integration-answers": Row(None, preflight(APP, "GET"), 200, {},
                                           ("the integration answers",)),
}


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_http_api_answers_as_the_facts_say(row: Row) -> None:
    got = evaluate(rule_from_cors(row.cors) if row.cors is not None else None, row.request)
    assert (got.status, dict(got.headers)) == (row.status, row.headers)
    for text in row.says:
        assert text in got.reason
    assert got.matched_rule is None


def test_a_refused_preflight_says_what_was_refused_step_by_step() -> None:
    config = rule_from_cors({"AllowOrigins": [APP], "AllowMethods": ["GET"], "AllowHeaders": ["x-a"]})
    got = evaluate(config, preflight("https://evil.example", "PUT", "x-a"))
    assert got.reason.startswith("API Gateway does not allow the origin and method of this preflight")
    origin, method, headers = got.steps
    assert origin == "origin 'https://evil.example' is not allowed by AllowOrigins [\"https://www.example.com\"]"
    assert method == "method PUT is not allowed by AllowMethods [\"GET\"]"
    assert headers.startswith("requested headers x-a allowed")


def _api(cors: dict[str, Any] | None) -> Resource:
    return Resource(Kind.HTTP_API, "orders", rule_from_cors(cors) if cors is not None else None,
                    Location("e.yaml", 1, 1))


def test_answer_uses_the_file_or_the_live_configuration() -> None:
    resource = _api({"AllowOrigins": [APP], "AllowMethods": ["GET"]})
    request = preflight(APP, "GET")
    assert answer(resource, request, None).headers["Access-Control-Allow-Origin"] == APP
    live = Live(resource.address, {"AllowOrigins": ["https://other.example"], "AllowMethods": ["GET"]})
    assert dict(answer(resource, request, live).headers) == {}
    assert "no CORS configuration" in answer(resource, request, Live(resource.address, None)).reason
    assert "no CORS configuration" in answer(_api(None), request, None).reason
