"""CD302 rest-several-origins-on-actual-responses: plan names each method whose actual responses get
no Access-Control-Allow-Origin (read from the API); lint flags every REST entry with several origins,
which the file alone shows."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from corsdeploy.config import load_file
from corsdeploy.lint.engine import lint_environment
from corsdeploy.lint.plan_rules import RestSeveralOriginsOnActualResponses
from corsdeploy.model import Kind, Live, Location, Resource
from corsdeploy.services.rest_api import live_from_state
from corsdeploy.shapes import rule_from_cors
from tests.lint.plan_support import ignoring, lint_findings, planned_warnings, rule_ids_of
from tests.rest_support import rest
from tests.test_rest_rules import api

ONE = {"AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET"]}
TWO = {"AllowOrigins": ["https://app.example.com", "https://admin.example.com"], "AllowMethods": ["GET"]}
# A MOCK GET /items whose 200 carries no Access-Control-Allow-Origin of its own.
PLAIN_GET = {
    "httpMethod": "GET", "authorizationType": "NONE",
    "methodResponses": {"200": {"statusCode": "200"}},
    "methodIntegration": {"type": "MOCK", "integrationResponses": {"200": {"statusCode": "200"}}},
}


def read(cors: Mapping[str, Any]) -> Live:
    return live_from_state(rest(cors), api(cors, methods={"GET": PLAIN_GET}))


def test_bad_several_origins_warn_about_each_method_with_the_id() -> None:
    (warning,) = read(TWO).warnings
    assert warning.startswith("CD302: GET /items: with several origins API Gateway cannot choose one static "
                              "Access-Control-Allow-Origin for actual responses")


def test_good_one_origin_gives_no_warning() -> None:
    assert read(ONE).warnings == ()


def test_lint_ignore_silences_it_in_the_plan() -> None:
    live = read(TWO)
    assert rule_ids_of(planned_warnings(rest(TWO), live)) == ["CD302"]
    assert planned_warnings(ignoring(rest(TWO), RestSeveralOriginsOnActualResponses), live) == ()


def test_bad_lint_flags_a_rest_entry_with_several_origins_at_its_origins(tmp_path: Path) -> None:
    path = tmp_path / "prod.yaml"
    path.write_text("rest_apis:\n  legacy:\n    stage: prod\n    cors:\n"
                    "      AllowOrigins: [https://a.example.com, https://b.example.com]\n")
    (finding,) = lint_environment(load_file(path), [RestSeveralOriginsOnActualResponses])
    assert (finding.rule, finding.severity.value, finding.address) == ("CD302", "warning", "rest_api.legacy")
    assert finding.location is not None and (finding.location.line, finding.location.column) == (5, 21)
    assert finding.message.startswith("2 origins: API Gateway cannot send one static")


def test_good_lint_is_quiet_for_one_origin_a_repeated_one_and_other_kinds() -> None:
    assert lint_findings(RestSeveralOriginsOnActualResponses, rest(ONE)) == []
    twice = {"AllowOrigins": ["https://app.example.com", "https://app.example.com"]}
    assert lint_findings(RestSeveralOriginsOnActualResponses, rest(twice)) == []
    assert lint_findings(RestSeveralOriginsOnActualResponses, rest(None)) == []
    http = Resource(Kind.HTTP_API, "orders", rule_from_cors(TWO), Location("prod.yaml", 1, 1))
    assert lint_findings(RestSeveralOriginsOnActualResponses, http) == []
