"""lint's use cases: every rule on every resource of an environment, files validate refuses included.
Reads files only: no AWS call, and boto3 is never imported."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from corsdeploy.config import environment_file, load_file_leniently
from corsdeploy.lint.invalid import invalid_finding
from corsdeploy.lint.registry import all_rules
from corsdeploy.lint.rule import Finding, LintContext, Rule
from corsdeploy.model import Environment

# An environment whose name holds one of these is not production unless its file says so.
NON_PRODUCTION_WORDS = ("dev", "test", "sandbox", "local")


def is_production(environment: Environment) -> bool:
    """`lint: production:` when the file sets it, else whether the name names no dev-like environment."""
    if environment.production is not None:
        return environment.production
    name = environment.name.lower()
    return not any(word in name for word in NON_PRODUCTION_WORDS)


def lint_environment(environment: Environment,
                     rules: Sequence[type[Rule]] | None = None) -> list[Finding]:
    """Every rule (default: all registered) on every resource, less what each resource's `lint_ignore`
    silences, by file and line."""
    context = LintContext(environment.name, is_production(environment))
    checks = [rule_class() for rule_class in (all_rules() if rules is None else rules)]
    return in_order(
        finding
        for resource in environment.resources
        for check in checks
        for finding in check.check(resource, context)
        if finding.rule not in resource.lint_ignore
    )


def lint_file(path: str | Path) -> list[Finding]:
    """One environment file: each validation problem as a finding (lint_ignore cannot silence those:
    validate refuses the file whatever it says), beside the rules' findings on the resources that load."""
    environment, problems = load_file_leniently(path)
    found = [invalid_finding(problem) for problem in problems]
    if environment is not None:
        found += lint_environment(environment)
    return in_order(found)


def lint_environments(env_dir: str | Path, names: Iterable[str]) -> list[Finding]:
    """The named environments of a folder; a finding in a shared file (`extends`) is reported once."""
    return in_order(finding for name in names for finding in lint_file(environment_file(env_dir, name)))


def in_order(findings: Iterable[Finding]) -> list[Finding]:
    """Each finding once, by file, line and column (those without a location first), then rule."""
    return sorted(dict.fromkeys(findings), key=_position)


def _position(finding: Finding) -> tuple[str, int, int, str, str, str]:
    where = finding.location
    file, line, column = (where.file, where.line, where.column) if where else ("", 0, 0)
    return file, line, column, finding.rule, finding.address or "", finding.message
