"""Every lint rule, by id: CD001, the origin/credentials/S3 rules and the plan warnings' rules.

Ids are stable and unique: two classes claiming one id stop the import (a bug, caught by any test).
"""
from __future__ import annotations

from collections.abc import Iterable

from corsdeploy.lint.invalid import InvalidConfiguration
from corsdeploy.lint.plan_rules import PLAN_RULES
from corsdeploy.lint.rule import Rule
from corsdeploy.lint.rules import ALL_RULES


class DuplicateRuleError(Exception):
    """Two rule classes claim one id."""


def registry_of(classes: Iterable[type[Rule]]) -> dict[str, type[Rule]]:
    """The rules by id, sorted by id; a DuplicateRuleError when two classes claim one id."""
    found: dict[str, type[Rule]] = {}
    for rule_class in classes:
        if rule_class.id in found:
            raise DuplicateRuleError(f"lint rule id {rule_class.id} is claimed by both "
                                     f"{found[rule_class.id].__qualname__} and {rule_class.__qualname__}")
        found[rule_class.id] = rule_class
    return dict(sorted(found.items()))


_RULES = registry_of((InvalidConfiguration, *ALL_RULES, *PLAN_RULES))


def rule_ids() -> tuple[str, ...]:
    """Every rule id, sorted."""
    return tuple(_RULES)


def rule(rule_id: str) -> type[Rule]:
    """The rule with this id (KeyError when there is none)."""
    return _RULES[rule_id]


def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class, by id."""
    return tuple(_RULES.values())
