"""CD104 leading-wildcard-lookalike: `https://*example.com` matches `https://evilexample.com`."""
from __future__ import annotations

from pathlib import Path

import pytest

from corsdeploy.lint.rule import Severity
from corsdeploy.lint.rules.origins import LeadingWildcardLookalike
from corsdeploy.model import CorsRule, Kind
from tests.lint.support import assert_finding, built, lint, run

S3 = """
    s3_buckets:
      assets:
        cors:
          - AllowedOrigins: ["https://app.example.com", {origin}]
            AllowedMethods: [GET]
"""

# (origin as written, the attacker's origin the message names)
BAD = {
    "no dot after the star": ('"https://*example.com"', "'https://evilexample.com'"),
    "a whole top-level domain": ('"https://*.com"', "'https://evil.com'"),
    "star inside the registrable label": ('"https://app.*.com"', "'https://app.evil.com'"),
    "no scheme either": ('"*example.com"', "'https://evilexample.com'"),
    "with a port": ('"https://*example.com:8443"', "'https://evilexample.com:8443'"),
}

GOOD = {
    "subdomains (CD106's)": '"https://*.example.com"',
    "inside a subdomain label": '"https://app-*.example.com"',
    "trailing (CD105's)": '"https://example.com*"',
    "exact": '"https://example.com"',
}


@pytest.mark.parametrize(("origin", "attacker"), BAD.values(), ids=BAD.keys())
def test_lookalike_domains_are_named(tmp_path: Path, origin: str, attacker: str) -> None:
    linted = lint(tmp_path, LeadingWildcardLookalike, S3.format(origin=origin))
    found = assert_finding(linted, LeadingWildcardLookalike, Severity.ERROR, origin, attacker,
                           "anyone can register")
    assert found.message.startswith(f"AllowedOrigins '{origin.strip(chr(34))}' matches any host ending in")


def test_http_api_lookalike(tmp_path: Path) -> None:
    linted = lint(tmp_path, LeadingWildcardLookalike, """
        http_apis:
          orders:
            cors: {AllowOrigins: ["https://*example.com"]}
    """)
    assert_finding(linted, LeadingWildcardLookalike, Severity.ERROR, "*example", "AllowOrigins",
                   "'https://evilexample.com'")


@pytest.mark.parametrize("origin", GOOD.values(), ids=GOOD.keys())
def test_wildcards_confined_to_a_domain_pass(tmp_path: Path, origin: str) -> None:
    assert lint(tmp_path, LeadingWildcardLookalike, S3.format(origin=origin)).findings == []


def test_not_on_rest_apis() -> None:
    resource = built(Kind.REST_API, [CorsRule(("https://*example.com",), ())])
    assert run(LeadingWildcardLookalike, resource) == []
