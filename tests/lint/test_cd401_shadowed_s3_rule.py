"""CD401 shadowed-s3-rule: S3 uses the first rule that matches, so a rule an earlier one covers is dead."""
from __future__ import annotations

from pathlib import Path

import pytest

from corsdeploy.lint.rule import Severity
from corsdeploy.lint.rules.s3 import ShadowedS3Rule, glob_covers
from tests.lint.support import assert_finding, lint

# (rules, which "- " item holds the finding (1-based), what the message must say)
BAD = {
    "a duplicate": ("""
          - AllowedOrigins: ["https://app.example.com"]
            AllowedMethods: [GET]
          - AllowedOrigins: ["https://app.example.com"]
            AllowedMethods: [GET]
    """, 2, "rule 1 is never used: rule 0 comes first and matches every request it matches"),
    "any origin first": ("""
          - AllowedOrigins: ["*"]
            AllowedMethods: [GET, HEAD]
          - AllowedOrigins: ["https://app.example.com"]
            AllowedMethods: [GET]
            ExposeHeaders: [ETag]
    """, 2, "rule 1 is never used: rule 0"),
    "subdomains first": ("""
          - AllowedOrigins: ["https://*.example.com"]
            AllowedMethods: [GET, PUT]
          - AllowedOrigins: ["https://app.example.com", "https://*.eu.example.com"]
            AllowedMethods: [PUT]
    """, 2, "rule 1 is never used: rule 0"),
    "headers compared without case": ("""
          - AllowedOrigins: ["https://app.example.com"]
            AllowedMethods: [PUT]
            AllowedHeaders: [Content-Type, "x-amz-*"]
          - AllowedOrigins: ["https://app.example.com"]
            AllowedMethods: [PUT]
            AllowedHeaders: [content-type, "X-Amz-Meta-*"]
    """, 2, "rule 1 is never used: rule 0"),
    "an earlier rule with headers covers one without": ("""
          - AllowedOrigins: ["https://app.example.com"]
            AllowedMethods: [GET]
            AllowedHeaders: ["*"]
          - AllowedOrigins: ["https://app.example.com"]
            AllowedMethods: [GET]
            MaxAgeSeconds: 600
    """, 2, "rule 1 is never used: rule 0"),
    "named rules, not the one just before": ("""
          - ID: reads
            AllowedOrigins: ["https://*.example.com"]
            AllowedMethods: [GET, HEAD]
          - ID: uploads
            AllowedOrigins: ["https://app.example.com"]
            AllowedMethods: [PUT]
          - ID: reads-again
            AllowedOrigins: ["https://admin.example.com"]
            AllowedMethods: [GET]
    """, 3, "rule 2 ('reads-again') is never used: rule 0 ('reads') comes first"),
}

GOOD = {
    "a method the earlier rule lacks": """
          - AllowedOrigins: ["https://app.example.com"]
            AllowedMethods: [GET]
          - AllowedOrigins: ["https://app.example.com"]
            AllowedMethods: [GET, PUT]
    """,
    "an origin the earlier rule lacks": """
          - AllowedOrigins: ["https://app.example.com"]
            AllowedMethods: [GET]
          - AllowedOrigins: ["https://app.example.com", "https://admin.example.com"]
            AllowedMethods: [GET]
    """,
    "the apex is not a subdomain": """
          - AllowedOrigins: ["https://*.example.com"]
            AllowedMethods: [GET]
          - AllowedOrigins: ["https://example.com"]
            AllowedMethods: [GET]
    """,
    "an earlier rule without headers allows none": """
          - AllowedOrigins: ["https://app.example.com"]
            AllowedMethods: [PUT]
          - AllowedOrigins: ["https://app.example.com"]
            AllowedMethods: [PUT]
            AllowedHeaders: [content-type]
    """,
    "a broader header pattern later": """
          - AllowedOrigins: ["https://app.example.com"]
            AllowedMethods: [PUT]
            AllowedHeaders: ["x-amz-meta-*"]
          - AllowedOrigins: ["https://app.example.com"]
            AllowedMethods: [PUT]
            AllowedHeaders: ["x-amz-*"]
    """,
    "narrow first, broad later": """
          - AllowedOrigins: ["https://app.example.com"]
            AllowedMethods: [GET, PUT]
          - AllowedOrigins: ["*"]
            AllowedMethods: [GET]
    """,
}


def _bucket(rules: str) -> str:
    return "s3_buckets:\n  uploads:\n    cors:\n" + rules


@pytest.mark.parametrize(("rules", "item", "message"), BAD.values(), ids=BAD.keys())
def test_shadowed_rules_are_reported_at_the_rule(tmp_path: Path, rules: str, item: int, message: str) -> None:
    linted = lint(tmp_path, ShadowedS3Rule, _bucket(rules))
    assert_finding(linted, ShadowedS3Rule, Severity.WARNING, "- ", message, nth=item)


@pytest.mark.parametrize("rules", GOOD.values(), ids=GOOD.keys())
def test_rules_that_can_still_match_pass(tmp_path: Path, rules: str) -> None:
    assert lint(tmp_path, ShadowedS3Rule, _bucket(rules)).findings == []


def test_rules_from_a_policy_point_into_the_policy(tmp_path: Path) -> None:
    linted = lint(tmp_path, ShadowedS3Rule, """
        policies:
          web:
            - AllowedOrigins: ["*"]
              AllowedMethods: [GET]
            - AllowedOrigins: ["https://app.example.com"]
              AllowedMethods: [GET]
        s3_buckets:
          assets:
            cors: web
    """)
    assert_finding(linted, ShadowedS3Rule, Severity.WARNING, "- ", "rule 1 is never used", nth=2)


@pytest.mark.parametrize(("general", "specific", "covers"), [
    ("*", "https://a.example.com", True),
    ("*", "https://*.example.com", True),
    ("https://a.example.com", "https://a.example.com", True),
    ("https://a.example.com", "https://b.example.com", False),
    ("https://a.example.com", "https://*.example.com", False),
    ("https://*.example.com", "https://a.example.com", True),
    ("https://*.example.com", "https://example.com", False),
    ("https://*.example.com", "http://a.example.com", False),
    ("https://*.example.com", "https://a-*.example.com", True),
    ("https://*.example.com", "https://*example.com", False),
    ("https://*", "https://*.example.com", True),
    ("https://example.com*", "https://example.com", True),  # `*` may stand for nothing
    ("ab*ba", "aba", False),  # prefix and suffix may not overlap
    ("x-amz-*", "x-amz-meta-*", True),
    ("x-amz-meta-*", "x-amz-*", False),
])
def test_glob_containment(general: str, specific: str, covers: bool) -> None:
    assert glob_covers(general, specific) is covers
