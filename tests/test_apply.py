"""apply on moto: backup before every write, verify by reading back, one failure stops nothing."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any

import boto3
import pytest
from moto import mock_aws

from corsdeploy import apply
from corsdeploy.apply import Writer, apply_changes
from corsdeploy.aws import Clients
from corsdeploy.live import read_live
from corsdeploy.model import AwsSettings, Kind, Live, Location, Resource
from corsdeploy.plan import Action, make_plan, planned_changes
from corsdeploy.providers.s3 import S3Provider
from corsdeploy.results import Outcome
from corsdeploy.shapes import rules_from_s3
from corsdeploy.state import Backups, FolderStore

OLD = [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "DELETE"]}]
NEW = [{"AllowedOrigins": ["https://app.example"], "AllowedMethods": ["GET"]}]


def bucket(name: str, rules: list[dict[str, Any]] | None = NEW) -> Resource:
    return Resource(Kind.S3_BUCKET, name, rules_from_s3(rules) if rules else None, Location("e.yaml", 1, 1))


@pytest.fixture
def s3() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name="eu-west-1")
        for name in ("one", "two"):
            client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        client.put_bucket_cors(Bucket="one", CORSConfiguration={"CORSRules": OLD})
        yield client


def folder_backups(root: Path) -> Backups:
    """Backups in the state folder `root` (its parent is the trusted base)."""
    return Backups(FolderStore(PurePosixPath(root.name), base=root.parent))


def run_apply(resources: list[Resource], provider: S3Provider, root: Path, **writer_options: Any):
    providers = {Kind.S3_BUCKET: provider}
    lives = read_live(resources, providers)
    plan = make_plan("test", resources, lives)
    writer = Writer("20261123T000000Z-beef", "test", folder_backups(root), providers, **writer_options)
    return apply_changes(planned_changes(resources, plan), lives, writer)


class BackupCheckingProvider(S3Provider):
    """Records, at the moment of each write, what the backup file held."""

    def __init__(self, clients: Clients, backups: Backups) -> None:
        super().__init__(clients)
        self.backups = backups
        self.seen: dict[str, Any] = {}

    def write(self, resource: Resource, live: Live, wire: Mapping[str, Any] | None) -> None:
        path = Path(self.backups.where("20261123T000000Z-beef", resource.address))
        self.seen[resource.address] = json.loads(path.read_text())["configuration"]
        super().write(resource, live, wire)


def test_the_live_configuration_is_backed_up_before_it_is_overwritten(s3: Any, tmp_path: Path) -> None:
    provider = BackupCheckingProvider(Clients(AwsSettings(region="eu-west-1")), folder_backups(tmp_path))
    result = run_apply([bucket("one"), bucket("two")], provider, tmp_path)
    assert [r.outcome for r in result.results] == [Outcome.APPLIED, Outcome.APPLIED]
    # What was on the bucket before the write was on disk before the write.
    assert provider.seen == {"s3_bucket.one": {"CORSRules": OLD}, "s3_bucket.two": None}
    assert s3.get_bucket_cors(Bucket="one")["CORSRules"] == NEW


def test_no_op_resources_are_skipped_and_not_backed_up(s3: Any, tmp_path: Path) -> None:
    provider = S3Provider(Clients(AwsSettings(region="eu-west-1")))
    result = run_apply([bucket("one", OLD)], provider, tmp_path)
    assert [(r.action, r.outcome) for r in result.results] == [(Action.NOOP, Outcome.SKIPPED)]
    assert not (tmp_path / "backups").exists()
    assert result.summary == {"applied": 0, "failed": 0, "no-op": 1}


class LaggingProvider(S3Provider):
    """S3 right after a put: the next `stale_reads` reads still return the old configuration."""

    def __init__(self, clients: Clients, stale_reads: int) -> None:
        super().__init__(clients)
        self.stale_reads = stale_reads
        self.previous: Live | None = None

    def write(self, resource: Resource, live: Live, wire: Mapping[str, Any] | None) -> None:
        self.previous = live
        super().write(resource, live, wire)

    def read(self, resource: Resource) -> Live:
        if self.previous is not None and self.stale_reads > 0:
            self.stale_reads -= 1
            return self.previous
        return super().read(resource)


def test_verification_waits_for_a_lagging_read(s3: Any, tmp_path: Path) -> None:
    sleeps: list[float] = []
    provider = LaggingProvider(Clients(AwsSettings(region="eu-west-1")), stale_reads=2)
    result = run_apply([bucket("one")], provider, tmp_path, sleep=sleeps.append)
    assert result.results[0].outcome is Outcome.APPLIED
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0]


def test_verification_gives_up_and_reports_failure(s3: Any, tmp_path: Path) -> None:
    provider = LaggingProvider(Clients(AwsSettings(region="eu-west-1")), stale_reads=10**6)
    result = run_apply([bucket("one")], provider, tmp_path, sleep=lambda _s: None, verify_timeout=1.0)
    (item,) = result.results
    assert item.outcome is Outcome.FAILED and item.error is not None
    assert item.error.code == "VerificationFailed"


class UndeployedProvider(S3Provider):
    """A write the service took but whose stage still serves the old deployment (HTTP API `stage:`)."""

    def read(self, resource: Resource) -> Live:
        live = super().read(resource)
        return replace(live, pending_deployment="the stage serves an older deployment")


def test_verification_waits_for_a_pending_deployment_too(s3: Any, tmp_path: Path) -> None:
    """A configuration that matches but is not deployed has not converged: apply must not say applied."""
    provider = UndeployedProvider(Clients(AwsSettings(region="eu-west-1")))
    result = run_apply([bucket("one")], provider, tmp_path, sleep=lambda _s: None, verify_timeout=1.0)
    (item,) = result.results
    assert item.outcome is Outcome.FAILED and item.error is not None
    assert item.error.code == "VerificationFailed"


def test_one_failure_does_not_stop_the_others(s3: Any, tmp_path: Path) -> None:
    provider = S3Provider(Clients(AwsSettings(region="eu-west-1")))
    resources = [bucket("one"), bucket("two")]
    lives = read_live(resources, {Kind.S3_BUCKET: provider})
    plan = make_plan("test", resources, lives)
    s3.delete_bucket_cors(Bucket="one")
    s3.delete_bucket(Bucket="one")  # gone between plan and apply
    writer = Writer("20261123T000000Z-beef", "test", folder_backups(tmp_path), {Kind.S3_BUCKET: provider})
    result = apply_changes(planned_changes(resources, plan), lives, writer)
    failed, applied = result.results
    assert failed.outcome is Outcome.FAILED and applied.outcome is Outcome.APPLIED
    assert failed.address == "s3_bucket.one"
    assert failed.error is not None and failed.error.code == "NoSuchBucket"
    assert "does not exist" in (failed.error.message if failed.error else "")
    assert not result.ok


def test_a_backup_that_cannot_be_written_fails_the_resource_and_changes_nothing(s3: Any, tmp_path: Path
                                                                                ) -> None:
    blocked = tmp_path / "state"
    blocked.write_text("a file where the state folder should be")
    provider = S3Provider(Clients(AwsSettings(region="eu-west-1")))
    result = run_apply([bucket("one"), bucket("two", OLD)], provider, blocked)
    first, second = result.results
    assert first.outcome is Outcome.FAILED and first.error is not None
    assert first.error.code == "BackupFailed"
    assert "backup could not be written" in first.error.message
    assert str(blocked) in first.error.message  # where, and why: the OS's own reason follows
    assert "nothing was changed" in first.error.message
    assert second.outcome is Outcome.FAILED
    assert s3.get_bucket_cors(Bucket="one")["CORSRules"] == OLD
    assert result.backup_location is None


def test_the_backup_folder_is_known_only_when_a_backup_was_written(s3: Any, tmp_path: Path) -> None:
    provider = S3Provider(Clients(AwsSettings(region="eu-west-1")))
    result = run_apply([bucket("one")], provider, tmp_path)
    assert result.backup_location == str(tmp_path / "backups" / "20261123T000000Z-beef")
    assert Path(result.backup_location).is_dir()


def test_verification_waits_up_to_two_minutes_for_s3(s3: Any, tmp_path: Path) -> None:
    # S3 reads after a write may lag; Terraform polls for up to 2 minutes (facts §7.6).
    slept: list[float] = []
    provider = LaggingProvider(Clients(AwsSettings(region="eu-west-1")), stale_reads=16)
    result = run_apply([bucket("one")], provider, tmp_path, sleep=slept.append)
    assert 90 < sum(slept) <= 120
    assert result.results[0].outcome is Outcome.APPLIED
    s3.put_bucket_cors(Bucket="one", CORSConfiguration={"CORSRules": OLD})
    provider = LaggingProvider(Clients(AwsSettings(region="eu-west-1")), stale_reads=10**6)
    slept.clear()
    result = run_apply([bucket("one")], provider, tmp_path, sleep=slept.append)
    assert result.results[0].outcome is Outcome.FAILED
    assert 120 <= sum(slept) < 130


class CountingProvider(S3Provider):
    """Records how many writes run at the same time."""

    def __init__(self, clients: Clients) -> None:
        super().__init__(clients)
        self.lock = threading.Lock()
        self.active = self.most = 0

    def write(self, resource: Resource, live: Live, wire: Mapping[str, Any] | None) -> None:
        with self.lock:
            self.active += 1
            self.most = max(self.most, self.active)
        time.sleep(0.02)
        super().write(resource, live, wire)
        with self.lock:
            self.active -= 1


def test_a_kind_with_a_deployment_quota_is_written_a_few_at_a_time(
        s3: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """REST APIs deploy once per 5 s per account: writing more at once only delays every deployment."""
    monkeypatch.setattr(apply, "CONCURRENT_WRITES", {Kind.S3_BUCKET: 2})
    names = [f"bucket-{i}" for i in range(6)]
    for name in names:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    provider = CountingProvider(Clients(AwsSettings(region="eu-west-1")))
    result = run_apply([bucket(name) for name in names], provider, tmp_path)
    assert [r.outcome for r in result.results] == [Outcome.APPLIED] * 6
    assert provider.most <= 2


def test_a_write_of_another_configuration_than_the_files_is_verified_against_what_was_written(
        s3: Any, tmp_path: Path) -> None:
    """A saved plan's or a backup's configuration differs from what the file asks now: the write
    converges as soon as the service returns what was written."""
    provider = S3Provider(Clients(AwsSettings(region="eu-west-1")))
    slept: list[float] = []
    writer = Writer("20261123T000000Z-beef", "test", folder_backups(tmp_path), {Kind.S3_BUCKET: provider},
                    sleep=slept.append, verify_timeout=1.0)
    resource = bucket("one", NEW)
    other = {"CORSRules": [{"AllowedOrigins": ["https://other.example"], "AllowedMethods": ["PUT"]}]}
    writer.replace(resource, provider.read(resource), other)
    assert s3.get_bucket_cors(Bucket="one")["CORSRules"] == other["CORSRules"]
    assert slept == []
