"""The Store contract, for both stores: a folder, and S3 (moto in-process; Stubber where moto is not S3)."""
from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber
from moto import mock_aws

from corsdeploy.aws import Clients
from corsdeploy.errors import CorsdeployError
from corsdeploy.model import AwsSettings
from corsdeploy.providers.state_s3 import S3Store
from corsdeploy.state import FolderStore, Key, Store, StoreError
from tests.conftest import ROOT

BUCKET = "ops-state"
DOCUMENT = Key(("history", "dev", "20261123T000000Z-beef.json"))
LOCK = Key(("locks", "dev.json"))


@pytest.fixture
def s3_store() -> Iterator[S3Store]:
    with mock_aws():
        clients = Clients(AwsSettings(region="eu-west-1"))
        clients.client("s3").create_bucket(Bucket=BUCKET,
                                           CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield S3Store(clients, BUCKET, "/corsdeploy/prod/")


@pytest.fixture(params=["folder", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "folder":
        return FolderStore(base=tmp_path)
    return request.getfixturevalue("s3_store")  # type: ignore[no-any-return]


def test_a_document_is_read_back_as_written_and_replaced_whole(store: Store) -> None:
    assert store.get(DOCUMENT) is None
    where = store.put(DOCUMENT, b'{"a": 1}\n')
    assert where == store.where(DOCUMENT) and where.endswith("history/dev/20261123T000000Z-beef.json")
    first = store.get(DOCUMENT)
    assert first is not None and first.data == b'{"a": 1}\n'
    store.put(DOCUMENT, b"{}")
    second = store.get(DOCUMENT)
    assert second is not None and second.data == b"{}" and second.version != first.version


def test_names_lists_one_folder_level_sorted(store: Store) -> None:
    assert store.names(Key(("history", "dev"))) == ()
    for name in ("b.json", "a.json"):
        store.put(Key(("history", "dev", name)), b"{}")
    store.put(Key(("history", "dev", "sub", "c.json")), b"{}")
    store.put(Key(("history", "other", "d.json")), b"{}")
    assert store.names(Key(("history", "dev"))) == ("a.json", "b.json", "sub")
    assert store.names(Key(("history",))) == ("dev", "other")


def test_create_is_exclusive(store: Store) -> None:
    created = store.create(LOCK, b"first")
    assert created is not None
    assert store.create(LOCK, b"second") is None
    held = store.get(LOCK)
    assert held is not None and held.data == b"first" and held.version == created.version


def test_delete_removes_only_the_version_given(store: Store) -> None:
    created = store.create(LOCK, b"first")
    assert created is not None
    assert store.delete(LOCK, "not-its-version") is False
    assert store.get(LOCK) is not None
    assert store.delete(LOCK, created.version) is True
    assert store.get(LOCK) is None
    assert store.delete(LOCK, created.version) is False  # already gone
    again = store.create(LOCK, b"second")
    assert again is not None and store.delete(LOCK, created.version) is False  # a newer lock stays
    assert store.get(LOCK) is not None


def test_locations_say_where_a_user_finds_them(tmp_path: Path, s3_store: S3Store) -> None:
    assert FolderStore().location == ".corsdeploy"
    assert FolderStore().where(LOCK) == ".corsdeploy/locks/dev.json"
    elsewhere = FolderStore(PurePosixPath("ops/state"), tmp_path)
    assert elsewhere.where(LOCK) == f"{tmp_path}/ops/state/locks/dev.json"
    assert s3_store.location == f"s3://{BUCKET}/corsdeploy/prod"
    assert s3_store.where(LOCK) == f"s3://{BUCKET}/corsdeploy/prod/locks/dev.json"
    assert S3Store(Clients(AwsSettings(region="eu-west-1")), BUCKET).where(LOCK) == f"s3://{BUCKET}/locks/dev.json"


@pytest.mark.parametrize("part", ["..", ".", "", "a/b", ".hidden", "a\\b", "x\x00", "é"])
def test_keys_refuse_anything_but_safe_parts(part: str) -> None:
    with pytest.raises(ValueError, match="unsafe"):
        Key(("backups", part))


# --- the folder store: durable, private, and no symbolic link followed -----------------------------

def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_lock_file_is_created_exclusively_and_private(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        assert FolderStore(base=tmp_path).create(LOCK, b"{}") is not None
    finally:
        os.umask(previous)
    lock = tmp_path / ".corsdeploy" / "locks" / "dev.json"
    assert mode(lock) == 0o600 and mode(lock.parent) == 0o700 and mode(lock.parent.parent) == 0o700


@pytest.mark.parametrize("operation", ["get", "create", "delete"])
def test_a_symbolic_link_as_a_state_file_is_not_followed(tmp_path: Path, operation: str) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text("secret")
    lock = tmp_path / ".corsdeploy" / "locks" / "dev.json"
    lock.parent.mkdir(parents=True)
    lock.symlink_to(outside)
    store = FolderStore(base=tmp_path)
    if operation == "create":
        assert store.create(LOCK, b"{}") is None  # exists (as a link): taken, never written through
    else:
        with pytest.raises(StoreError, match="symbolic link"):
            store.get(LOCK) if operation == "get" else store.delete(LOCK, "any")
    assert outside.read_text() == "secret"


@pytest.mark.parametrize("planted", [".corsdeploy", ".corsdeploy/history", "ops"])
def test_a_symbolic_link_as_a_state_folder_is_not_followed_to_read_or_list(tmp_path: Path,
                                                                            planted: str) -> None:
    outside = tmp_path / "outside"
    (outside / "history").mkdir(parents=True)
    (tmp_path / planted).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / planted).symlink_to(outside)
    folder = PurePosixPath("ops/state") if planted == "ops" else PurePosixPath(".corsdeploy")
    store = FolderStore(folder, tmp_path)
    for attempt in (lambda: store.names(Key(("history",))), lambda: store.get(DOCUMENT),
                    lambda: store.put(DOCUMENT, b"{}")):
        with pytest.raises(StoreError, match="symbolic link"):
            attempt()
    assert [p.name for p in outside.rglob("*")] == ["history"]


def test_a_fifo_is_not_read(tmp_path: Path) -> None:
    """Opening a FIFO would wait for a writer forever."""
    lock = tmp_path / ".corsdeploy" / "locks" / "dev.json"
    lock.parent.mkdir(parents=True)
    os.mkfifo(lock)
    with pytest.raises(StoreError, match="other than a file"):
        FolderStore(base=tmp_path).get(LOCK)


def test_reading_a_missing_state_folder_creates_nothing(tmp_path: Path) -> None:
    store = FolderStore(base=tmp_path / "project")
    assert store.get(DOCUMENT) is None and store.names(Key(("history",))) == ()
    assert store.delete(LOCK, "v") is False
    assert not (tmp_path / "project").exists()


def test_a_state_folder_is_relative_below_its_base() -> None:
    for folder in ("/etc", "../up", "."):
        with pytest.raises(ValueError):
            FolderStore(PurePosixPath(folder))


# --- the S3 store: conditional writes and the bucket owner -----------------------------------------

def test_moto_honours_if_none_match(s3_store: S3Store) -> None:
    """moto 5.2.5 answers a conditional PutObject on an existing key with 412 PreconditionFailed."""
    assert s3_store.create(LOCK, b"one") is not None
    s3 = boto3.client("s3", region_name="eu-west-1")
    with pytest.raises(s3.exceptions.ClientError, match="PreconditionFailed"):
        s3.put_object(Bucket=BUCKET, Key="corsdeploy/prod/locks/dev.json", Body=b"x", IfNoneMatch="*")
    assert s3_store.create(LOCK, b"two") is None


def stubbed(account_id: str | None = None) -> tuple[S3Store, Stubber]:
    clients = Clients(AwsSettings(region="eu-west-1", account_id=account_id))
    if account_id:  # the account guard runs before the first call when the account is known
        sts = Stubber(clients.client("sts"))
        identity = {"Account": account_id, "Arn": f"arn:aws:iam::{account_id}:user/ci", "UserId": "AID0"}
        sts.add_response("get_caller_identity", identity)
        sts.activate()
    stubber = Stubber(clients.client("s3"))
    stubber.activate()
    return S3Store(clients, BUCKET, "p"), stubber


def test_a_conditional_write_that_races_another_counts_as_taken() -> None:
    """S3 answers 409 ConditionalRequestConflict when two conditional writes to one key race."""
    store, stubber = stubbed()
    stubber.add_client_error("put_object", "ConditionalRequestConflict", http_status_code=409)
    stubber.add_client_error("put_object", "PreconditionFailed", http_status_code=412)
    assert store.create(LOCK, b"{}") is None
    assert store.create(LOCK, b"{}") is None
    stubber.assert_no_pending_responses()


def test_the_bucket_owner_is_expected_on_every_call_when_the_account_is_known() -> None:
    store, stubber = stubbed(account_id="123456789012")
    owner = {"Bucket": BUCKET, "ExpectedBucketOwner": "123456789012"}
    put = {**owner, "Key": "p/locks/dev.json", "Body": b"{}", "ContentType": "application/json"}
    stubber.add_response("put_object", {"ETag": '"e1"'}, {**put, "IfNoneMatch": "*"})
    stubber.add_response("get_object", {"ETag": '"e1"', "Body": StreamingBody(io.BytesIO(b"{}"), 2)},
                         {**owner, "Key": "p/locks/dev.json"})
    stubber.add_response("delete_object", {}, {**owner, "Key": "p/locks/dev.json", "IfMatch": '"e1"'})
    stubber.add_response("list_objects_v2", {}, {**owner, "Prefix": "p/history/", "Delimiter": "/"})
    stubber.add_response("put_object", {"ETag": '"e2"'}, put)
    created = store.create(LOCK, b"{}")
    assert created is not None and created.version == '"e1"'
    assert store.get(LOCK) == created
    assert store.delete(LOCK, created.version) is True
    assert store.names(Key(("history",))) == ()
    store.put(LOCK, b"{}")
    stubber.assert_no_pending_responses()


def test_another_accounts_bucket_is_refused_with_the_reason() -> None:
    store, stubber = stubbed(account_id="123456789012")
    stubber.add_client_error("put_object", "AccessDenied", "Access Denied", http_status_code=403)
    with pytest.raises(StoreError) as refused:
        store.put(DOCUMENT, b"{}")
    message = str(refused.value)
    assert f"s3://{BUCKET}/p/history/dev/" in message and "AccessDenied" in message
    assert "s3:PutObject" in message


def test_a_missing_bucket_is_an_error_that_names_it() -> None:
    with mock_aws():
        store = S3Store(Clients(AwsSettings(region="eu-west-1")), "no-such-bucket", "x")
        for attempt in (lambda: store.get(LOCK), lambda: store.names(Key(("history",))),
                        lambda: store.create(LOCK, b"{}")):
            with pytest.raises(CorsdeployError, match=r"no-such-bucket.*NoSuchBucket"):
                attempt()


def test_a_write_is_on_disk_before_it_is_visible_and_before_put_returns(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Temporary file written and fsynced, renamed into place, then the folder fsynced."""
    events: list[str] = []
    fsync, replace = os.fsync, os.replace

    def recorded_fsync(descriptor: int) -> None:
        events.append("fsync folder" if stat.S_ISDIR(os.fstat(descriptor).st_mode) else "fsync file")
        fsync(descriptor)

    def recorded_replace(*args: Any, **kwargs: Any) -> None:
        events.append("rename")
        replace(*args, **kwargs)

    monkeypatch.setattr(os, "fsync", recorded_fsync)
    monkeypatch.setattr(os, "replace", recorded_replace)
    FolderStore(base=tmp_path).put(DOCUMENT, b"{}")
    assert events == ["fsync file", "rename", "fsync folder"]
    events.clear()
    FolderStore(base=tmp_path).create(LOCK, b"{}")
    assert events == ["fsync file", "fsync folder"]  # created in place, exclusively: no rename


def test_the_state_package_and_the_history_view_import_no_boto3() -> None:
    """Views and the state layer stay free of AWS code; only the S3 store (a provider) needs boto3."""
    code = ("import sys, corsdeploy.state, corsdeploy.render.history; "
            "print(sorted(m for m in ('boto3', 'botocore') if m in sys.modules))")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert shown.stdout.strip() == "[]"
