"""Plans a reviewer can read: snapshots of the text and markdown plans of every kind, and what they
must say (one insertion reads as one, a reordering as one, REST changes in words, no JSON lines)."""
from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import pytest
from rich.console import Console

from corsdeploy.model import CorsRule, Kind, frozen
from corsdeploy.plan import Action, Plan
from corsdeploy.render.diff import change_lines
from corsdeploy.render.lines import Line, Mark
from corsdeploy.render.markdown import plan_markdown
from corsdeploy.render.rest import drift_in_words
from corsdeploy.render.rules import REORDER_NOTE, match_rules, moved_rules
from corsdeploy.render.text import render_plan
from corsdeploy.services.rest_api.pattern import ALLOW_ORIGIN, METHOD_HEADER, preflight_method
from corsdeploy.services.rest_api.state import Method, MethodResponse
from corsdeploy.services.rest_api.view import DRIFT_KEY, preflight_view
from corsdeploy.shapes import rule_from_cors
from tests.plan_scenarios import (
    ADMIN,
    APP,
    CDN,
    ONE_ORIGIN,
    PARTNER,
    TWO_ORIGINS,
    cors_change,
    plan_of,
    rest_change,
    rest_state,
    s3_change,
)
from tests.snapshots import assert_snapshot

PENDING = "stage 'prod' does not serve corsdeploy's deployment of the live CORS or a later one"
http_api = functools.partial(cors_change, Kind.HTTP_API, "orders")
function_url = functools.partial(cors_change, Kind.FUNCTION_URL, "thumbnailer")


def _drifted_preflight() -> Plan:
    """A preflight of corsdeploy's that someone put behind IAM and gave an HTTP integration."""
    ours = preflight_method(rule_of(ONE_ORIGIN))
    assert ours.integration is not None
    drifted = replace(ours, authorization_type="AWS_IAM", api_key_required=True,
                      integration=replace(ours.integration, type="HTTP"))
    return plan_of(rest_change(rest_state(ONE_ORIGIN, preflight=drifted), ONE_ORIGIN))


def rule_of(cors: Mapping[str, Any]) -> CorsRule:
    (rule,) = rule_from_cors(cors).rules
    return rule


SCENARIOS: dict[str, Callable[[], Plan]] = {
    "s3_create": lambda: plan_of(s3_change("assets", None, [APP, ADMIN])),
    "s3_update_by_id": lambda: plan_of(s3_change(
        "assets", [{"ID": "app", **APP}, {"ID": "admin", **ADMIN}, {"ID": "old", **PARTNER}],
        [{"ID": "admin", **ADMIN, "AllowedMethods": ["GET", "POST"]},
         {"ID": "app", **APP, "MaxAgeSeconds": 600}, {"ID": "cdn", **CDN}])),
    "s3_delete": lambda: plan_of(s3_change("assets", [APP, ADMIN], None)),
    "s3_noop": lambda: plan_of(s3_change("assets", [APP, ADMIN], [APP, ADMIN])),
    "s3_insert": lambda: plan_of(s3_change("assets", [APP, ADMIN, CDN], [APP, PARTNER, ADMIN, CDN])),
    "s3_remove": lambda: plan_of(s3_change("assets", [APP, ADMIN, CDN], [APP, CDN])),
    "s3_reorder": lambda: plan_of(s3_change("assets", [APP, ADMIN, CDN], [CDN, APP, ADMIN])),
    "s3_edit": lambda: plan_of(s3_change(
        "assets", [APP, ADMIN],
        [{**APP, "AllowedHeaders": ["content-type", "X-Api-Key"], "AllowedOrigins": ["https://app.example.com",
                                                                                     "https://beta.example.com"]},
         ADMIN])),
    "http_api_create": lambda: plan_of(http_api(None, ONE_ORIGIN)),
    "http_api_update": lambda: plan_of(http_api(ONE_ORIGIN, TWO_ORIGINS)),
    "http_api_delete": lambda: plan_of(http_api(ONE_ORIGIN, None)),
    "http_api_noop": lambda: plan_of(http_api(ONE_ORIGIN, ONE_ORIGIN)),
    "http_api_pending": lambda: plan_of(http_api(ONE_ORIGIN, ONE_ORIGIN, PENDING)),
    "function_url_create": lambda: plan_of(function_url(None, TWO_ORIGINS)),
    "function_url_update": lambda: plan_of(function_url(
        TWO_ORIGINS, {**TWO_ORIGINS, "AllowMethods": ["GET", "POST"], "MaxAge": 60})),
    "function_url_delete": lambda: plan_of(function_url(TWO_ORIGINS, None)),
    "function_url_noop": lambda: plan_of(function_url(TWO_ORIGINS, TWO_ORIGINS)),
    "rest_api_create": lambda: plan_of(rest_change(rest_state(None), ONE_ORIGIN)),
    "rest_api_update": lambda: plan_of(rest_change(rest_state(ONE_ORIGIN), TWO_ORIGINS)),
    "rest_api_delete": lambda: plan_of(rest_change(rest_state(ONE_ORIGIN), None)),
    "rest_api_noop": lambda: plan_of(rest_change(rest_state(ONE_ORIGIN), ONE_ORIGIN)),
    "rest_api_pending": lambda: plan_of(rest_change(rest_state(ONE_ORIGIN, deployed=False), ONE_ORIGIN)),
    "rest_api_drift": _drifted_preflight,
    "every_kind": lambda: plan_of(
        s3_change("assets", [APP, ADMIN], [APP, PARTNER, ADMIN]),
        s3_change("logs", [APP], [APP]),
        http_api(ONE_ORIGIN, TWO_ORIGINS),
        rest_change(rest_state(ONE_ORIGIN), TWO_ORIGINS),
        function_url(None, TWO_ORIGINS),
        environment="prod"),
}


def text_of(plan: Plan) -> str:
    console = Console(file=io.StringIO(), highlight=False, soft_wrap=True, no_color=True)
    render_plan(plan, console)
    return console.file.getvalue()  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", SCENARIOS)
def test_text_plan_snapshot(name: str) -> None:
    assert_snapshot(f"plans/{name}.txt", text_of(SCENARIOS[name]()))


@pytest.mark.parametrize("name", SCENARIOS)
def test_markdown_plan_snapshot(name: str) -> None:
    assert_snapshot(f"plans/{name}.md", plan_markdown(SCENARIOS[name]()))


@pytest.mark.parametrize("name", SCENARIOS)
def test_nested_values_are_blocks_never_json_lines(name: str) -> None:
    for line in text_of(SCENARIOS[name]()).splitlines():
        assert "{" not in line.replace("{id}", ""), line
        # A warning is one line of prose by design; only the change lines must stay short.
        assert len(line) < 240 or line.startswith("Warning: "), line


def headings(name: str) -> list[Line]:
    """The lines that stand for a whole rule (or REST part), not its fields."""
    (change,) = [c for c in SCENARIOS[name]().changes if c.action is not Action.NOOP]
    return [line for line in change_lines(change) if line.depth == 0 and line.mark is not Mark.NOTE]


# --- S3 rules -------------------------------------------------------------------------------------


def test_an_inserted_rule_without_ids_is_one_insertion() -> None:
    (line,) = headings("s3_insert")
    assert line.mark is Mark.ADD and line.text.startswith("rule 1 ")


def test_a_removed_rule_without_ids_is_one_removal() -> None:
    (line,) = headings("s3_remove")
    assert line.mark is Mark.REMOVE and line.text.startswith("rule 1 ")


def test_a_reordering_says_it_changes_which_rule_answers() -> None:
    (change,) = SCENARIOS["s3_reorder"]().changes
    lines = change_lines(change)
    assert lines[0] == Line(Mark.NOTE, 0, REORDER_NOTE)
    (moved,) = headings("s3_reorder")
    assert moved.mark is Mark.CHANGE and "moved up from rule 2" in moved.text


def test_rules_with_ids_are_matched_by_id_wherever_they_move() -> None:
    texts = [line.text for line in headings("s3_update_by_id")]
    assert any(t.startswith('rule 0 (ID "admin"), moved up from rule 1') for t in texts)
    assert any(t.startswith('rule 2 (ID "old"), removed') for t in texts)
    assert any(t.startswith('rule 2 (ID "cdn"), new') for t in texts)
    assert not any('"app"' in t for t in texts if "moved" in t)


def test_two_different_ids_never_pair_even_when_the_rules_agree() -> None:
    assert match_rules([{"ID": "a", **APP}], [{"ID": "b", **APP}]) == {}
    assert match_rules([APP], [{"ID": "b", **APP}]) == {0: 0}


def test_an_edited_rule_without_ids_pairs_with_the_rule_it_was() -> None:
    edited = {**ADMIN, "AllowedMethods": ["GET"]}
    assert match_rules([APP, ADMIN, CDN], [APP, PARTNER, edited, CDN]) == {0: 0, 1: 2, 2: 3}


def test_only_rules_whose_relative_order_changes_count_as_moved() -> None:
    assert moved_rules({0: 0, 1: 2, 2: 3}) == set()  # shifted by an insertion
    assert moved_rules({0: 1, 1: 2, 2: 0}) == {2}


def test_spellings_the_service_treats_alike_are_not_shown_as_changes() -> None:
    (change,) = SCENARIOS["s3_edit"]().changes
    shown = [line.text for line in change_lines(change)]
    assert '"X-Api-Key"' in shown and '"content-type"' not in shown and '"Content-Type"' not in shown


# --- REST APIs ------------------------------------------------------------------------------------


CODES = re.compile(r"\(method\)|operationName|authorizationType|apiKeyRequired|contentHandling|\bNone\b|"
                   r"gatewayresponse\.|method\.response\.|method\.request\.")


@pytest.mark.parametrize("name", [name for name in SCENARIOS if name.startswith(("rest_api", "every"))])
def test_rest_changes_are_said_in_words(name: str) -> None:
    text = text_of(SCENARIOS[name]())
    assert not CODES.search(text), CODES.search(text)


def test_a_drifted_preflight_says_how_it_differs() -> None:
    text = text_of(SCENARIOS["rest_api_drift"]())
    assert "requires AWS_IAM authorization" in text and "requires an API key" in text
    assert "its integration is HTTP, not a MOCK answer" in text


def test_alike_rest_changes_are_told_once() -> None:
    texts = [line.text for line in headings("rest_api_update")]
    assert "OPTIONS /items, /items/{id}: the preflight method changes:" in texts
    assert "gateway responses DEFAULT_4XX, DEFAULT_5XX change:" in texts


def drifted_preflights() -> list[Method]:
    """corsdeploy's OPTIONS method changed in every way view.preflight_view tells apart."""
    one, several = preflight_method(rule_of(ONE_ORIGIN)), preflight_method(rule_of(TWO_ORIGINS))
    assert one.integration is not None and several.integration is not None
    answer = several.integration.responses["200"]
    mixed = replace(answer, parameters=frozen({**answer.parameters, METHOD_HEADER + ALLOW_ORIGIN: "'*'"}),
                    templates=frozen({**answer.templates, "text/html": "<p/>"}))
    return [
        replace(one, operation_name=None, authorization_type="AWS_IAM", api_key_required=True),
        replace(one, operation_name="getItems", integration=None),
        replace(one, integration=replace(one.integration, type="HTTP_PROXY")),
        replace(one, integration=replace(one.integration, request_templates=frozen(), content_handling=None)),
        replace(one, responses=frozen({"200": MethodResponse("200")})),
        replace(several, integration=replace(several.integration, responses=frozen({"200": mixed}))),
    ]


@pytest.mark.parametrize("method", drifted_preflights())
def test_every_way_a_preflight_can_drift_is_said_in_words(method: Method) -> None:
    drift = preflight_view(method)[DRIFT_KEY]
    for fragment, words in zip(drift.split("; "), drift_in_words(drift), strict=True):
        assert words != fragment and not CODES.search(words), (fragment, words)


def test_values_that_look_like_console_markup_are_printed_as_they_are() -> None:
    rule = {**APP, "AllowedHeaders": ["[bold]X-Token[/bold]", "[/]"]}
    text = text_of(plan_of(s3_change("assets", None, [rule])))
    assert '+ AllowedHeaders: ["[bold]X-Token[/bold]", "[/]"]' in text
