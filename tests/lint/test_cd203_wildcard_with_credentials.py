"""CD203 wildcard-with-credentials: with credentials browsers read `*` in AllowHeaders, AllowMethods and
ExposeHeaders as a name."""
from __future__ import annotations

from pathlib import Path

import pytest

from corsdeploy.lint.rule import Severity
from corsdeploy.lint.rules.credentials import WildcardWithCredentials
from tests.lint.support import assert_finding, lint

API = """
    {section}:
      orders:
        {extra}
        cors:
          AllowOrigins: ["https://app.example.com"]
          AllowCredentials: true
          {field}: [{named}, "*"]
"""

# (field, a value named beside the '*', the consequence the message names)
BAD = {
    "headers": ("AllowHeaders", "content-type", "a preflight asking for any header fails"),
    "methods": ("AllowMethods", "GET", "only GET, HEAD and POST pass with credentials"),
    "expose headers": ("ExposeHeaders", "x-request-id", "scripts can read none of the response headers"),
}
SECTIONS = {"http_apis": "", "rest_apis": "stage: prod"}


@pytest.mark.parametrize("section", SECTIONS, ids=SECTIONS.keys())
@pytest.mark.parametrize(("field", "named", "consequence"), BAD.values(), ids=BAD.keys())
def test_star_with_credentials_is_a_warning(tmp_path: Path, section: str, field: str, named: str,
                                            consequence: str) -> None:
    text = API.format(section=section, extra=SECTIONS[section], field=field, named=named)
    assert_finding(lint(tmp_path, WildcardWithCredentials, text), WildcardWithCredentials, Severity.WARNING,
                   '"*"', f"{field} '*' with AllowCredentials: true is taken literally", consequence)


def test_bad_function_url_headers(tmp_path: Path) -> None:
    linted = lint(tmp_path, WildcardWithCredentials, """
        function_urls:
          thumbnailer:
            cors:
              AllowOrigins: ["https://app.example.com"]
              AllowCredentials: true
              AllowHeaders: ["*"]
    """)
    assert_finding(linted, WildcardWithCredentials, Severity.WARNING, '"*"', "AllowHeaders '*'",
                   "Authorization must always be named")


@pytest.mark.parametrize(("field", "named", "consequence"), BAD.values(), ids=BAD.keys())
def test_good_star_without_credentials_is_a_real_wildcard(tmp_path: Path, field: str, named: str,
                                                     consequence: str) -> None:
    text = API.format(section="http_apis", extra="", field=field, named=named).replace("true", "false")
    assert lint(tmp_path, WildcardWithCredentials, text).findings == []


def test_good_named_headers_with_credentials(tmp_path: Path) -> None:
    assert lint(tmp_path, WildcardWithCredentials, """
        http_apis:
          orders:
            cors:
              AllowOrigins: ["https://app.example.com"]
              AllowCredentials: true
              AllowHeaders: [authorization, content-type]
              AllowMethods: [GET, POST]
              ExposeHeaders: [x-request-id]
    """).findings == []


def test_good_s3_star_headers_are_echoed_not_sent_as_star(tmp_path: Path) -> None:
    # S3 answers the requested header names, never '*' (facts §1.4), so its implicit credentials are fine.
    assert lint(tmp_path, WildcardWithCredentials, """
        s3_buckets:
          uploads:
            cors:
              - AllowedOrigins: ["https://app.example.com"]
                AllowedMethods: [PUT]
                AllowedHeaders: ["*"]
    """).findings == []
