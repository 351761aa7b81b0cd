"""Helpers for the lint rule tests: an environment file from a YAML snippet, one rule run on it."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from corsdeploy.config import load_file
from corsdeploy.lint.rule import Finding, LintContext, Rule, Severity
from corsdeploy.model import CorsConfig, CorsRule, Kind, Location, Resource, frozen
from tests.test_config_support import at, write

# Where the resources built directly (for what validate refuses) say they were written.
SOURCE = "environments/prod.yaml"


@dataclass(frozen=True)
class Linted:
    """What one rule found in one file."""

    path: Path
    findings: list[Finding]

    def line(self, needle: str, nth: int = 1) -> int:
        """The line of the nth occurrence of `needle` in the file."""
        return at(self.path, needle, nth)[0]

    def only(self) -> Finding:
        assert len(self.findings) == 1, [f.message for f in self.findings]
        return self.findings[0]


def run(rule: type[Rule], resource: Resource, environment: str = "prod",
        production: bool = True) -> list[Finding]:
    return list(rule().check(resource, LintContext(environment, production)))


def lint(folder: Path, rule: type[Rule], text: str, name: str = "prod") -> Linted:
    """Write `text` as environments/<name>.yaml, load it as corsdeploy does, run `rule` on every resource.

    Production is the file's `lint: production:`, and true when the file leaves it out (how a name
    decides is the lint engine's business, tested there)."""
    path = write(folder / "environments", f"{name}.yaml", text)
    environment = load_file(path)
    production = True if environment.production is None else environment.production
    found = [f for r in environment.resources for f in run(rule, r, environment.name, production)]
    return Linted(path, found)


def assert_finding(linted: Linted, rule: type[Rule], severity: Severity, needle: str, *fragments: str,
                   nth: int = 1) -> Finding:
    """The one finding: this rule, this severity, on the line holding `needle`, its message holding each
    fragment."""
    found = linted.only()
    assert (found.rule, found.severity) == (rule.id, severity)
    assert found.location is not None
    assert (found.location.file, found.location.line) == (str(linted.path), linted.line(needle, nth))
    for fragment in fragments:
        assert fragment in found.message, found.message
    return found


Lines = Mapping[tuple[str | int, ...], int]


def built(kind: Kind, rules: list[CorsRule], lines: Lines | None = None) -> Resource:
    """A resource built directly (for what validate refuses), each field path written on the given line
    of SOURCE."""
    locations = {path: Location(SOURCE, line, 7) for path, line in (lines or {}).items()}
    return Resource(kind, "built", CorsConfig(tuple(rules)), Location(SOURCE, 2, 3),
                    field_locations=frozen(locations))


def assert_built_finding(findings: list[Finding], rule: type[Rule], severity: Severity, line: int,
                         *fragments: str) -> Finding:
    """The one finding about a built resource: this rule, this severity, on SOURCE's `line`."""
    assert len(findings) == 1, [f.message for f in findings]
    (found,) = findings
    assert (found.rule, found.severity, found.location) == (rule.id, severity, Location(SOURCE, line, 7))
    for fragment in fragments:
        assert fragment in found.message, found.message
    return found
