"""What the plan-warning rules' tests share: a warning's rule id, and a plan of a resource that
silences a rule with `lint_ignore`."""
from __future__ import annotations

from dataclasses import replace

from corsdeploy.lint.rule import Finding, LintContext, Rule, tag_of
from corsdeploy.model import Live, Resource, frozen
from corsdeploy.plan import plan_resource

PRODUCTION = LintContext("prod", production=True)


def rule_ids_of(warnings: tuple[str, ...]) -> list[str | None]:
    return [tag_of(warning) for warning in warnings]


def ignoring(resource: Resource, rule: type[Rule]) -> Resource:
    """The resource with `lint_ignore: {RULE: reason}`."""
    return replace(resource, lint_ignore=frozen({rule.id: "reviewed: not a risk here"}))


def planned_warnings(resource: Resource, live: Live) -> tuple[str, ...]:
    """The warnings the plan shows for `resource`, given what its provider read."""
    return plan_resource(resource, live).warnings


def lint_findings(rule: type[Rule], resource: Resource) -> list[Finding]:
    return list(rule().check(resource, PRODUCTION))
