"""CD201 credentials-with-wildcard-origin: AllowCredentials: true with the origin `*`.

validate refuses it on HTTP and REST APIs (those problems carry this rule's id in lint's report), so
those cases are built directly; function URLs get it from the rule itself.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from corsdeploy.lint.rule import Severity
from corsdeploy.lint.rules.credentials import CredentialsWithWildcardOrigin
from corsdeploy.model import CorsRule, Kind
from tests.lint.support import assert_built_finding, assert_finding, built, lint, run
from tests.test_config_support import problems, write


def test_bad_function_url_with_credentials_and_any_origin(tmp_path: Path) -> None:
    linted = lint(tmp_path, CredentialsWithWildcardOrigin, """
        function_urls:
          thumbnailer:
            cors:
              AllowCredentials: true
              AllowOrigins: ["https://app.example.com", "*"]
    """)
    assert_finding(linted, CredentialsWithWildcardOrigin, Severity.ERROR, '"*"',
                   "AllowOrigins '*' with AllowCredentials: true: browsers refuse a credentialed response "
                   "whose Access-Control-Allow-Origin is '*'")


@pytest.mark.parametrize(("kind", "why"), [
    (Kind.HTTP_API, "API Gateway rejects it (allow-credentials is not supported if allow-origin is *)"),
    (Kind.REST_API, "browsers refuse a credentialed response"),
], ids=["http api", "rest api"])
def test_bad_apis_validate_refuses_are_reported_at_the_origin(kind: Kind, why: str) -> None:
    resource = built(kind, [CorsRule(("https://app.example.com", "*"), ("GET",), allow_credentials=True)],
                     {("cors", "AllowOrigins", 1): 9})
    assert_built_finding(run(CredentialsWithWildcardOrigin, resource), CredentialsWithWildcardOrigin,
                         Severity.ERROR, 9, "AllowOrigins '*' with AllowCredentials: true", why)


def test_validate_refuses_it_on_http_apis(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        http_apis:
          orders:
            cors: {AllowOrigins: ["*"], AllowCredentials: true}
    """)
    assert any("allow-credentials is not supported" in p.message for p in problems(path))


GOOD = {
    "any origin without credentials": 'AllowOrigins: ["*"]',
    "credentials off": 'AllowOrigins: ["*"], AllowCredentials: false',
    "exact origin with credentials": 'AllowOrigins: ["https://app.example.com"], AllowCredentials: true',
}


@pytest.mark.parametrize("cors", GOOD.values(), ids=GOOD.keys())
def test_other_combinations_pass(tmp_path: Path, cors: str) -> None:
    text = f"""
        function_urls:
          thumbnailer:
            cors: {{{cors}}}
    """
    assert lint(tmp_path, CredentialsWithWildcardOrigin, text).findings == []


def test_good_s3_has_no_credentials_switch(tmp_path: Path) -> None:
    # S3 answers a '*' rule with Access-Control-Allow-Origin: * and no credentials header (facts §1.4).
    assert lint(tmp_path, CredentialsWithWildcardOrigin, """
        s3_buckets:
          fonts:
            cors:
              - AllowedOrigins: ["*"]
                AllowedMethods: [GET]
    """).findings == []
