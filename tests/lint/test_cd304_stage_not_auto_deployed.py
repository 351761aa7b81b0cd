"""CD304 stage-not-auto-deployed: when the CORS of an HTTP API changes, each stage without automatic
deployment that corsdeploy does not deploy keeps serving the old CORS; plan reads the stages (moto)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from corsdeploy.aws import Clients
from corsdeploy.lint.plan_rules import StageNotAutoDeployed
from corsdeploy.model import AwsSettings
from corsdeploy.providers.http_api import HttpApiProvider
from corsdeploy.services.http_api import Stage, stage_warnings
from tests.lint.http_support import api_with_stages, orders
from tests.lint.plan_support import ignoring, lint_findings, planned_warnings, rule_ids_of


@pytest.fixture
def clients() -> Iterator[Clients]:
    with mock_aws():
        yield Clients(AwsSettings(region="eu-west-1"))


def test_bad_a_manual_stage_not_named_is_warned_about_with_the_id(clients: Clients) -> None:
    api_with_stages(clients, prod=False)
    (warning,) = HttpApiProvider(clients).read(orders()).warnings
    assert warning.startswith("CD304: stage 'prod' does not deploy automatically: it serves the old CORS "
                              "until the API is deployed to it")


def test_good_a_manual_stage_named_in_stage_is_deployed_so_not_warned_about() -> None:
    # moto has no GetDeployments, which reading an entry with `stage:` needs: the warning's own code.
    stages = [Stage("prod", auto_deploy=False), Stage("dev", auto_deploy=True)]
    assert stage_warnings(orders(stage="prod"), stages, changes=True) == ()


def test_good_without_a_change_no_stage_is_warned_about() -> None:
    assert stage_warnings(orders(), [Stage("prod", auto_deploy=False)], changes=False) == ()


def test_lint_ignore_silences_it_in_the_plan(clients: Clients) -> None:
    api_with_stages(clients, prod=False)
    live = HttpApiProvider(clients).read(orders())
    assert rule_ids_of(planned_warnings(orders(), live)) == ["CD304"]
    assert planned_warnings(ignoring(orders(), StageNotAutoDeployed), live) == ()


def test_good_lint_alone_cannot_know_the_stages() -> None:
    assert lint_findings(StageNotAutoDeployed, orders()) == []
