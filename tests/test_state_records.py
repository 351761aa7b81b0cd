"""Backups, history and locks on both stores (a folder; S3 on moto in-process)."""
from __future__ import annotations

import getpass
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto import mock_aws

from corsdeploy.aws import Clients
from corsdeploy.errors import BackupError, CorsdeployError, LockError
from corsdeploy.model import AwsSettings
from corsdeploy.plan import Action, Change, Plan
from corsdeploy.providers.state_s3 import S3Store
from corsdeploy.state import (
    Backups,
    FolderStore,
    History,
    Key,
    Locks,
    RunOutcome,
    Store,
    environment_lock,
    started_record,
)

APPLY_ID = "20261123T000000Z-beef"
LATER_ID = "20261123T000001Z-0001"
CALLER = "arn:aws:sts::123456789012:assumed-role/deployer/ci"
BUCKET = "ops-state"


@pytest.fixture
def s3_clients() -> Iterator[Clients]:
    with mock_aws():
        clients = Clients(AwsSettings(region="eu-west-1"))
        clients.client("s3").create_bucket(Bucket=BUCKET,
                                           CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield clients


@pytest.fixture(params=["folder", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "folder":
        return FolderStore(base=tmp_path)
    return S3Store(request.getfixturevalue("s3_clients"), BUCKET, "corsdeploy")


# --- backups -----------------------------------------------------------------------------------------

def test_backups_are_saved_and_loaded_by_apply_id(store: Store) -> None:
    backups = Backups(store)
    rules = {"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]}
    where = backups.save(APPLY_ID, "dev", "s3_bucket.assets", rules)
    backups.save(APPLY_ID, "dev", "http_api.Orders/v2", None)
    backups.save(LATER_ID, "dev", "s3_bucket.assets", None)
    assert where == store.where(Key(("backups", APPLY_ID, "s3_bucket.assets.json")))
    assert backups.location(APPLY_ID) == store.where(Key(("backups", APPLY_ID)))
    assert backups.load(APPLY_ID) == {"s3_bucket.assets": rules, "http_api.Orders/v2": None}
    assert backups.load(APPLY_ID, environment="dev") == backups.load(APPLY_ID)
    assert backups.load("20261123T000002Z-0002") == {}
    saved = json.loads(store.get(Key(("backups", APPLY_ID, "s3_bucket.assets.json"))).data)  # type: ignore[union-attr]
    assert set(saved) == {"format_version", "apply_id", "environment", "address", "saved_at", "configuration"}


def test_backups_of_another_environment_are_refused_when_asked_for_one(store: Store) -> None:
    Backups(store).save(APPLY_ID, "staging", "s3_bucket.assets", None)
    with pytest.raises(CorsdeployError, match="belongs to environment 'staging', not 'prod'"):
        Backups(store).load(APPLY_ID, environment="prod")


def test_a_backup_of_a_hostile_environment_name_is_refused_in_a_bounded_line(store: Store) -> None:
    """Found by benchmarks/fuzz_loader.py: the name went into the message whole."""
    Backups(store).save(APPLY_ID, "\x1b[2J" + "x" * 5_000, "s3_bucket.assets", None)
    with pytest.raises(CorsdeployError) as refused:
        Backups(store).load(APPLY_ID, environment="prod")
    (problem,) = refused.value.problems
    assert "belongs to environment" in problem.message
    assert problem.message.isprintable() and len(problem.message) < 1_000


def test_a_document_planted_under_another_name_is_not_taken_for_a_backup(store: Store) -> None:
    document = {"format_version": 1, "apply_id": APPLY_ID, "environment": "dev",
                "address": "s3_bucket.victim", "saved_at": "x", "configuration": None}
    store.put(Key(("backups", APPLY_ID, "s3_bucket.other.json")), json.dumps(document).encode())
    with pytest.raises(CorsdeployError, match="does not match its name"):
        Backups(store).load(APPLY_ID)


@pytest.mark.parametrize("configuration", [{"CORSRules": [7]}, {"CORSRules": [{"AllowedOrigins": 1.5}]}])
def test_a_backup_whose_configuration_is_not_the_services_shape_is_refused(store: Store,
                                                                          configuration: object) -> None:
    """Rollback would plan from it and crash (an internal error); it is named as not a backup instead."""
    document = {"format_version": 1, "apply_id": APPLY_ID, "environment": "dev",
                "address": "s3_bucket.assets", "saved_at": "x", "configuration": configuration}
    store.put(Key(("backups", APPLY_ID, "s3_bucket.assets.json")), json.dumps(document).encode())
    with pytest.raises(CorsdeployError, match="not the configuration of a s3_bucket"):
        Backups(store).load(APPLY_ID)


def test_a_backup_without_a_configuration_is_refused(store: Store) -> None:
    """Found by benchmarks/fuzz_loader.py: a KeyError (an internal error) in `history`'s rollback path."""
    document = {"format_version": 1, "apply_id": APPLY_ID, "environment": "dev",
                "address": "s3_bucket.assets", "saved_at": "x"}
    store.put(Key(("backups", APPLY_ID, "s3_bucket.assets.json")), json.dumps(document).encode())
    with pytest.raises(CorsdeployError, match="holds no configuration"):
        Backups(store).load(APPLY_ID)

def test_a_backup_that_s3_refuses_says_where_and_that_nothing_changed(s3_clients: Clients) -> None:
    backups = Backups(S3Store(s3_clients, "no-such-bucket", "x"))
    with pytest.raises(BackupError) as refused:
        backups.save(APPLY_ID, "dev", "s3_bucket.assets", None)
    message = str(refused.value)
    assert f"s3://no-such-bucket/x/backups/{APPLY_ID}/s3_bucket.assets.json" in message
    assert "NoSuchBucket" in message and "nothing was changed" in message
    assert refused.value.code == "BackupFailed"


# --- history -----------------------------------------------------------------------------------------

def plan(environment: str = "dev") -> Plan:
    return Plan(environment, (
        Change("s3_bucket.assets", Action.UPDATE, {"CORSRules": []},
               {"CORSRules": [{"AllowedOrigins": ["*"]}]}),
        Change("s3_bucket.same", Action.NOOP, None, None),
    ))


def test_history_lists_records_newest_first_with_what_a_rollback_needs(store: Store) -> None:
    history = History(store)
    first = started_record(plan(), APPLY_ID, CALLER, "where/backups/1")
    second = started_record(plan(), LATER_ID, CALLER, "where/backups/2")
    history.record(second)
    history.record(first)
    history.record(started_record(plan("other"), APPLY_ID, CALLER, "elsewhere"))
    listed = history.list("dev")
    assert [r.apply_id for r in listed] == [LATER_ID, APPLY_ID]
    assert listed[1] == first and history.get("dev", APPLY_ID) == first
    assert first.outcome is RunOutcome.INCOMPLETE and first.finished_at is None
    assert first.caller == CALLER and first.operation == "apply"
    assert [(r.address, r.action, r.outcome) for r in first.resources] == [
        ("s3_bucket.assets", "update", None), ("s3_bucket.same", "no-op", None)]
    assert first.resources[0].before == {"CORSRules": []}
    assert [r.address for r in first.changed] == ["s3_bucket.assets"]
    assert history.get("dev", "20261123T000009Z-0009") is None
    assert History(store).list("nobody") == ()


def test_files_that_are_not_records_are_ignored_and_damaged_records_named(store: Store) -> None:
    history = History(store)
    history.record(started_record(plan(), APPLY_ID, CALLER, "b"))
    store.put(Key(("history", "dev", "notes.txt")), b"hello")
    store.put(Key(("history", "dev", "not-an-id.json")), b"{}")
    assert [r.apply_id for r in history.list("dev")] == [APPLY_ID]
    store.put(Key(("history", "dev", f"{LATER_ID}.json")), b'{"format_version": 1}')
    with pytest.raises(CorsdeployError, match=f"history/dev/{LATER_ID}.json: not a history record"):
        history.list("dev")


# Found by benchmarks/fuzz_loader.py: Python refuses integers over 4,300 digits with a ValueError
# that is not a JSONDecodeError, and deep nesting with a RecursionError.
@pytest.mark.parametrize("data", [b'{"pid": ' + b"9" * 5_000 + b"}", b"[" * 100_000 + b"]" * 100_000])
def test_a_record_json_cannot_hold_is_named_not_a_crash(store: Store, data: bytes) -> None:
    store.put(Key(("history", "dev", f"{APPLY_ID}.json")), data)
    with pytest.raises(CorsdeployError, match="not JSON"):
        History(store).list("dev")


def test_a_record_copied_to_another_apply_id_is_refused(store: Store) -> None:
    History(store).record(started_record(plan(), APPLY_ID, CALLER, "b"))
    copied = store.get(Key(("history", "dev", f"{APPLY_ID}.json")))
    assert copied is not None
    store.put(Key(("history", "dev", f"{LATER_ID}.json")), copied.data)
    with pytest.raises(CorsdeployError, match="not of this place"):
        History(store).list("dev")


@pytest.mark.parametrize("field", ["environment", "caller"])
def test_a_damaged_record_is_named_with_what_it_holds_bounded_and_escaped(store: Store, field: str) -> None:
    History(store).record(started_record(plan(), APPLY_ID, CALLER, "b"))
    key = Key(("history", "dev", f"{APPLY_ID}.json"))
    found = store.get(key)
    assert found is not None
    document = json.loads(found.data)
    document[field] = ["\x1b[2J" + "x" * 5_000]  # not text, so the message quotes it
    if field == "environment":
        document[field] = "\x1b[2J" + "x" * 5_000  # text, but another environment's
    store.put(key, json.dumps(document).encode())
    with pytest.raises(CorsdeployError) as refused:
        History(store).list("dev")
    (problem,) = refused.value.problems
    assert problem.message.isprintable() and len(problem.message) < 1_000


def test_a_runner_that_never_saw_the_apply_lists_it_from_s3(s3_clients: Clients) -> None:
    History(S3Store(s3_clients, BUCKET, "corsdeploy")).record(started_record(plan(), APPLY_ID, CALLER, "b"))
    elsewhere = Clients(AwsSettings(region="eu-west-1"))  # another process: its own session and clients
    (record,) = History(S3Store(elsewhere, BUCKET, "corsdeploy/")).list("dev")
    assert record.apply_id == APPLY_ID and record.caller == CALLER


# --- locks -------------------------------------------------------------------------------------------

class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_second_writer_is_refused_at_once_naming_the_holder(store: Store) -> None:
    held = Locks(store).acquire("dev", "apply", CALLER)
    clock = FakeClock()
    with pytest.raises(LockError) as refused:
        Locks(store, sleep=clock.sleep, clock=clock).acquire("dev", "apply", None)
    message = str(refused.value)
    info = held.info
    assert "environment 'dev' is locked" in message and f"lock {info.lock_id}" in message
    assert f"held by {getpass.getuser()}@{socket.gethostname()} (pid {os.getpid()}, {CALLER})" in message
    assert f"since {info.since}" in message and f"corsdeploy unlock --env dev {info.lock_id}" in message
    assert clock.slept == []
    assert Locks(store).acquire("staging", "apply", None)  # other environments are not held


def test_a_waiting_writer_takes_the_lock_when_it_is_released(store: Store) -> None:
    first = Locks(store).acquire("dev", "apply", CALLER)
    clock, told = FakeClock(), []

    def sleep(seconds: float) -> None:
        clock.sleep(seconds)
        if len(clock.slept) == 3:
            Locks(store).release(first)

    waiter = Locks(store, sleep=sleep, clock=clock)
    second = waiter.acquire("dev", "apply", None, timeout=60, waiting=told.append)
    assert second.info.lock_id != first.info.lock_id
    assert told == [first.info]  # said once, however long it waits
    assert clock.slept == [0.5, 1.0, 2.0]
    assert Locks(store).holder("dev") == second


def test_a_waiting_writer_gives_up_after_the_timeout(store: Store) -> None:
    Locks(store).acquire("dev", "apply", CALLER)
    clock = FakeClock()
    with pytest.raises(LockError, match=r"still locked after waiting 7s: lock [0-9a-f]{16} held by"):
        Locks(store, sleep=clock.sleep, clock=clock).acquire("dev", "apply", None, timeout=7)
    assert sum(clock.slept) == pytest.approx(7) and max(clock.slept) <= 5


@pytest.mark.parametrize("failure", [RuntimeError("boom"), KeyboardInterrupt()])
def test_the_lock_is_released_however_the_block_ends(store: Store, failure: BaseException) -> None:
    with pytest.raises(type(failure)), environment_lock(store, "dev", caller=CALLER) as info:
        assert Locks(store).holder("dev").info == info  # type: ignore[union-attr]
        raise failure
    assert Locks(store).holder("dev") is None
    with environment_lock(store, "dev"):
        pass
    assert Locks(store).holder("dev") is None


def test_unlock_releases_only_the_lock_named(store: Store) -> None:
    held = Locks(store).acquire("dev", "apply", CALLER)
    with pytest.raises(LockError, match="is not a lock id"):
        Locks(store).unlock("dev", "../../etc")
    with pytest.raises(LockError, match=r"locked by another lock.*nothing was changed"):
        Locks(store).unlock("dev", "0" * 16)
    assert Locks(store).holder("dev") == held
    assert Locks(store).unlock("dev", held.info.lock_id) == held.info
    assert Locks(store).holder("dev") is None
    with pytest.raises(LockError, match="'dev' is not locked"):
        Locks(store).unlock("dev", held.info.lock_id)


def test_a_run_whose_lock_was_released_by_hand_leaves_the_next_holder_alone(store: Store) -> None:
    crashed = Locks(store).acquire("dev", "apply", CALLER)
    Locks(store).unlock("dev", crashed.info.lock_id)
    newer = Locks(store).acquire("dev", "apply", CALLER)
    Locks(store).release(crashed)
    assert Locks(store).holder("dev") == newer


def test_a_damaged_lock_is_reported_not_ignored(store: Store) -> None:
    store.put(Key(("locks", "dev.json")), b"{not json")
    with pytest.raises(LockError, match=r"locked, but its lock .*locks/dev\.json cannot be read"):
        Locks(store).acquire("dev", "apply", CALLER)


def test_a_lock_that_cannot_be_written_says_nothing_was_changed(tmp_path: Path) -> None:
    (tmp_path / ".corsdeploy").write_text("a file where the state folder should be")
    with pytest.raises(LockError, match=r"could not be taken: .*nothing was read or changed"):
        Locks(FolderStore(base=tmp_path)).acquire("dev", "apply", CALLER)


@pytest.mark.parametrize("name", ["../../évil name", ".hidden", "a/b", "Prod"])
def test_environment_names_never_become_paths(tmp_path: Path, name: str) -> None:
    store = FolderStore(base=tmp_path / "project")
    History(store).record(started_record(plan(name), APPLY_ID, CALLER, "b"))
    held = Locks(store).acquire(name, "apply", CALLER)
    written = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert len(written) == 2 and all(p.is_relative_to(tmp_path / "project" / ".corsdeploy") for p in written)
    assert [r.environment for r in History(store).list(name)] == [name]
    assert Locks(store).holder(name) == held
