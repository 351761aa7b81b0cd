"""The plan and apply views on plain data: JSON carries warnings, each warning shows once."""
from __future__ import annotations

import io
import json

from rich.console import Console

from corsdeploy.plan import Action, Change, Plan
from corsdeploy.render.json_view import apply_document, plan_document
from corsdeploy.render.text import render_apply, render_plan
from corsdeploy.results import ApplyResult, Outcome, Result, ResultError

PROXY = "ANY /{proxy+} uses a HTTP_PROXY integration: the backend must send Access-Control-Allow-Origin"
SEVERAL = "GET /items: with several origins the backend must send Access-Control-Allow-Origin"


def plan_with(*changes: Change) -> Plan:
    return Plan("test", changes)


def change(address: str, warnings: tuple[str, ...], action: Action = Action.UPDATE) -> Change:
    return Change(address, action, {"Cors": None}, {"Cors": {}}, warnings=warnings)


def text_of(plan: Plan) -> str:
    console = Console(file=io.StringIO(), width=200, no_color=True)
    render_plan(plan, console)
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_plan_json_lists_each_changes_warnings() -> None:
    plan = plan_with(change("rest_api.a", (PROXY, SEVERAL)), change("s3_bucket.b", (), Action.NOOP))
    document = json.loads(json.dumps(plan_document(plan)))
    assert [c["warnings"] for c in document["changes"]] == [[PROXY, SEVERAL], []]


def test_a_repeated_warning_is_listed_once_per_resource() -> None:
    plan = plan_with(change("rest_api.a", (PROXY, SEVERAL, PROXY, SEVERAL, PROXY)))
    assert plan_document(plan)["changes"][0]["warnings"] == [PROXY, SEVERAL]
    text = text_of(plan)
    assert text.count(PROXY) == 1 and text.count(SEVERAL) == 1


def test_the_same_warning_on_several_resources_is_shown_once_naming_them() -> None:
    plan = plan_with(change("rest_api.a", (PROXY,)), change("rest_api.b", (PROXY,)))
    text = text_of(plan)
    assert text.count(PROXY) == 1
    line = next(line for line in text.splitlines() if PROXY in line)
    assert "rest_api.a" in line and "rest_api.b" in line


def test_names_and_messages_are_printed_with_control_characters_escaped() -> None:
    hostile = "rest_api.evil\x1b[2J\x07"
    plan = plan_with(change(hostile, ("path /x\x1b]0;title\x07 is odd",)))
    text = text_of(plan)
    assert "\x1b" not in text and "\x07" not in text
    assert "rest_api.evil\\x1b[2J\\x07" in text
    result = ApplyResult("id", "test", (Result(hostile, Action.UPDATE, Outcome.FAILED,
                                               ResultError("Boom\r", "said \x1b[31mred")),))
    console = Console(file=io.StringIO(), width=200, no_color=True)
    render_apply(result, console)
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "\x1b" not in shown and "\r" not in shown
    assert json.loads(json.dumps(apply_document(result)))["results"][0]["address"] == hostile
