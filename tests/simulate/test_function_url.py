"""Function URLs' answers, one row per statement of the facts document (§4.2 fields, §4.3 semantics,
§4.4 read-back); where the facts say UNCONFIRMED the row expects the reason to say so."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from corsdeploy.model import Kind, Live, Location, Resource
from corsdeploy.shapes import rule_from_cors
from corsdeploy.simulate.function_url import answer, evaluate
from corsdeploy.simulate.request import BrowserRequest

APP = "https://app.example.com"
# §4.3 "Whether the preflight is answered without invoking the function: UNCONFIRMED".
ANSWERED_BY_LAMBDA = "UNCONFIRMED: Lambda answers the preflight itself, without invoking the function"
STATUS_200 = "UNCONFIRMED: Lambda answers an allowed preflight with 200"


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
    says: tuple[str, ...] = ()


ROWS = {
    # §4.2 AllowOrigins: "You can list any number of specific origins" ...
    "4.2-specific-origin": Row({"AllowOrigins": [APP, "https://admin.example.com"], "AllowMethods": ["GET"]},
                               preflight("https://admin.example.com", "GET"), 200,
                               {"Access-Control-Allow-Origin": "https://admin.example.com",
                                "Access-Control-Allow-Methods": "GET"}, (STATUS_200, ANSWERED_BY_LAMBDA)),
    "4.2-unlisted-origin": Row({"AllowOrigins": [APP], "AllowMethods": ["GET"]},
                               preflight("https://evil.example", "GET"), 200, {}, (ANSWERED_BY_LAMBDA,)),
    # ... "Alternatively, you can grant access to all origins using the wildcard character (*)".
    "4.2-star-all-origins": Row({"AllowOrigins": ["*"], "AllowMethods": ["GET"]},
                                actual("https://any.example"), 200, {"Access-Control-Allow-Origin": "*"}),
    # §4.2 AllowCredentials "The default is false": no Access-Control-Allow-Credentials ...
    "4.2-credentials-default-false": Row({"AllowOrigins": [APP], "AllowMethods": ["GET"]}, actual(APP), 200,
                                         {"Access-Control-Allow-Origin": APP}),
    # ... and true sends it.
    "4.2-credentials-true": Row(
        {"AllowOrigins": [APP], "AllowMethods": ["GET"], "AllowCredentials": True}, actual(APP), 200,
        {"Access-Control-Allow-Origin": APP, "Access-Control-Allow-Credentials": "true"}),
    # §4.2 AllowMethods "GET, POST, DELETE, or the wildcard character (*)".
    "4.2-star-methods": Row({"AllowOrigins": [APP], "AllowMethods": ["*"]}, preflight(APP, "DELETE"), 200,
                            {"Access-Control-Allow-Origin": APP, "Access-Control-Allow-Methods": "*"}),
    # §4.2 MaxAge "By default, this is set to 0, which means that the browser doesn't cache results".
    "4.2-max-age-default-0": Row({"AllowOrigins": [APP], "AllowMethods": ["PUT"]}, preflight(APP, "PUT"), 200,
                                 {"Access-Control-Allow-Origin": APP, "Access-Control-Allow-Methods": "PUT"}),
    "4.2-max-age-set": Row({"AllowOrigins": [APP], "AllowMethods": ["PUT"], "MaxAge": 300},
                           preflight(APP, "PUT"), 200,
                           {"Access-Control-Allow-Origin": APP, "Access-Control-Allow-Methods": "PUT",
                            "Access-Control-Max-Age": "300"}),
    # §4.3 "Lambda automatically adds the CORS headers to all responses through the function URL".
    "4.3-headers-on-actual-responses": Row(
        {"AllowOrigins": [APP], "AllowMethods": ["GET"], "ExposeHeaders": ["x-request-id"]}, actual(APP), 200,
        {"Access-Control-Allow-Origin": APP, "Access-Control-Expose-Headers": "x-request-id"}),
    # §4.3 "Matching rules (wildcards inside origins, case): UNCONFIRMED".
    "4.3-wildcard-inside-origin-unconfirmed": Row(
        {"AllowOrigins": ["https://*.example.com"], "AllowMethods": ["GET"]}, actual(APP), 200, {},
        ("UNCONFIRMED: function URLs compare origins other than `*` literally",)),
    "4.3-origin-case-unconfirmed": Row(
        {"AllowOrigins": ["https://App.example.com"], "AllowMethods": ["GET"]}, actual(APP), 200, {},
        ("UNCONFIRMED: function URLs compare origins case-sensitively",)),
    # §4.4 "AllowHeaders and ExposeHeaders are stored and returned lowercased; AllowMethods echo
    # back verbatim".
    "4.4-headers-lowercased-methods-verbatim": Row(
        {"AllowOrigins": [APP], "AllowMethods": ["PUT", "POST"],
         "AllowHeaders": ["Content-Type", "X-Custom"]},
        preflight(APP, "PUT", "content-type"), 200,
        {"Access-Control-Allow-Origin": APP, "Access-Control-Allow-Methods": "PUT,POST",
         "Access-Control-Allow-Headers": "content-type,x-custom"}),
    # §4.4/§6 "`Cors` absent ≡ `{}`": an empty object is no CORS, and the function answers.
    "4.4-empty-cors-is-none": Row({}, preflight(APP, "GET"), 200, {}, ("the function answers",)),
    "4.4-absent-cors": Row(None, actual(APP), 200, {}, ("the function answers",)),
    # §4.3 no Origin: nothing to answer with CORS headers (as every service, facts §3.3).
    "4.3-no-origin": Row({"AllowOrigins": ["*"], "AllowMethods": ["GET"]}, actual(None), 200, {}),
}


def _url(cors: dict[str, Any] | None) -> Resource:
    return Resource(Kind.FUNCTION_URL, "thumbnailer", rule_from_cors(cors) if cors is not None else None,
                    Location("e.yaml", 1, 1))


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_function_url_answers_as_the_facts_say(row: Row) -> None:
    # Through the file's entry: what apply would write (an all-empty `Cors` is none, §4.4).
    got = answer(_url(row.cors), row.request, None)
    assert (got.status, dict(got.headers)) == (row.status, row.headers)
    for text in row.says:
        assert text in got.reason


def test_live_configuration_is_evaluated_with_live() -> None:
    resource = _url({"AllowOrigins": [APP], "AllowMethods": ["GET"]})
    live = Live(resource.address, {"AllowOrigins": ["*"], "AllowMethods": ["GET"]})
    assert answer(resource, actual(APP), live).headers == {"Access-Control-Allow-Origin": "*"}
    assert dict(answer(resource, actual(APP), Live(resource.address, None)).headers) == {}


def test_evaluate_takes_the_model_directly() -> None:
    config = rule_from_cors({"AllowOrigins": [APP], "AllowMethods": ["GET"]})
    assert evaluate(config, actual(APP)).headers == {"Access-Control-Allow-Origin": APP}
