"""CD305 stage-setting-not-needed: `stage:` names an HTTP API stage that deploys automatically, so
corsdeploy has nothing to deploy there; plan reads the stage (moto)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from corsdeploy.aws import Clients
from corsdeploy.lint.plan_rules import StageSettingNotNeeded
from corsdeploy.lint.rule import Severity
from corsdeploy.model import AwsSettings
from corsdeploy.providers.http_api import HttpApiProvider
from corsdeploy.services.http_api import Stage, stage_warnings
from tests.lint.http_support import api_with_stages, orders
from tests.lint.plan_support import ignoring, lint_findings, planned_warnings, rule_ids_of


@pytest.fixture
def clients() -> Iterator[Clients]:
    with mock_aws():
        yield Clients(AwsSettings(region="eu-west-1"))


def test_bad_stage_naming_an_auto_deploy_stage_is_noted_with_the_id(clients: Clients) -> None:
    api_with_stages(clients, **{"$default": True})
    (warning,) = HttpApiProvider(clients).read(orders(stage="$default")).warnings
    assert warning == ("CD305: stage '$default' deploys automatically: `stage: $default` is not needed, and "
                       "corsdeploy creates no deployment for it")
    assert StageSettingNotNeeded.severity is Severity.INFO


def test_good_stage_naming_a_manual_stage_is_needed() -> None:
    # moto has no GetDeployments, which reading a manual stage named in `stage:` needs: the warning's code.
    assert stage_warnings(orders(stage="prod"), [Stage("prod", auto_deploy=False)], changes=True) == ()


def test_lint_ignore_silences_it_in_the_plan(clients: Clients) -> None:
    api_with_stages(clients, **{"$default": True})
    resource = orders(stage="$default")
    live = HttpApiProvider(clients).read(resource)
    assert rule_ids_of(planned_warnings(resource, live)) == ["CD305"]
    assert planned_warnings(ignoring(resource, StageSettingNotNeeded), live) == ()


def test_good_lint_alone_cannot_know_the_stages() -> None:
    assert lint_findings(StageSettingNotNeeded, orders(stage="$default")) == []
