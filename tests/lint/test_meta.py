"""Meta-tests of the rule registry, as cfn-lint has them: every rule has a unique stable id, a
kebab-case name, a severity, a description, a fix hint, and its own test file with good and bad cases."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from corsdeploy.config.services import CREDENTIALS_WITH_WILDCARD_ORIGIN, S3_LIMITS
from corsdeploy.lint.invalid import InvalidConfiguration
from corsdeploy.lint.plan_rules import PLAN_RULES
from corsdeploy.lint.registry import DuplicateRuleError, all_rules, registry_of, rule, rule_ids
from corsdeploy.lint.rule import Rule, Severity

HERE = Path(__file__).resolve().parent
RULES = all_rules()
ID = re.compile(r"CD[0-9]{3}")
KEBAB = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def by_id(rule_class: type[Rule]) -> str:
    return rule_class.id


@pytest.mark.parametrize("rule_class", RULES, ids=by_id)
def test_every_rule_says_what_it_is(rule_class: type[Rule]) -> None:
    assert ID.fullmatch(rule_class.id), rule_class.id
    assert KEBAB.fullmatch(rule_class.name), rule_class.name
    assert isinstance(rule_class.severity, Severity)
    for text in (rule_class.description, rule_class.fix):
        assert isinstance(text, str) and len(text.split()) >= 4 and text.endswith("."), text


def test_ids_and_names_are_unique_and_every_class_is_registered_once() -> None:
    assert len({r.id for r in RULES}) == len({r.name for r in RULES}) == len(RULES)
    assert rule_ids() == tuple(sorted(r.id for r in RULES))
    assert all(rule(r.id) is r for r in RULES)
    assert {InvalidConfiguration, *PLAN_RULES} <= set(RULES)


def test_the_registry_refuses_two_classes_claiming_one_id() -> None:
    class Again(Rule):
        id = InvalidConfiguration.id
        name = "again"

    with pytest.raises(DuplicateRuleError, match="CD001 is claimed by both InvalidConfiguration and "):
        registry_of([InvalidConfiguration, Again])


def test_an_unknown_id_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        rule("CD999")


def test_validation_problems_name_registered_rules() -> None:
    assert {CREDENTIALS_WITH_WILDCARD_ORIGIN, S3_LIMITS} <= set(rule_ids())


def _identifiers(tree: ast.Module) -> set[str]:
    """Test function names and assigned names (GOOD = [...] tables count too), lowercased."""
    names = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    names |= {target.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
              for target in node.targets if isinstance(target, ast.Name)}
    return {name.lower() for name in names}


@pytest.mark.parametrize("rule_class", RULES, ids=by_id)
def test_every_rule_has_its_own_test_file_with_good_and_bad_cases(rule_class: type[Rule]) -> None:
    files = sorted(HERE.glob(f"test_{rule_class.id.lower()}_*.py"))
    assert files, f"no tests/lint/test_{rule_class.id.lower()}_<name>.py for {rule_class.id}"
    for file in files:
        text = file.read_text(encoding="utf-8")
        assert rule_class.id in text or rule_class.__name__ in text, f"{file.name} does not name its rule"
        names = _identifiers(ast.parse(text))
        assert any("good" in name for name in names), f"{file.name} has no good case"
        assert any("bad" in name for name in names), f"{file.name} has no bad case"
