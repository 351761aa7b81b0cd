"""CD107 schemeless-origin: `*.example.com` matches http too; `example.com` matches nothing."""
from __future__ import annotations

from pathlib import Path

import pytest

from corsdeploy.lint.rule import Severity
from corsdeploy.lint.rules.origins import SchemelessOrigin
from tests.lint.support import assert_finding, lint

S3 = """
    s3_buckets:
      media:
        cors:
          - AllowedOrigins: ["https://app.example.com", {origin}]
            AllowedMethods: [GET]
"""

# (origin as written, what the message must say)
BAD = {
    "leading star": ('"*.example.com"', ("does not fix the scheme", "'http://evil.example.com'")),
    "star for the scheme": ('"*://app.example.com"', ("does not fix the scheme", "'http://app.example.com'")),
    "star inside the scheme": ('"http*://app.example.com"', ("plain http", "'http://app.example.com'")),
    "no scheme at all": ('"example.com"', ("never matches", "'https://example.com'")),
    "host and port": ('"localhost:3000"', ("never matches", "'https://localhost:3000'")),
    "trailing star without scheme": ('"app.example.com*"', ("never matches",)),
}

GOOD = {
    "https": '"https://app.example.com"',
    "subdomains with scheme": '"https://*.example.com"',
    "any (CD101's)": '"*"',
    "null (CD103's)": '"null"',
    "empty (CD111's)": '""',
    "every origin (CD102's)": '"http*"',
}


@pytest.mark.parametrize(("origin", "fragments"), BAD.values(), ids=BAD.keys())
def test_origins_without_a_fixed_scheme_are_warnings(tmp_path: Path, origin: str,
                                                     fragments: tuple[str, ...]) -> None:
    linted = lint(tmp_path, SchemelessOrigin, S3.format(origin=origin))
    assert_finding(linted, SchemelessOrigin, Severity.WARNING, origin,
                   f"AllowedOrigins '{origin.strip(chr(34))}'", *fragments)


def test_rest_api_origin_without_scheme_never_matches(tmp_path: Path) -> None:
    linted = lint(tmp_path, SchemelessOrigin, """
        rest_apis:
          legacy:
            stage: prod
            cors:
              AllowOrigins: [app.example.com]
    """)
    assert_finding(linted, SchemelessOrigin, Severity.WARNING, "[app.example.com]",
                   "AllowOrigins 'app.example.com' has no scheme, so it never matches")


@pytest.mark.parametrize("origin", GOOD.values(), ids=GOOD.keys())
def test_origins_with_a_scheme_pass(tmp_path: Path, origin: str) -> None:
    assert lint(tmp_path, SchemelessOrigin, S3.format(origin=origin)).findings == []
