"""CD108 insecure-http-origin: a plain http:// origin outside development environments."""
from __future__ import annotations

from pathlib import Path

import pytest

from corsdeploy.lint.rule import Severity
from corsdeploy.lint.rules.origins import InsecureHttpOrigin
from tests.lint.support import assert_finding, lint

ENVIRONMENT = """
    lint: {{production: {production}}}
    http_apis:
      orders:
        cors:
          AllowOrigins: ["https://app.example.com", {origin}]
"""

BAD = {
    "http origin": '"http://app.example.com"',
    "http with port": '"http://app.example.com:8080"',
    "http subdomains": '"http://*.example.com"',
}

GOOD = {
    "https": '"https://app.example.com"',
    "loopback over http (CD109's)": '"http://localhost:3000"',
    "private address over http (CD109's)": '"http://10.0.0.7"',
    "scheme left open (CD107's)": '"*.example.com"',
}


@pytest.mark.parametrize("origin", BAD.values(), ids=BAD.keys())
def test_http_origins_in_production_are_warnings(tmp_path: Path, origin: str) -> None:
    linted = lint(tmp_path, InsecureHttpOrigin, ENVIRONMENT.format(production="true", origin=origin))
    assert_finding(linted, InsecureHttpOrigin, Severity.WARNING, origin,
                   f"AllowOrigins '{origin.strip(chr(34))}' is plain http", "network path", "use https://")


@pytest.mark.parametrize("origin", BAD.values(), ids=BAD.keys())
def test_http_origins_are_fine_outside_production(tmp_path: Path, origin: str) -> None:
    text = ENVIRONMENT.format(production="false", origin=origin)
    assert lint(tmp_path, InsecureHttpOrigin, text, name="staging").findings == []


@pytest.mark.parametrize("origin", GOOD.values(), ids=GOOD.keys())
def test_other_origins_pass_in_production(tmp_path: Path, origin: str) -> None:
    text = ENVIRONMENT.format(production="true", origin=origin)
    assert lint(tmp_path, InsecureHttpOrigin, text).findings == []


def test_s3_http_origin(tmp_path: Path) -> None:
    linted = lint(tmp_path, InsecureHttpOrigin, """
        s3_buckets:
          media:
            cors:
              - AllowedOrigins: ["https://app.example.com"]
                AllowedMethods: [GET]
              - AllowedOrigins: ["http://legacy.example.com"]
                AllowedMethods: [GET]
    """)
    assert_finding(linted, InsecureHttpOrigin, Severity.WARNING, "http://legacy",
                   "AllowedOrigins 'http://legacy.example.com' is plain http")
