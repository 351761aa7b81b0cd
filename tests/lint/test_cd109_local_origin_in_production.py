"""CD109 local-origin-in-production: localhost, loopback, private ranges, .local, tunnels."""
from __future__ import annotations

from pathlib import Path

import pytest

from corsdeploy.lint.rule import Severity
from corsdeploy.lint.rules.origins import LocalOriginInProduction
from tests.lint.support import assert_finding, lint

ENVIRONMENT = """
    lint: {{production: {production}}}
    s3_buckets:
      assets-prod:
        cors:
          - AllowedOrigins:
              - https://app.example.com
              - {origin}
            AllowedMethods: [GET]
"""

# (origin as written, what kind of address the message calls it)
BAD = {
    "localhost": ('"http://localhost:3000"', "local host name"),
    "any localhost port": ('"http://localhost:*"', "local host name"),
    "a .localhost name": ('"http://app.localhost"', "local host name"),
    "mDNS": ('"http://printer.local"', "local host name"),
    "loopback": ('"http://127.0.0.1:8080"', "loopback address"),
    "IPv6 loopback": ('"http://[::1]:8080"', "loopback address"),
    "private range": ('"https://192.168.1.20"', "private or reserved address"),
    "private 172.16/12": ('"http://172.20.0.3"', "private or reserved address"),
    "reserved for documentation": ('"https://203.0.113.9"', "private or reserved address"),
    "link-local": ('"http://169.254.10.10"', "link-local address"),
    "tunnel": ('"https://abc123.ngrok-free.app"', "public tunnel (ngrok-free.app)"),
    "any tunnel": ('"https://*.trycloudflare.com"', "public tunnel (trycloudflare.com)"),
}

GOOD = {
    "public name": '"https://app.example.com"',
    "public address": '"https://93.184.215.14"',
    "a name that merely contains local": '"https://localhost.example.com"',
    "any (CD101's)": '"*"',
}


@pytest.mark.parametrize(("origin", "kind"), BAD.values(), ids=BAD.keys())
def test_local_origins_in_production_are_warnings(tmp_path: Path, origin: str, kind: str) -> None:
    linted = lint(tmp_path, LocalOriginInProduction, ENVIRONMENT.format(production="true", origin=origin))
    assert_finding(linted, LocalOriginInProduction, Severity.WARNING, origin,
                   f"AllowedOrigins '{origin.strip(chr(34))}' is a {kind} in production environment 'prod'")


@pytest.mark.parametrize(("origin", "kind"), BAD.values(), ids=BAD.keys())
def test_local_origins_are_fine_in_development(tmp_path: Path, origin: str, kind: str) -> None:
    text = ENVIRONMENT.format(production="false", origin=origin)
    assert lint(tmp_path, LocalOriginInProduction, text, name="dev").findings == []


@pytest.mark.parametrize("origin", GOOD.values(), ids=GOOD.keys())
def test_public_origins_pass(tmp_path: Path, origin: str) -> None:
    text = ENVIRONMENT.format(production="true", origin=origin)
    assert lint(tmp_path, LocalOriginInProduction, text).findings == []


def test_function_url_localhost(tmp_path: Path) -> None:
    linted = lint(tmp_path, LocalOriginInProduction, """
        function_urls:
          thumbnailer:
            cors: {AllowOrigins: ["http://localhost:5173"]}
    """)
    assert_finding(linted, LocalOriginInProduction, Severity.WARNING, "localhost",
                   "AllowOrigins 'http://localhost:5173' is a local host name")
