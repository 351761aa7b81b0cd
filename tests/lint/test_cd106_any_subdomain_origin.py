"""CD106 any-subdomain-origin: `https://*.example.com` trusts every subdomain."""
from __future__ import annotations

from pathlib import Path

import pytest

from corsdeploy.lint.rule import Severity
from corsdeploy.lint.rules.origins import AnySubdomainOrigin
from corsdeploy.model import CorsRule, Kind
from tests.lint.support import assert_finding, built, lint, run

S3 = """
    s3_buckets:
      uploads:
        cors:
          - AllowedOrigins: [{origin}]
            AllowedMethods: [GET, PUT]
"""

# (origin as written, the domain and a subdomain the message names)
BAD = {
    "every subdomain": ('"https://*.example.com"', "'example.com'", "'https://evil.example.com'"),
    "part of a label": ('"https://app-*.example.com"', "'example.com'", "'https://app-evil.example.com'"),
    "deeper": ('"https://*.eu.example.com"', "'eu.example.com'", "'https://evil.eu.example.com'"),
    "no scheme": ('"*.example.com"', "'example.com'", "'https://evil.example.com'"),
}

GOOD = {
    "exact": '"https://app.example.com"',
    "lookalike (CD104's)": '"https://*example.com"',
    "every https origin (CD102's)": '"https://*"',
}


@pytest.mark.parametrize(("origin", "domain", "subdomain"), BAD.values(), ids=BAD.keys())
def test_subdomain_wildcards_are_warnings(tmp_path: Path, origin: str, domain: str, subdomain: str) -> None:
    linted = lint(tmp_path, AnySubdomainOrigin, S3.format(origin=origin))
    found = assert_finding(linted, AnySubdomainOrigin, Severity.WARNING, origin,
                           f"every subdomain of {domain}", subdomain, "taken-over DNS name")
    assert found.message.startswith(f"AllowedOrigins '{origin.strip(chr(34))}' trusts")


def test_http_api_subdomains(tmp_path: Path) -> None:
    linted = lint(tmp_path, AnySubdomainOrigin, """
        http_apis:
          orders:
            cors:
              AllowOrigins:
                - https://app.example.com
                - https://*.example.com
    """)
    assert_finding(linted, AnySubdomainOrigin, Severity.WARNING, "*.example", "AllowOrigins 'https://*.example.com'")


@pytest.mark.parametrize("origin", GOOD.values(), ids=GOOD.keys())
def test_other_origins_pass(tmp_path: Path, origin: str) -> None:
    assert lint(tmp_path, AnySubdomainOrigin, S3.format(origin=origin)).findings == []


def test_not_on_rest_apis() -> None:
    assert run(AnySubdomainOrigin, built(Kind.REST_API, [CorsRule(("https://*.example.com",), ())])) == []
