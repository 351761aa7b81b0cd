"""The planner on plain tables: equality is exactly S3's normalization, nothing cleverer."""
from __future__ import annotations

from typing import Any

import pytest

from corsdeploy.model import Kind, Live, Location, Resource
from corsdeploy.plan import Action, FieldChange, make_plan, plan_resource
from corsdeploy.shapes import rules_from_s3

GET_RULE = {"AllowedOrigins": ["https://a.example"], "AllowedMethods": ["GET", "PUT"],
            "AllowedHeaders": ["Content-Type", "X-Amz-Date"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 60}
STAR_RULE = {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}


def bucket(rules: list[dict[str, Any]] | None) -> Resource:
    cors = rules_from_s3(rules) if rules is not None else None
    return Resource(Kind.S3_BUCKET, "b", cors, Location("env.yaml", 3, 3))


def plan_one(desired: list[dict[str, Any]] | None, live: list[dict[str, Any]] | None):
    resource = bucket(desired)
    wire = {"CORSRules": live} if live is not None else None
    return make_plan("test", [resource], {resource.address: Live(resource.address, wire)}).changes[0]


@pytest.mark.parametrize(("desired", "live", "action"), [
    (None, None, Action.NOOP),
    ([GET_RULE], None, Action.CREATE),
    (None, [GET_RULE], Action.DELETE),
    ([GET_RULE], [GET_RULE], Action.NOOP),
    ([GET_RULE, STAR_RULE], [STAR_RULE, GET_RULE], Action.UPDATE),  # first match wins: order is behaviour
])
def test_action(desired, live, action) -> None:
    assert plan_one(desired, live).action is action


@pytest.mark.parametrize("live_rule", [
    {**GET_RULE, "AllowedMethods": ["PUT", "GET"]},                           # methods are a set
    {**GET_RULE, "AllowedOrigins": ["https://a.example", "https://a.example"]},  # origins are a set
    {**GET_RULE, "AllowedHeaders": ["x-amz-date", "content-type"]},           # header names: any case
    {**GET_RULE, "ExposeHeaders": ["etag"]},
])
def test_equivalent_spellings_are_no_op(live_rule: dict[str, Any]) -> None:
    assert plan_one([GET_RULE], [live_rule]).action is Action.NOOP


def test_empty_lists_equal_absent() -> None:
    desired = {**STAR_RULE, "AllowedHeaders": [], "ExposeHeaders": []}
    assert plan_one([desired], [STAR_RULE]).action is Action.NOOP


@pytest.mark.parametrize(("field", "live_value"), [
    ("MaxAgeSeconds", 61), ("ID", "other"), ("AllowedOrigins", ["https://A.example"]),
    ("AllowedMethods", ["GET"]),
])
def test_real_changes_are_never_hidden(field: str, live_value: Any) -> None:
    change = plan_one([GET_RULE], [{**GET_RULE, field: live_value}])
    assert change.action is Action.UPDATE
    assert [f.path for f in change.fields] == [f"CORSRules[0].{field}"]


def test_field_changes_carry_the_users_spelling() -> None:
    live = {**GET_RULE, "AllowedHeaders": ["content-type"]}
    change = plan_one([GET_RULE], [live])
    (field,) = change.fields
    assert (field.path, field.before, field.after) == (
        "CORSRules[0].AllowedHeaders", ["content-type"], GET_RULE["AllowedHeaders"])


def test_added_rule_is_one_field_change() -> None:
    change = plan_one([GET_RULE, STAR_RULE], [GET_RULE])
    assert [(f.path, f.before, f.after) for f in change.fields] == [("CORSRules[1]", None, STAR_RULE)]


def test_writes_keep_the_users_spelling_and_order() -> None:
    change = plan_one([GET_RULE, STAR_RULE], None)
    assert change.after == {"CORSRules": [GET_RULE, STAR_RULE]}


def test_summary_and_live_digest() -> None:
    resources = [bucket([GET_RULE]), Resource(Kind.S3_BUCKET, "c", None, Location("env.yaml", 9, 3))]
    lives = {r.address: Live(r.address, None) for r in resources}
    plan = make_plan("test", resources, lives)
    assert plan.summary == {"create": 1, "update": 0, "delete": 0, "no-op": 1}
    assert plan.has_changes
    # Same live state, same digest; a different live state, a different digest (saved plans).
    assert plan.changes[0].live_digest == plan.changes[1].live_digest
    assert plan_one([GET_RULE], [GET_RULE]).live_digest != plan.changes[0].live_digest


def test_field_changes_come_in_a_stable_order() -> None:
    live = {"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "DELETE"]}
    paths = [f.path for f in plan_one([{**GET_RULE, "ID": "x"}], [live]).fields]
    assert paths == sorted(paths)
    fields = ("AllowedHeaders", "AllowedMethods", "AllowedOrigins", "ExposeHeaders", "ID", "MaxAgeSeconds")
    assert paths == [f"CORSRules[0].{name}" for name in fields]


# --- A stage serving older CORS than the live configuration (Live.pending_deployment) ------------

PENDING = "stage 'prod' does not serve corsdeploy's deployment of the live CORS or a later one"


def plan_pending(desired: list[dict[str, Any]] | None, live: list[dict[str, Any]] | None,
                 pending: str | None = PENDING, warnings: tuple[str, ...] = ()):
    resource = bucket(desired)
    wire = {"CORSRules": live} if live is not None else None
    read = Live(resource.address, wire, warnings=warnings, pending_deployment=pending)
    return plan_resource(resource, read)


@pytest.mark.parametrize(("desired", "live"), [([GET_RULE], [GET_RULE]), (None, None)])
def test_a_pending_deployment_is_a_change_though_the_cors_is_equal(desired, live) -> None:
    change = plan_pending(desired, live, warnings=("another warning",))
    assert change.action is Action.UPDATE
    assert change.fields == (FieldChange("deployment", "pending", "current"),)
    assert change.warnings == ("another warning", PENDING)
    # before/after stay the service's own shape (the contract): only the action and fields say it.
    wire = {"CORSRules": live} if live is not None else None
    assert (change.before, change.after) == (wire, wire)


def test_a_pending_deployment_adds_nothing_to_a_cors_change() -> None:
    live = {**GET_RULE, "MaxAgeSeconds": 61}
    assert plan_pending([GET_RULE], [live]) == plan_pending([GET_RULE], [live], pending=None)
    assert plan_pending([GET_RULE], None).action is Action.CREATE
    assert plan_pending(None, [GET_RULE]).action is Action.DELETE


def test_a_current_deployment_is_no_op() -> None:
    assert plan_pending([GET_RULE], [GET_RULE], pending=None).action is Action.NOOP


def test_the_live_digest_is_of_the_cors_alone() -> None:
    assert plan_pending([GET_RULE], [GET_RULE]).live_digest == plan_one([GET_RULE], [GET_RULE]).live_digest
