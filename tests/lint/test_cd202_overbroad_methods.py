"""CD202 overbroad-methods: every method, `*`, or state-changing methods for wildcard origins."""
from __future__ import annotations

from pathlib import Path

import pytest

from corsdeploy.lint.rule import Severity
from corsdeploy.lint.rules.credentials import OverbroadMethods
from tests.lint.support import assert_finding, lint

# (file, needle for the line, what the message must say)
BAD = {
    "every S3 method": ("""
        s3_buckets:
          uploads:
            cors:
              - AllowedOrigins: ["https://app.example.com"]
                AllowedMethods: [GET, PUT, POST, DELETE, HEAD]
    """, "AllowedMethods",
        "AllowedMethods GET, PUT, POST, DELETE, HEAD lists every method the service allows"),
    "star on an HTTP API": ("""
        http_apis:
          orders:
            cors:
              AllowOrigins: ["https://app.example.com"]
              AllowMethods: [GET, "*"]
    """, '"*"', "AllowMethods '*' allows every method, DELETE and PATCH included"),
    "every function URL method": ("""
        function_urls:
          thumbnailer:
            cors:
              AllowOrigins: ["https://app.example.com"]
              AllowMethods: [GET, PUT, HEAD, POST, PATCH, DELETE]
    """, "AllowMethods", "lists every method the service allows"),
    "writes from subdomains": ("""
        s3_buckets:
          uploads:
            cors:
              - AllowedOrigins: ["https://*.example.com"]
                AllowedMethods:
                  - GET
                  - PUT
                  - DELETE
    """, "- PUT",
        "AllowedMethods 'PUT', 'DELETE' for the wildcard origin 'https://*.example.com': every site it "
        "matches may send 'PUT', 'DELETE' requests"),
    "posts from anywhere": ("""
        http_apis:
          orders:
            cors:
              AllowOrigins: ["*"]
              AllowMethods: [GET, POST]
    """, "AllowMethods", "AllowMethods 'POST' for the wildcard origin '*'"),
}

GOOD = {
    "reads from anywhere": """
        s3_buckets:
          fonts:
            cors:
              - AllowedOrigins: ["*"]
                AllowedMethods: [GET, HEAD]
    """,
    "writes from one origin": """
        s3_buckets:
          uploads:
            cors:
              - AllowedOrigins: ["https://app.example.com"]
                AllowedMethods: [PUT, POST, DELETE]
              - AllowedOrigins: ["https://*.example.com"]
                AllowedMethods: [GET, HEAD]
    """,
    "REST API with exact origins": """
        rest_apis:
          legacy:
            stage: prod
            cors: {AllowOrigins: [https://app.example.com], AllowMethods: [GET, PUT, DELETE]}
    """,
}


@pytest.mark.parametrize(("text", "needle", "message"), BAD.values(), ids=BAD.keys())
def test_overbroad_methods_are_warnings(tmp_path: Path, text: str, needle: str, message: str) -> None:
    linted = lint(tmp_path, OverbroadMethods, text)
    assert_finding(linted, OverbroadMethods, Severity.WARNING, needle, message)


@pytest.mark.parametrize("text", GOOD.values(), ids=GOOD.keys())
def test_narrow_methods_pass(tmp_path: Path, text: str) -> None:
    assert lint(tmp_path, OverbroadMethods, text).findings == []
