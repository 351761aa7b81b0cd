"""CD111 unmatchable-origin: a path, trailing slash, query, fragment, uppercase, default port or
whitespace means no browser origin ever equals the entry."""
from __future__ import annotations

from pathlib import Path

import pytest

from corsdeploy.lint.rule import Severity
from corsdeploy.lint.rules.origins import UnmatchableOrigin
from tests.lint.support import assert_finding, lint

S3 = """
    s3_buckets:
      assets:
        cors:
          - AllowedOrigins: ["https://app.example.com", {origin}]
            AllowedMethods: [GET]
"""

# (origin as written, needle, why, the fix the message proposes or None)
BAD = {
    "trailing slash": ('"https://app.example.com/"', "ends with '/'", "'https://app.example.com'"),
    "path": ('"https://app.example.com/index.html"', "has a path", "'https://app.example.com'"),
    "query": ('"https://app.example.com?x=1"', "has a query", "'https://app.example.com'"),
    "fragment": ('"https://app.example.com#top"', "has a fragment", "'https://app.example.com'"),
    "uppercase": ('"https://App.Example.com"', "has uppercase letters", "'https://app.example.com'"),
    "default https port": ('"https://app.example.com:443"', "names the default port 443",
                           "'https://app.example.com'"),
    "default http port": ('"http://app.example.com:80"', "names the default port 80", "'http://app.example.com'"),
    "whitespace": ('" https://app.example.com"', "holds whitespace", "'https://app.example.com'"),
    "port that is no number": ('"https://app.example.com:web"', "has a port that is not a number", None),
    "empty": ('""', "is empty", None),
    "several at once": ('"https://App.example.com:443/"', "ends with '/', has uppercase letters, names the "
                        "default port 443", "'https://app.example.com'"),
    "wildcard with a slash": ('"https://*.example.com/"', "ends with '/'", "'https://*.example.com'"),
}

GOOD = {
    "origin": '"https://app.example.com"',
    "other port": '"https://app.example.com:8443"',
    "any port": '"https://app.example.com:*"',
    "IPv6 with port": '"http://[::1]:3000"',
    "subdomains": '"https://*.example.com"',
    "any (CD101's)": '"*"',
    "null (CD103's)": '"null"',
    "no scheme (CD107's)": '"example.com"',
}


@pytest.mark.parametrize(("origin", "why", "fix"), BAD.values(), ids=BAD.keys())
def test_entries_no_browser_sends_are_warnings(tmp_path: Path, origin: str, why: str,
                                               fix: str | None) -> None:
    linted = lint(tmp_path, UnmatchableOrigin, S3.format(origin=origin))
    written = origin.strip(chr(34))
    found = assert_finding(linted, UnmatchableOrigin, Severity.WARNING, origin,
                           f"AllowedOrigins '{written}' never matches the origin a browser sends: it {why}")
    assert found.message.endswith(f"; write {fix}") if fix else "; write" not in found.message


def test_http_api_trailing_slash(tmp_path: Path) -> None:
    linted = lint(tmp_path, UnmatchableOrigin, """
        http_apis:
          orders:
            cors:
              AllowOrigins:
                - https://app.example.com/
    """)
    assert_finding(linted, UnmatchableOrigin, Severity.WARNING, "example.com/",
                   "AllowOrigins 'https://app.example.com/' never matches")


@pytest.mark.parametrize("origin", GOOD.values(), ids=GOOD.keys())
def test_origins_as_browsers_send_them_pass(tmp_path: Path, origin: str) -> None:
    assert lint(tmp_path, UnmatchableOrigin, S3.format(origin=origin)).findings == []
