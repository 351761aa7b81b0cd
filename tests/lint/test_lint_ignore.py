"""`lint_ignore: {RULE: reason}`: an unknown rule is a validate error at the key; a known one silences
the rule's lint findings and its plan warnings (text, JSON and markdown alike) for that resource only."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from corsdeploy.config import load_file
from corsdeploy.errors import ConfigError
from corsdeploy.lint.engine import lint_environment
from corsdeploy.lint.plan_rules import AuthorizerCatchesPreflight, StageNotAutoDeployed
from corsdeploy.lint.rule import tagged
from corsdeploy.model import Live
from corsdeploy.plan import Plan, plan_resource
from corsdeploy.render.json_view import plan_document
from corsdeploy.render.markdown import plan_markdown
from corsdeploy.render.text import render_plan
from tests.lint.http_support import orders
from tests.lint.plan_support import ignoring

ENTRY = """\
rest_apis:
  legacy:
    stage: prod
    gateway_responses: []
    cors: {AllowOrigins: [https://a.example.com, https://b.example.com]}
    lint_ignore:
"""
STAGE = tagged(StageNotAutoDeployed, "stage 'prod' does not deploy automatically")
AUTHORIZER = tagged(AuthorizerCatchesPreflight, "route '$default' has a JWT authorizer")


def loaded(tmp_path: Path, ignored: str) -> Path:
    path = tmp_path / "prod.yaml"
    path.write_text(ENTRY + f"      {ignored}\n")
    return path


def test_an_unknown_rule_is_a_validate_error_at_its_key(tmp_path: Path) -> None:
    path = loaded(tmp_path, 'CD3022: "a typo"')
    with pytest.raises(ConfigError) as refused:
        load_file(path)
    (problem,) = refused.value.problems
    assert (problem.location and (problem.location.line, problem.location.column)) == (7, 7)
    assert str(problem).endswith("rest_api.legacy: lint_ignore.CD3022: no lint rule 'CD3022'; did you mean "
                                 "'CD302'?")


def test_an_id_like_nothing_known_lists_the_rules(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no lint rule 'wildcard'; the rules are CD001, .*CD302, .*CD308"):
        load_file(loaded(tmp_path, "wildcard: because"))


def test_a_known_rule_silences_its_findings_on_that_resource_only(tmp_path: Path) -> None:
    path = loaded(tmp_path, "CD302: the backend sends the header")
    other = ("  other:\n    stage: prod\n    gateway_responses: []\n"
             "    cors: {AllowOrigins: [https://a.example.com, https://b.example.com]}\n")
    path.write_text(path.read_text() + other)
    assert [f.address for f in lint_environment(load_file(path))] == ["rest_api.other"]


def text_of(plan: Plan) -> str:
    console = Console(file=io.StringIO(), width=300, no_color=True)
    render_plan(plan, console)
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_a_silenced_plan_warning_leaves_every_view_and_the_others_stay() -> None:
    resource = ignoring(orders(), StageNotAutoDeployed)
    change = plan_resource(resource, Live(resource.address, None, warnings=(STAGE, AUTHORIZER)))
    plan = Plan("prod", (change,))
    assert change.warnings == (AUTHORIZER,)
    assert json.loads(json.dumps(plan_document(plan)))["changes"][0]["warnings"] == [AUTHORIZER]
    for shown in (text_of(plan), plan_markdown(plan)):
        assert AUTHORIZER in shown and "CD304" not in shown
