"""The lint engine on plain data: which environments are production, every rule on every resource
with that context, lint_ignore per resource, findings by file and line."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from corsdeploy.lint.engine import in_order, is_production, lint_environment
from corsdeploy.lint.rule import Finding, LintContext, Rule, Severity
from corsdeploy.model import AwsSettings, Environment, Kind, Location, Resource, frozen


def environment(name: str, *resources: Resource, production: bool | None = None) -> Environment:
    return Environment(name, f"environments/{name}.yaml", AwsSettings(), resources, production=production)


def bucket(name: str, line: int, **ignored: str) -> Resource:
    return Resource(Kind.S3_BUCKET, name, None, Location("environments/e.yaml", line, 3),
                    lint_ignore=frozen(ignored))


class SaysWhereItRuns(Rule):
    """A rule reporting the context it was given, for every resource."""

    id = "CD999"
    name = "says-where-it-runs"
    severity = Severity.INFO
    description = fix = "Test only."

    def check(self, resource: Resource, context: LintContext) -> Iterator[Finding]:
        yield self.finding(resource, f"{context.environment} production={context.production}")


@pytest.mark.parametrize(("name", "production"), [
    ("prod", True), ("production-eu", True), ("staging", True), ("live", True),
    ("dev", False), ("Dev-EU", False), ("qa-test", False), ("sandbox", False), ("localstack", False),
    ("devops-prod", False),  # the documented rule: any name holding "dev" is not production
])
def test_production_is_decided_from_the_name(name: str, production: bool) -> None:
    assert is_production(environment(name)) is production


def test_lint_production_in_the_file_wins_over_the_name() -> None:
    assert is_production(environment("dev", production=True)) is True
    assert is_production(environment("prod", production=False)) is False


def test_every_resource_is_checked_with_the_context_in_file_order() -> None:
    found = lint_environment(environment("dev", bucket("b", 9), bucket("a", 4)), [SaysWhereItRuns])
    assert [(f.address, f.message) for f in found] == [("s3_bucket.a", "dev production=False"),
                                                       ("s3_bucket.b", "dev production=False")]


def test_lint_ignore_silences_a_rule_on_its_resource_only() -> None:
    quiet = bucket("quiet", 2, CD999="test data")
    found = lint_environment(environment("prod", quiet, bucket("loud", 3)), [SaysWhereItRuns])
    assert [f.address for f in found] == ["s3_bucket.loud"]


def test_findings_without_a_location_come_first_and_each_once() -> None:
    located = Finding("CD101", Severity.WARNING, "m", "s3_bucket.a", Location("a.yaml", 2, 1))
    earlier = replace(located, location=Location("a.yaml", 1, 9))
    nowhere = Finding("CD001", Severity.ERROR, "unreadable")
    assert in_order([located, earlier, nowhere, located]) == [nowhere, earlier, located]
