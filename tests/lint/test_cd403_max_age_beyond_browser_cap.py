"""CD403 max-age-beyond-browser-cap: Chromium keeps a preflight at most 7200 s, Firefox 86400 s."""
from __future__ import annotations

from pathlib import Path

import pytest

from corsdeploy.lint.rule import Severity
from corsdeploy.lint.rules.caching import MaxAgeBeyondBrowserCap
from tests.lint.support import assert_finding, lint

BAD = {
    "s3": ("""
        s3_buckets:
          assets:
            cors:
              - AllowedOrigins: ["https://app.example.com"]
                AllowedMethods: [GET]
                MaxAgeSeconds: 600
              - AllowedOrigins: ["https://admin.example.com"]
                AllowedMethods: [GET]
                MaxAgeSeconds: 86400
    """, "86400", "MaxAgeSeconds 86400 is longer than browsers keep a preflight answer"),
    "http api": ("""
        http_apis:
          orders:
            cors: {AllowOrigins: ["https://app.example.com"], MaxAge: 7201}
    """, "MaxAge", "MaxAge 7201 is longer than browsers keep a preflight answer: Chromium at most 7200 s, "
                   "Firefox at most 86400 s"),
    "rest api": ("""
        rest_apis:
          legacy:
            stage: prod
            cors:
              AllowOrigins: [https://app.example.com]
              MaxAge: 100000
    """, "MaxAge", "MaxAge 100000 is longer"),
    "function url": ("""
        function_urls:
          thumbnailer:
            cors:
              AllowOrigins: ["https://app.example.com"]
              MaxAge: 86400
    """, "MaxAge", "MaxAge 86400 is longer"),
}

GOOD = {
    "at the cap": "MaxAge: 7200",
    "short": "MaxAge: 300",
    "no caching": "MaxAge: -1",
    "unset": "AllowMethods: [GET]",
}


@pytest.mark.parametrize(("text", "needle", "message"), BAD.values(), ids=BAD.keys())
def test_max_age_beyond_chromium_is_info(tmp_path: Path, text: str, needle: str, message: str) -> None:
    linted = lint(tmp_path, MaxAgeBeyondBrowserCap, text)
    assert_finding(linted, MaxAgeBeyondBrowserCap, Severity.INFO, needle, message)


@pytest.mark.parametrize("field", GOOD.values(), ids=GOOD.keys())
def test_max_age_browsers_honour_passes(tmp_path: Path, field: str) -> None:
    text = f"""
        http_apis:
          orders:
            cors:
              AllowOrigins: ["https://app.example.com"]
              {field}
    """
    assert lint(tmp_path, MaxAgeBeyondBrowserCap, text).findings == []
