"""CD308 rest-stage-serves-other-changes: the REST stage serves a deployment that differs from the
API's draft beyond corsdeploy's keys, so the redeployment after a change ships those changes too.
moto's export is not AWS's, so GetExport is answered by the documented-shape fake of the snapshot
tests; everything else is moto."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from corsdeploy.aws import Clients
from corsdeploy.lint.plan_rules import RestStageServesOtherChanges
from corsdeploy.model import AwsSettings
from corsdeploy.providers.rest_api import RestApiProvider
from tests.lint.plan_support import ignoring, lint_findings, planned_warnings, rule_ids_of
from tests.rest_support import build_api, rest
from tests.test_rest_snapshot import FakeExport, aws_export

CORS = {"AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET"]}
LEGACY = rest(CORS, resources=["/items"])


@pytest.fixture
def clients() -> Iterator[Clients]:
    with mock_aws():
        yield Clients(AwsSettings(region="eu-west-1"))


def serving_without_post(clients: Clients) -> None:
    """The stage serves the API from before someone added POST /items to the draft."""
    client = clients.client("apigateway")
    deployed = aws_export(client, build_api(client))
    del deployed["paths"]["/items"]["post"]
    FakeExport(client, lambda: deployed)


def test_bad_an_undeployed_change_by_someone_else_is_warned_about_with_the_id(clients: Clients) -> None:
    serving_without_post(clients)
    (warning,) = RestApiProvider(clients).read(LEGACY).warnings
    assert warning.startswith("CD308: stage 'prod' serves a deployment that differs from the API's draft "
                              "beyond corsdeploy's CORS keys (POST /items is new)")


def test_bad_an_export_that_cannot_be_read_is_warned_about_with_the_id(clients: Clients) -> None:
    client = clients.client("apigateway")
    build_api(client)
    FakeExport(client, dict, error="AccessDeniedException")
    (warning,) = RestApiProvider(clients).read(LEGACY).warnings
    assert warning.startswith("CD308: could not compare stage 'prod' with the API's draft")


def test_good_a_stage_serving_its_draft_gives_no_warning(clients: Clients) -> None:
    client = clients.client("apigateway")
    deployed = aws_export(client, build_api(client))
    FakeExport(client, lambda: deployed)
    assert RestApiProvider(clients).read(LEGACY).warnings == ()


def test_lint_ignore_silences_it_in_the_plan(clients: Clients) -> None:
    serving_without_post(clients)
    live = RestApiProvider(clients).read(LEGACY)
    assert rule_ids_of(planned_warnings(LEGACY, live)) == ["CD308"]
    assert planned_warnings(ignoring(LEGACY, RestStageServesOtherChanges), live) == ()


def test_good_lint_alone_cannot_know_what_the_stage_serves() -> None:
    assert lint_findings(RestStageServesOtherChanges, LEGACY) == []
