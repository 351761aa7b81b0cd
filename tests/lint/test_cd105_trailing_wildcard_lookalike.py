"""CD105 trailing-wildcard-lookalike: `https://example.com*` matches `https://example.com.evil.net`."""
from __future__ import annotations

from pathlib import Path

import pytest

from corsdeploy.lint.rule import Severity
from corsdeploy.lint.rules.origins import TrailingWildcardLookalike
from corsdeploy.model import CorsRule, Kind
from tests.lint.support import assert_finding, built, lint, run

S3 = """
    s3_buckets:
      assets:
        cors:
          - AllowedOrigins:
              - https://app.example.com
              - {origin}
            AllowedMethods: [GET]
"""

# (origin as written, the prefix and the attacker's origin the message names)
BAD = {
    "after the domain": ('"https://example.com*"', "'https://example.com'", "'https://example.com.evil.net'"),
    "after a dot": ('"https://app.example.*"', "'https://app.example.'", "'https://app.example.evil.net'"),
}

GOOD = {
    "any port of one host": '"https://app.example.com:*"',
    "exact with port": '"https://app.example.com:8443"',
    "leading (CD104's)": '"https://*example.com"',
    "every https origin (CD102's)": '"https://*"',
    "no scheme, so nothing (CD107's)": '"app.example.com*"',
}


@pytest.mark.parametrize(("origin", "prefix", "attacker"), BAD.values(), ids=BAD.keys())
def test_trailing_wildcards_name_a_domain_an_attacker_owns(
        tmp_path: Path, origin: str, prefix: str, attacker: str) -> None:
    linted = lint(tmp_path, TrailingWildcardLookalike, S3.format(origin=origin))
    found = assert_finding(linted, TrailingWildcardLookalike, Severity.ERROR, origin,
                           f"starts with {prefix}", attacker)
    assert found.message.startswith(f"AllowedOrigins '{origin.strip(chr(34))}' matches any origin")


def test_function_url_trailing_wildcard(tmp_path: Path) -> None:
    linted = lint(tmp_path, TrailingWildcardLookalike, """
        function_urls:
          thumbnailer:
            cors:
              AllowMethods: [GET]
              AllowOrigins: ["https://app.example.com*"]
    """)
    assert_finding(linted, TrailingWildcardLookalike, Severity.ERROR, "example.com*", "AllowOrigins",
                   "'https://app.example.com.evil.net'")


@pytest.mark.parametrize("origin", GOOD.values(), ids=GOOD.keys())
def test_other_patterns_pass(tmp_path: Path, origin: str) -> None:
    assert lint(tmp_path, TrailingWildcardLookalike, S3.format(origin=origin)).findings == []


def test_not_on_rest_apis() -> None:
    resource = built(Kind.REST_API, [CorsRule(("https://example.com*",), ())])
    assert run(TrailingWildcardLookalike, resource) == []
