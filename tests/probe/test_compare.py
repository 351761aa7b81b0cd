"""An answer against the prediction: preflight status, CORS headers by name case-insensitively,
values exactly."""
from __future__ import annotations

from corsdeploy.model import Kind
from corsdeploy.probe.compare import Difference, differences

ORIGIN = "https://app.example.com"
S3_OK = {"Access-Control-Allow-Origin": ORIGIN, "Access-Control-Allow-Methods": "GET, PUT",
         "Access-Control-Allow-Credentials": "true",
         "Vary": "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"}


def test_the_same_headers_in_another_case_and_order_agree() -> None:
    got = [("vary", S3_OK["Vary"]), ("access-control-allow-methods", "GET, PUT"), ("Content-Length", "0"),
           ("ACCESS-CONTROL-ALLOW-ORIGIN", ORIGIN), ("access-control-allow-credentials", "true"),
           ("x-amz-request-id", "abc")]
    assert differences(Kind.S3_BUCKET, True, 200, S3_OK, 200, got) == ()


def test_a_value_that_differs_at_all_is_a_difference() -> None:
    got = [*((k, v) for k, v in S3_OK.items() if k != "Access-Control-Allow-Methods"),
           ("Access-Control-Allow-Methods", "GET,PUT")]
    assert differences(Kind.S3_BUCKET, True, 200, S3_OK, 200, got) == (
        Difference("Access-Control-Allow-Methods", "GET, PUT", "GET,PUT"),)


def test_missing_and_unexpected_headers_and_the_preflight_status() -> None:
    got = [("Access-Control-Allow-Origin", "https://evil.example")]
    found = differences(Kind.S3_BUCKET, True, 403, {}, 200, got)
    assert found == (Difference("status", "403", "200"),
                     Difference("Access-Control-Allow-Origin", None, "https://evil.example"))
    found = differences(Kind.S3_BUCKET, True, 200, S3_OK, 200, [])
    assert {d.what for d in found} == set(S3_OK)
    assert all(d.got is None for d in found)


def test_an_actual_requests_status_is_not_compared() -> None:
    """Whether a GET is 200 or 403 depends on credentials and objects, which CORS does not decide."""
    assert differences(Kind.S3_BUCKET, False, 200, {}, 403, []) == ()


def test_a_repeated_header_is_one_value_that_differs_from_a_single_one() -> None:
    got = [("Access-Control-Allow-Origin", ORIGIN), ("Access-Control-Allow-Origin", "*")]
    assert differences(Kind.FUNCTION_URL, True, 200, {"Access-Control-Allow-Origin": ORIGIN}, 200, got) == (
        Difference("Access-Control-Allow-Origin", ORIGIN, f"{ORIGIN}, *"),)


def test_vary_is_compared_only_where_check_predicts_it() -> None:
    got = [("Vary", "Origin")]
    assert differences(Kind.S3_BUCKET, True, 403, {}, 403, got) == (Difference("Vary", None, "Origin"),)
    assert differences(Kind.REST_API, True, 200, {}, 200, got) == (Difference("Vary", None, "Origin"),)
    assert differences(Kind.HTTP_API, True, 204, {}, 204, got) == ()
    assert differences(Kind.FUNCTION_URL, True, 200, {}, 200, got) == ()
