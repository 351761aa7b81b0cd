"""CD402 s3-limits: more than 100 rules, or a document over 64 KB.

validate refuses both in a file (those problems carry this rule's id in lint's report), so the bad
cases are built directly.
"""
from __future__ import annotations

import re
from pathlib import Path

from corsdeploy import limits
from corsdeploy.lint.rule import Severity
from corsdeploy.lint.rules.s3 import S3Limits
from corsdeploy.model import CorsRule, Kind
from tests.lint.support import assert_built_finding, built, lint, run
from tests.test_config_support import problems, write

RULE_LINE = 4


def _rules(count: int, origins_each: int = 1) -> list[CorsRule]:
    return [CorsRule(tuple(f"https://app{i}-{j}.example.com" for j in range(origins_each)), ("GET",))
            for i in range(count)]


def test_bad_more_than_100_rules() -> None:
    resource = built(Kind.S3_BUCKET, _rules(limits.S3_MAX_RULES + 1), {("cors",): RULE_LINE})
    assert_built_finding(run(S3Limits, resource), S3Limits, Severity.ERROR, RULE_LINE,
                         "101 rules: S3 allows at most 100")


def test_bad_document_over_64_kb() -> None:
    resource = built(Kind.S3_BUCKET, _rules(40, origins_each=50), {("cors",): RULE_LINE})
    found = assert_built_finding(run(S3Limits, resource), S3Limits, Severity.ERROR, RULE_LINE,
                                 "as S3 receives it; S3 allows at most 65536 (64 KB)")
    size = re.search(r"the CORS document is (\d+) bytes", found.message)
    assert size is not None and int(size.group(1)) > 64 * 1024


def test_good_at_the_limits_themselves() -> None:
    resource = built(Kind.S3_BUCKET, _rules(limits.S3_MAX_RULES))
    assert run(S3Limits, resource) == []
    assert run(S3Limits, built(Kind.S3_BUCKET, _rules(20, origins_each=50))) == []


def test_validate_refuses_too_many_rules(tmp_path: Path) -> None:
    rules = "".join(f"      - {{AllowedOrigins: ['https://a{i}.example.com'], AllowedMethods: [GET]}}\n"
                    for i in range(limits.S3_MAX_RULES + 1))
    path = write(tmp_path, "prod.yaml", "s3_buckets:\n  assets:\n    cors:\n" + rules)
    assert problems(path)


def test_good_small_bucket(tmp_path: Path) -> None:
    assert lint(tmp_path, S3Limits, """
        s3_buckets:
          assets:
            cors:
              - AllowedOrigins: ["https://app.example.com"]
                AllowedMethods: [GET]
    """).findings == []
