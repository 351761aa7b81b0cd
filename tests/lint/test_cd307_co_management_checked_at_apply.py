"""CD307 co-management-checked-at-apply: plan reads no tags of a bucket (or function URL) it would
write, and says that apply checks them; nothing to say when nothing changes (moto)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from corsdeploy.aws import Clients
from corsdeploy.lint.plan_rules import CoManagementCheckedAtApply
from corsdeploy.lint.rule import Severity
from corsdeploy.model import AwsSettings, Kind, Location, Resource
from corsdeploy.plan import plan_resource
from corsdeploy.providers.s3 import S3Provider
from corsdeploy.shapes import rules_from_s3
from tests.lint.plan_support import ignoring, lint_findings, planned_warnings, rule_ids_of

ASSETS = Resource(Kind.S3_BUCKET, "assets",
                  rules_from_s3([{"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET"]}]),
                  Location("environments/prod.yaml", 4, 3))


@pytest.fixture
def clients() -> Iterator[Clients]:
    with mock_aws():
        clients = Clients(AwsSettings(region="eu-west-1"))
        clients.client("s3").create_bucket(Bucket="assets",
                                           CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield clients


def test_bad_a_bucket_to_write_is_noted_with_the_id(clients: Clients) -> None:
    (warning,) = S3Provider(clients).read(ASSETS).warnings
    assert warning == ("CD307: whether another IaC tool also manages it is not checked at plan: apply reads "
                       "its tags just before writing")
    assert CoManagementCheckedAtApply.severity is Severity.INFO


def test_good_a_bucket_that_already_has_its_cors_is_not_noted(clients: Clients) -> None:
    provider = S3Provider(clients)
    live = provider.read(ASSETS)
    provider.write(ASSETS, live, plan_resource(ASSETS, live).after)
    assert provider.read(ASSETS).warnings == ()


def test_lint_ignore_silences_it_in_the_plan(clients: Clients) -> None:
    live = S3Provider(clients).read(ASSETS)
    assert rule_ids_of(planned_warnings(ASSETS, live)) == ["CD307"]
    assert planned_warnings(ignoring(ASSETS, CoManagementCheckedAtApply), live) == ()


def test_good_lint_reports_nothing_of_it() -> None:
    assert lint_findings(CoManagementCheckedAtApply, ASSETS) == []
