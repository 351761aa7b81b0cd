"""Saved plans as files: what is written reads back as the same plan, and anything else is refused
with one clean line."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from corsdeploy import planfile
from corsdeploy.errors import CorsdeployError
from corsdeploy.model import AwsSettings, CorsRule, Environment, Kind, Location, Resource, frozen
from corsdeploy.plan import Action, Change, PlannedChange, Target
from corsdeploy.planfile import content_digest, plan_document, read_plan, write_plan
from corsdeploy.shapes import rule_from_cors, rules_from_s3

S3_RULES = [{"ID": "uploads", "AllowedOrigins": ["https://app.example"], "AllowedMethods": ["PUT"],
             "AllowedHeaders": ["Content-Type"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 3000},
            {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]
CORS = {"AllowOrigins": ["https://app.example"], "AllowMethods": ["GET"], "AllowCredentials": True,
        "MaxAge": 60}


def planned(env_file: Path) -> tuple[Environment, tuple[PlannedChange, ...], Target]:
    where = Location(str(env_file), 4, 3)
    resources = (
        Resource(Kind.S3_BUCKET, "assets", rules_from_s3(S3_RULES), where),
        Resource(Kind.REST_API, "legacy", rule_from_cors(CORS), where, frozen({
            "id": "a1b2c3", "stage": "prod", "resources": ["/items"], "gateway_responses": [],
            "adopt_preflights": True})),
        Resource(Kind.HTTP_API, "orders", None, where, frozen({"id": None, "stage": "live"})),
    )
    changes = (
        Change("s3_bucket.assets", Action.UPDATE, {"CORSRules": S3_RULES[1:]}, {"CORSRules": S3_RULES},
               ("a warning",), "d1" * 32),
        Change("rest_api.legacy", Action.CREATE, None,
               {"Cors": CORS, "resources": {}, "deployment": "current"}, (), "d2" * 32, "a1b2c3"),
        Change("http_api.orders", Action.UPDATE, {"AllowOrigins": ["https://a.example"]},
               {"AllowOrigins": ["https://a.example"]}, (), "d3" * 32, "x9y8z7", pending_deployment=True),
    )
    aws = AwsSettings(account_id="123456789012", region="eu-west-1", endpoint_url="http://127.0.0.1:4566")
    environment = Environment("prod", str(env_file), aws, resources, state="s3://ops/corsdeploy")
    target = Target("123456789012", "eu-west-1", (("s3", "http://127.0.0.1:4566"),))
    return environment, tuple(PlannedChange(r, c) for r, c in zip(resources, changes, strict=True)), target


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    env_file = tmp_path / "prod.yaml"
    env_file.write_text("s3_buckets: {}\n")
    write_plan(tmp_path / "plan.json", plan_document(*planned(env_file)))
    return tmp_path / "plan.json"


def test_a_saved_plan_reads_back_as_the_plan_that_was_written(saved: Path) -> None:
    environment, written, target = planned(saved.parent / "prod.yaml")
    plan = read_plan(saved)
    assert plan.planned == written
    assert plan.plan.target == target and plan.plan.environment == "prod"
    assert (plan.environment.aws, plan.environment.state) == (environment.aws, environment.state)
    assert plan.environment_digest.startswith("sha256:") and plan.created_at
    # The fields a reviewer of the file reads, and the pending deployment, which is one of them.
    fields = [[f["path"] for f in target["fields"]] for target in json.loads(saved.read_text())["targets"]]
    assert fields == [[f.path for f in item.change.fields] for item in written]
    assert fields[0] and fields[2] == ["deployment"]
    assert [c.fields for c in plan.plan.changes] == [c.change.fields for c in written]


def test_every_field_of_a_cors_rule_is_read_back() -> None:
    assert set(planfile._RULE_FIELDS) == {f.name for f in fields(CorsRule)}


def mutated(path: Path, mutate: Callable[[dict[str, Any]], object]) -> None:
    """The plan changed by `mutate`, its digest recomputed (a plan no corsdeploy wrote)."""
    document = json.loads(path.read_text())
    mutate(document)
    document["digest"] = content_digest(document)
    path.write_text(json.dumps(document))


@pytest.mark.parametrize("mutate", [
    lambda d: d["targets"][0]["resource"].update(kind="ftp_server"),
    lambda d: d["targets"][0]["resource"].update(name="other"),
    lambda d: d["targets"][0]["resource"].update(cors={"AllowedOrigins": "*"}),
    lambda d: d["targets"][0]["resource"]["cors"][0].update(max_age="forever"),
    lambda d: d["targets"][0]["resource"]["cors"][0].update(shell="rm -rf /"),
    lambda d: d["targets"][1]["resource"]["location"].update(line=True),
    lambda d: d["targets"][0].update(action="replace"),
    lambda d: d["targets"].append(d["targets"][0]),
    lambda d: d["target"].update(endpoints=[["s3"]]),
    lambda d: d.pop("environment"),
    # Found by benchmarks/fuzz_loader.py: a configuration that is not the service's shape crashed the view.
    lambda d: d["targets"][0]["after"]["CORSRules"][0].update(AllowedOrigins=float("nan")),
    lambda d: d["targets"][0]["before"].update(CORSRules=[7]),
], ids=["kind", "address", "cors-shape", "max-age", "rule-field", "location", "action", "twice", "endpoints",
        "environment", "after-origins", "before-rule"])
def test_a_plan_no_corsdeploy_wrote_is_refused_in_one_line(saved: Path, mutate: Callable[..., object]
                                                           ) -> None:
    mutated(saved, mutate)
    with pytest.raises(CorsdeployError) as refused:
        read_plan(saved)
    (problem,) = refused.value.problems
    assert "is not a valid saved plan" in problem.message and "\n" not in problem.message


# Found by benchmarks/fuzz_loader.py: a name thousands of characters long, or holding control
# characters, went into the message whole.
@pytest.mark.parametrize("name", ["x" * 5_000, "orders\x1b[2J\u202e"])
def test_a_refused_plan_shows_what_it_holds_bounded_and_escaped(saved: Path, name: str) -> None:
    mutated(saved, lambda d: d["targets"][0]["resource"].update(name=name))
    with pytest.raises(CorsdeployError) as refused:
        read_plan(saved)
    (problem,) = refused.value.problems
    assert problem.message.isprintable() and len(problem.message) < 1_000


@pytest.mark.parametrize(("content", "message"), [
    (b"{", "not JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
    (b'{"format_version": 1}', "is not a saved plan"),
    (b"\xff\xfe", "not JSON"),
])
def test_what_is_not_a_plan_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(content)
    with pytest.raises(CorsdeployError, match=message):
        read_plan(path)


def test_an_oversized_file_is_refused_without_reading_it_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    monkeypatch.setattr(planfile, "MAX_PLAN_BYTES", 10)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format": planfile.FORMAT, "padding": "x" * 100}))
    with pytest.raises(CorsdeployError, match="larger than"):
        read_plan(path)


def test_the_format_version_is_checked_before_the_digest(saved: Path) -> None:
    """A later corsdeploy may digest differently: say which version it is, not that it was edited."""
    document = json.loads(saved.read_text())
    saved.write_text(json.dumps({**document, "format_version": 2}))
    with pytest.raises(CorsdeployError, match="format version 2"):
        read_plan(saved)


def test_reformatting_a_plan_is_not_an_edit(saved: Path) -> None:
    saved.write_text(json.dumps(json.loads(saved.read_text())))
    assert read_plan(saved).plan.environment == "prod"
