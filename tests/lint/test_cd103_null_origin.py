"""CD103 null-origin: any page can send `Origin: null` from a sandboxed iframe."""
from __future__ import annotations

from pathlib import Path

import pytest

from corsdeploy.lint.rule import Severity
from corsdeploy.lint.rules.origins import NullOrigin
from tests.lint.support import assert_finding, lint

BAD = {
    "s3": """
        s3_buckets:
          docs:
            cors:
              - AllowedOrigins: ["https://app.example.com", "null"]
                AllowedMethods: [GET]
    """,
    "http api": """
        http_apis:
          orders:
            cors: {AllowOrigins: ["null"]}
    """,
    "rest api": """
        rest_apis:
          legacy:
            stage: prod
            cors:
              AllowOrigins: [https://app.example.com, "null"]
    """,
    "function url": """
        function_urls:
          thumbnailer:
            cors: {AllowOrigins: ["null"]}
    """,
}

GOOD = {
    "exact": '["https://app.example.com"]',
    "a host that contains null": '["https://null.example.com"]',
}


@pytest.mark.parametrize("text", BAD.values(), ids=BAD.keys())
def test_null_origin_is_an_error(tmp_path: Path, text: str) -> None:
    found = assert_finding(lint(tmp_path, NullOrigin, text), NullOrigin, Severity.ERROR, '"null"',
                           "'null'", "sandboxed iframe")
    assert found.message.startswith(("AllowedOrigins 'null' trusts", "AllowOrigins 'null' trusts"))


@pytest.mark.parametrize("origins", GOOD.values(), ids=GOOD.keys())
def test_other_origins_pass(tmp_path: Path, origins: str) -> None:
    text = f"""
        s3_buckets:
          docs:
            cors:
              - AllowedOrigins: {origins}
                AllowedMethods: [GET]
    """
    assert lint(tmp_path, NullOrigin, text).findings == []
