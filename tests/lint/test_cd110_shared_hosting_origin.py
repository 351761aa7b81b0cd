"""CD110 shared-hosting-origin: domains where anyone can publish a site; errors for wildcards, warnings
for exact hosts."""
from __future__ import annotations

from pathlib import Path

import pytest

from corsdeploy.lint.rule import Severity
from corsdeploy.lint.rules.origins import SHARED_HOSTING, SharedHostingOrigin
from tests.lint.support import assert_finding, lint

S3 = """
    s3_buckets:
      preview:
        cors:
          - AllowedOrigins: ["https://app.example.com", {origin}]
            AllowedMethods: [GET]
"""

# (origin as written, the shared domain and the example site the message names)
WILDCARDS = {
    "github pages": ('"https://*.github.io"', "'github.io'", "'https://evil.github.io'"),
    "every S3 bucket": ('"https://*.s3.amazonaws.com"', "'s3.amazonaws.com'", "'https://evil.s3.amazonaws.com'"),
    "vercel previews": ('"https://acme-*.vercel.app"', "'vercel.app'", "'https://acme-evil.vercel.app'"),
    "lookalike on heroku": ('"https://*herokuapp.com"', "'herokuapp.com'", "'https://evilherokuapp.com'"),
    "no scheme": ('"*.netlify.app"', "'netlify.app'", "'https://evil.netlify.app'"),
    "regional API endpoints": ('"https://*.execute-api.eu-west-1.amazonaws.com"', "'amazonaws.com'",
                               "'https://evil.execute-api.eu-west-1.amazonaws.com'"),
}
EXACT = {
    "one github pages site": ('"https://acme.github.io"', "'github.io'"),
    "codepen itself": ('"https://codepen.io"', "'codepen.io'"),
    "one bucket": ('"https://acme-web.s3.eu-west-1.amazonaws.com"', "'amazonaws.com'"),
    "a function URL": ('"https://abc.lambda-url.eu-west-1.on.aws"', "'on.aws'"),
}
GOOD = {
    "own domain": '"https://app.example.com"',
    "own subdomains": '"https://*.example.com"',
    "a name that ends like one": '"https://notgithub.io"',
}


@pytest.mark.parametrize(("origin", "domain", "site"), WILDCARDS.values(), ids=WILDCARDS.keys())
def test_wildcards_on_shared_hosting_are_errors(tmp_path: Path, origin: str, domain: str, site: str) -> None:
    linted = lint(tmp_path, SharedHostingOrigin, S3.format(origin=origin))
    assert_finding(linted, SharedHostingOrigin, Severity.ERROR, origin,
                   f"AllowedOrigins '{origin.strip(chr(34))}' trusts every site on the shared hosting domain "
                   f"{domain}", site)


@pytest.mark.parametrize(("origin", "domain"), EXACT.values(), ids=EXACT.keys())
def test_exact_hosts_on_shared_hosting_are_warnings(tmp_path: Path, origin: str, domain: str) -> None:
    linted = lint(tmp_path, SharedHostingOrigin, S3.format(origin=origin))
    assert_finding(linted, SharedHostingOrigin, Severity.WARNING, origin,
                   f"AllowedOrigins '{origin.strip(chr(34))}' is on the shared hosting domain {domain}",
                   "claimed by anyone")


@pytest.mark.parametrize("origin", GOOD.values(), ids=GOOD.keys())
def test_own_domains_pass(tmp_path: Path, origin: str) -> None:
    assert lint(tmp_path, SharedHostingOrigin, S3.format(origin=origin)).findings == []


def test_rest_api_exact_host(tmp_path: Path) -> None:
    linted = lint(tmp_path, SharedHostingOrigin, """
        rest_apis:
          legacy:
            stage: prod
            cors: {AllowOrigins: [https://acme.herokuapp.com]}
    """)
    assert_finding(linted, SharedHostingOrigin, Severity.WARNING, "herokuapp",
                   "AllowOrigins 'https://acme.herokuapp.com' is on the shared hosting domain "
                   "'herokuapp.com'")


def test_the_list_is_the_documented_one() -> None:
    # docs/cors-security.md §6 CDL008 names these; the table is where they are kept.
    for domain in ("github.io", "s3.amazonaws.com", "herokuapp.com", "cloudfront.net", "netlify.app",
                   "vercel.app", "pages.dev", "web.app", "firebaseapp.com", "azurewebsites.net",
                   "amplifyapp.com", "github.com", "gitlab.com", "pastebin.com", "jsbin.com", "codepen.io",
                   "jsfiddle.net"):
        assert domain in SHARED_HOSTING
