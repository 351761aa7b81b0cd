"""A lint rule: one class per rule with a stable id, a severity, a description and a fix hint."""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from corsdeploy.model import Location, Resource


class Severity(StrEnum):
    """How bad a finding is; `--fail-on` compares by `rank`."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {Severity.ERROR: 3, Severity.WARNING: 2, Severity.INFO: 1}[self]


@dataclass(frozen=True)
class Finding:
    """One finding: `file:line: address: RULE: message`."""

    rule: str
    severity: Severity
    message: str
    address: str | None = None
    location: Location | None = None


@dataclass(frozen=True)
class LintContext:
    """What a rule may know about the environment besides the resource itself."""

    environment: str
    production: bool


class Rule:
    """Base of every rule. `check` yields findings for one resource; a rule that can only be known
    from AWS (a plan warning) yields nothing here and is reported by plan with its id."""

    id: ClassVar[str]
    name: ClassVar[str]  # kebab-case, e.g. "scheme-wildcard-origin"
    severity: ClassVar[Severity]
    description: ClassVar[str]  # one sentence: what it catches and why it matters
    fix: ClassVar[str]  # one sentence: what to write instead

    def check(self, resource: Resource, context: LintContext) -> Iterator[Finding]:
        return iter(())

    def finding(self, resource: Resource, message: str, *path: str | int,
                severity: Severity | None = None) -> Finding:
        """A finding about `resource`, located at the field `path` (below the entry) when recorded."""
        return Finding(self.id, severity or self.severity, message, resource.address,
                       resource.location_of(*path))


def tagged(rule: type[Rule], text: str) -> str:
    """A plan warning as plan prints it: the rule id leading the text (`CD301: ...`)."""
    return f"{rule.id}: {text}"


_TAG = re.compile(r"(CD[0-9]{3}): ")


def tag_of(warning: str) -> str | None:
    """The rule id a plan warning leads with (see `tagged`), None when it has none."""
    found = _TAG.match(warning)
    return found.group(1) if found else None


def silenced(warning: str, lint_ignore: Mapping[str, str]) -> bool:
    """Whether a resource's `lint_ignore` silences this plan warning."""
    return tag_of(warning) in lint_ignore
