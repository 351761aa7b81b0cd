"""CD001 invalid-configuration: a file validate refuses is still linted. Each validation problem is a
finding (an error, with its address, file and line; under CD201 or CD402 where the problem is an
instance of that rule) beside the findings of the rules on the resources that still load."""
from __future__ import annotations

from pathlib import Path

import pytest

from corsdeploy.config import load_file, load_file_leniently
from corsdeploy.config.services import CREDENTIALS_WITH_WILDCARD_ORIGIN, S3_LIMITS
from corsdeploy.errors import ConfigError
from corsdeploy.lint.engine import lint_file
from corsdeploy.lint.rule import Finding, Severity

TWO_ORIGINS = "AllowOrigins: [https://a.example.com, https://b.example.com]"
GOOD = f"""\
s3_buckets:
  assets:
    cors:
      - AllowedOrigins: ["https://app.example.com"]
        AllowedMethods: [GET]
rest_apis:
  legacy:
    stage: prod
    gateway_responses: []
    cors: {{{TWO_ORIGINS}}}
"""
# Line 5 breaks the schema; the REST entry (line 7) still loads and is linted (CD302 at line 10).
BAD_METHOD = GOOD.replace("AllowedMethods: [GET]", "AllowedMethods: [GET, PATCH]")


def write(tmp_path: Path, text: str, name: str = "prod") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return path


def summary(findings: list[Finding]) -> list[tuple[str, str, str | None, int | None]]:
    return [(f.rule, f.severity.value, f.address, f.location.line if f.location else None) for f in findings]


def test_good_a_valid_file_has_no_cd001_finding(tmp_path: Path) -> None:
    assert [f.rule for f in lint_file(write(tmp_path, GOOD))] == ["CD302"]


def test_bad_a_schema_error_is_a_finding_beside_the_rules_on_what_still_loads(tmp_path: Path) -> None:
    findings = lint_file(write(tmp_path, BAD_METHOD))
    assert summary(findings) == [("CD001", "error", "s3_bucket.assets", 5), ("CD302", "warning",
                                                                             "rest_api.legacy", 10)]
    assert findings[0].message == "AllowedMethods[1]: 'PATCH' is not one of GET, PUT, POST, DELETE, HEAD"
    assert findings[0].location is not None and findings[0].location.file.endswith("prod.yaml")


def test_bad_a_file_that_is_not_yaml_is_one_finding(tmp_path: Path) -> None:
    (finding,) = lint_file(write(tmp_path, "s3_buckets:\n  assets: [unclosed\n"))
    assert (finding.rule, finding.severity, finding.address) == ("CD001", Severity.ERROR, None)
    assert finding.message.startswith("YAML syntax error") and finding.location is not None


def test_bad_credentials_with_a_wildcard_origin_is_reported_under_its_own_rule(tmp_path: Path) -> None:
    text = GOOD + "http_apis:\n  orders:\n    cors: {AllowOrigins: ['*'], AllowCredentials: true}\n"
    findings = lint_file(write(tmp_path, text))
    assert ("CD201", "error", "http_api.orders", 13) in summary(findings)
    assert CREDENTIALS_WITH_WILDCARD_ORIGIN == "CD201"


def test_bad_s3_limits_are_reported_under_their_own_rule(tmp_path: Path) -> None:
    rule = '      - {AllowedOrigins: ["https://app.example.com"], AllowedMethods: [GET]}\n'
    many = "s3_buckets:\n  many:\n    cors:\n" + rule * 101
    big_origin = "https://" + "a" * 70_000 + ".example.com"
    big = ("s3_buckets:\n  big:\n    cors:\n"
           f"      - {{AllowedOrigins: ['{big_origin}'], AllowedMethods: [GET]}}\n")
    assert summary(lint_file(write(tmp_path, many, "many"))) == [("CD402", "error", "s3_bucket.many", 4)]
    assert summary(lint_file(write(tmp_path, big, "big"))) == [("CD402", "error", "s3_bucket.big", 4)]
    assert S3_LIMITS == "CD402"


def test_bad_a_broken_policy_spoils_only_the_buckets_using_it(tmp_path: Path) -> None:
    text = ("policies:\n  web:\n    - {AllowedOrigins: [https://app.example.com], AllowedMethods: [PATCH]}\n"
            "s3_buckets:\n  uses-it: {cors: web}\n  other: {cors: absent}\n"
            f"rest_apis:\n  legacy: {{stage: prod, gateway_responses: [], cors: {{{TWO_ORIGINS}}}}}\n")
    environment, problems = load_file_leniently(write(tmp_path, text))
    assert environment is not None and len(problems) == 1
    assert [r.address for r in environment.resources] == ["s3_bucket.other", "rest_api.legacy"]


def test_bad_broken_settings_leave_the_resources_linted(tmp_path: Path) -> None:
    text = "aws: {region: nowhere, endpoint_url: ftp://x}\nlint: {production: maybe}\n" + GOOD
    findings = lint_file(write(tmp_path, text))
    assert [f.rule for f in findings] == ["CD001", "CD001", "CD001", "CD302"]


@pytest.mark.parametrize("text", [
    BAD_METHOD,
    "s3_buckets:\n  assets: [unclosed\n",
    "extends: missing.yaml\n" + GOOD,
    "vars: {}\n" + GOOD.replace("https://app.example.com", "${app}"),
    GOOD + "unknown_section: {}\n",
])
def test_bad_the_lenient_load_finds_exactly_what_load_file_refuses(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as refused:
        load_file(path)
    assert load_file_leniently(path)[1] == list(refused.value.problems)


def test_good_the_lenient_load_of_a_valid_file_is_load_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    assert load_file_leniently(path) == (load_file(path), [])
