"""CD101 wildcard-origin: `*` on a resource not marked `public: true`."""
from __future__ import annotations

from pathlib import Path

import pytest

from corsdeploy.lint.rule import Severity
from corsdeploy.lint.rules.origins import WildcardOrigin
from tests.lint.support import assert_finding, lint

BAD = {
    "s3": """
        s3_buckets:
          reports:
            cors:
              - AllowedOrigins: ["https://app.example.com"]
                AllowedMethods: [GET]
              - AllowedOrigins: ["*"]
                AllowedMethods: [GET]
    """,
    "http_api": """
        http_apis:
          orders:
            cors: {AllowOrigins: ["*"], AllowMethods: [GET]}
    """,
    "rest_api": """
        rest_apis:
          legacy:
            stage: prod
            cors: {AllowOrigins: ["*"]}
    """,
    "function_url": """
        function_urls:
          thumbnailer:
            cors:
              AllowOrigins:
                - "*"
    """,
}

GOOD = {
    "exact origin": """
        s3_buckets:
          reports:
            cors:
              - AllowedOrigins: ["https://app.example.com"]
                AllowedMethods: [GET]
    """,
    "public bucket": """
        s3_buckets:
          fonts:
            public: true
            cors:
              - AllowedOrigins: ["*"]
                AllowedMethods: [GET, HEAD]
    """,
    "public api": """
        http_apis:
          catalogue:
            public: true
            cors: {AllowOrigins: ["*"]}
    """,
    "no cors": """
        s3_buckets:
          reports:
            cors: absent
    """,
}


@pytest.mark.parametrize("text", BAD.values(), ids=BAD.keys())
def test_wildcard_origin_is_reported_where_written(tmp_path: Path, text: str) -> None:
    found = assert_finding(lint(tmp_path, WildcardOrigin, text), WildcardOrigin, Severity.WARNING, '"*"',
                           "'*'", "every website", "public: true")
    assert found.message.startswith(("AllowedOrigins '*'", "AllowOrigins '*'"))


@pytest.mark.parametrize("text", GOOD.values(), ids=GOOD.keys())
def test_exact_origins_and_public_resources_pass(tmp_path: Path, text: str) -> None:
    assert lint(tmp_path, WildcardOrigin, text).findings == []
