"""CD306 co-managed: the API's tags say another IaC tool manages it (moto), so plan warns that apply
will refuse it (or, with `co_managed: true`, that the other tool may put its CORS back)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from moto import mock_aws

from corsdeploy.aws import Clients
from corsdeploy.lint.plan_rules import CoManaged
from corsdeploy.model import AwsSettings
from corsdeploy.providers.http_api import HttpApiProvider
from tests.lint.http_support import orders
from tests.lint.plan_support import ignoring, lint_findings, planned_warnings, rule_ids_of


@pytest.fixture
def clients() -> Iterator[Clients]:
    with mock_aws():
        yield Clients(AwsSettings(region="eu-west-1"))


def api(clients: Clients, tags: dict[str, str]) -> None:
    clients.client("apigatewayv2").create_api(Name="orders", ProtocolType="HTTP", Tags=tags)


def test_bad_an_api_tagged_by_terraform_is_warned_about_with_the_id(clients: Clients) -> None:
    api(clients, {"ManagedBy": "terraform"})
    (warning,) = HttpApiProvider(clients).read(orders()).warnings
    assert warning.startswith("CD306: also managed by Terraform (tag ManagedBy=terraform): apply will refuse")
    (acknowledged,) = HttpApiProvider(clients).read(replace(orders(), co_managed=True)).warnings
    assert acknowledged.startswith("CD306: also managed by Terraform (tag ManagedBy=terraform); written")


def test_good_an_api_no_tool_claims_gives_no_warning(clients: Clients) -> None:
    api(clients, {"Team": "platform"})
    assert HttpApiProvider(clients).read(orders()).warnings == ()


def test_lint_ignore_silences_it_in_the_plan(clients: Clients) -> None:
    api(clients, {"aws:cloudformation:stack-name": "orders"})
    live = HttpApiProvider(clients).read(orders())
    assert rule_ids_of(planned_warnings(orders(), live)) == ["CD306"]
    assert planned_warnings(ignoring(orders(), CoManaged), live) == ()


def test_good_lint_alone_cannot_know_the_tags() -> None:
    assert lint_findings(CoManaged, replace(orders(), co_managed=True)) == []
