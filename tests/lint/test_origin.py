"""Origin patterns taken apart: where the `*` sits decides which origins a pattern lets in."""
from __future__ import annotations

import pytest

from corsdeploy.lint.origin import Reach, parse_origin

# (pattern, scheme, host, port, rest, open scheme, reach, an origin it matches)
CASES = [
    ("https://app.example.com", "https", "app.example.com", None, "", False, Reach.EXACT,
     "https://app.example.com"),
    ("https://*", "https", "*", None, "", False, Reach.ANY_HOST, "https://evil"),
    ("http*", None, "*", None, "", True, Reach.ANY_HOST, "https://evil"),
    ("*.example.com", None, "*.example.com", None, "", True, Reach.SUBDOMAINS, "https://evil.example.com"),
    ("https://*.example.com:8443", "https", "*.example.com", "8443", "", False, Reach.SUBDOMAINS,
     "https://evil.example.com:8443"),
    ("https://*example.com", "https", "*example.com", None, "", False, Reach.OPEN_DOMAIN,
     "https://evilexample.com"),
    ("https://app.*.com", "https", "app.*.com", None, "", False, Reach.OPEN_DOMAIN, "https://app.evil.com"),
    ("https://example.com*", "https", "example.com*", None, "", False, Reach.OPEN_END,
     "https://example.com.evil.net"),
    ("https://app.example.*", "https", "app.example.*", None, "", False, Reach.OPEN_END,
     "https://app.example.evil.net"),
    ("https://app.example.com:*", "https", "app.example.com", "*", "", False, Reach.EXACT,
     "https://app.example.com:8443"),
    ("*://app.example.com", None, "app.example.com", None, "", True, Reach.EXACT, "https://app.example.com"),
    ("http://[::1]:3000", "http", "[::1]", "3000", "", False, Reach.EXACT, "http://[::1]:3000"),
    ("https://app.example.com/x?y#z", "https", "app.example.com", None, "/x?y#z", False, Reach.EXACT,
     "https://app.example.com"),
]


@pytest.mark.parametrize(("text", "scheme", "host", "port", "rest", "open_scheme", "reach", "example"), CASES,
                         ids=[case[0] for case in CASES])
def test_patterns_taken_apart(text: str, scheme: str | None, host: str, port: str | None, rest: str,
                              open_scheme: bool, reach: Reach, example: str) -> None:
    pattern = parse_origin(text)
    assert (pattern.scheme, pattern.host, pattern.port, pattern.rest) == (scheme, host, port, rest)
    assert (pattern.open_scheme, pattern.reach, pattern.example()) == (open_scheme, reach, example)


@pytest.mark.parametrize("text", ["example.com", "localhost:3000", "app.example.com*", "null", ""])
def test_without_a_scheme_nothing_matches(text: str) -> None:
    pattern = parse_origin(text)
    assert pattern.schemeless and pattern.reach is Reach.NOTHING


@pytest.mark.parametrize(("text", "domain"), [
    ("https://*.example.com", "example.com"),
    ("https://app-*.example.com", "example.com"),
    ("https://*example.com", "com"),
    ("https://*.com", "com"),
])
def test_the_domain_a_star_stays_under(text: str, domain: str) -> None:
    assert parse_origin(text).fixed_domain == domain
