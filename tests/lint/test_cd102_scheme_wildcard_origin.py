"""CD102 scheme-wildcard-origin: `https://*` and `http://*` answer every origin of the scheme."""
from __future__ import annotations

from pathlib import Path

import pytest

from corsdeploy.lint.rule import Severity
from corsdeploy.lint.rules.origins import SchemeWildcardOrigin
from corsdeploy.model import CorsRule, Kind
from tests.lint.support import assert_finding, built, lint, run

BAD = {
    "s3 https": ("""
        s3_buckets:
          assets-prod:
            cors:
              - AllowedOrigins: ["https://app.example.com", "https://*"]
                AllowedMethods: [GET]
    """, '"https://*"', "AllowedOrigins 'https://*' answers every https origin with credentials"),
    "s3 http": ("""
        s3_buckets:
          assets-prod:
            cors:
              - AllowedOrigins: ["http://*"]
                AllowedMethods: [GET]
    """, '"http://*"', "AllowedOrigins 'http://*' answers every http origin with credentials"),
    "s3 scheme left open": ("""
        s3_buckets:
          assets-prod:
            cors:
              - AllowedOrigins: ["http*"]
                AllowedMethods: [GET]
    """, '"http*"', "AllowedOrigins 'http*' answers every origin with credentials"),
    "http api with credentials": ("""
        http_apis:
          orders:
            cors:
              AllowOrigins: ["https://*"]
              AllowCredentials: true
    """, '"https://*"', "AllowOrigins 'https://*' answers every https origin with credentials"),
    "http api without credentials": ("""
        http_apis:
          orders:
            cors:
              AllowOrigins: ["http://*"]
    """, '"http://*"', "AllowOrigins 'http://*' answers every http origin"),
    "function url": ("""
        function_urls:
          thumbnailer:
            cors: {AllowOrigins: ["https://*"], AllowMethods: [GET]}
    """, '"https://*"', "AllowOrigins 'https://*' answers every https origin"),
}

GOOD = {
    "exact": '["https://app.example.com"]',
    "any origin (CD101's)": '["*"]',
    "subdomains (CD106's)": '["https://*.example.com"]',
    "port wildcard": '["https://app.example.com:*"]',
}


@pytest.mark.parametrize(("text", "needle", "message"), BAD.values(), ids=BAD.keys())
def test_scheme_wildcards_are_errors_naming_what_they_answer(
        tmp_path: Path, text: str, needle: str, message: str) -> None:
    found = assert_finding(lint(tmp_path, SchemeWildcardOrigin, text), SchemeWildcardOrigin, Severity.ERROR,
                           needle)
    assert found.message == message


@pytest.mark.parametrize("origins", GOOD.values(), ids=GOOD.keys())
def test_other_origins_pass(tmp_path: Path, origins: str) -> None:
    text = f"""
        s3_buckets:
          assets-prod:
            cors:
              - AllowedOrigins: {origins}
                AllowedMethods: [GET]
    """
    assert lint(tmp_path, SchemeWildcardOrigin, text).findings == []


def test_rest_apis_compare_origins_exactly_so_the_rule_does_not_apply() -> None:
    # validate refuses a '*' inside a REST origin; were one built, REST would compare it literally.
    resource = built(Kind.REST_API, [CorsRule(("https://*",), ("GET",))])
    assert run(SchemeWildcardOrigin, resource) == []
