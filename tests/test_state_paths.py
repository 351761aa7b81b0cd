"""State files: names from environment files never become paths as written, and only the owner reads them."""
from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto import mock_aws

from corsdeploy.apply import Writer, apply_changes
from corsdeploy.aws import Clients
from corsdeploy.errors import CorsdeployError
from corsdeploy.live import read_live
from corsdeploy.model import AwsSettings, Kind, Location, Resource
from corsdeploy.plan import make_plan, planned_changes
from corsdeploy.providers import provider_for
from corsdeploy.results import Outcome
from corsdeploy.shapes import rule_from_cors
from corsdeploy.state import Backups, FolderStore, file_name_for, new_apply_id

APPLY_ID = "20261123T000000Z-beef"
HOSTILE_ADDRESSES = [
    "http_api.../../../escaped",
    "http_api./etc/passwd",
    "http_api.a/b/c",
    "http_api.a\\b",
    "http_api.nul\x00byte",
    "http_api.new\nline\x1b[2J",
    "http_api." + "x" * 5000,
    "http_api." + "é" * 300,
    "http_api.Orders",
    "http_api.orders",
    "http_api..",
    "http_api.%2e%2e",
    "http_api.~tilde",
]


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("address", HOSTILE_ADDRESSES)
def test_a_file_name_is_one_safe_component(address: str) -> None:
    name = file_name_for(address)
    assert "/" not in name and "\\" not in name and "\x00" not in name and not name.startswith(".")
    assert len(name.encode()) <= 200 and name.isascii() and name.isprintable()


def test_names_are_readable_and_distinct() -> None:
    assert file_name_for("s3_bucket.assets-prod") == "s3_bucket.assets-prod"
    assert file_name_for("http_api.a/b") == "http_api.a%2Fb"
    assert len({file_name_for(address) for address in HOSTILE_ADDRESSES}) == len(HOSTILE_ADDRESSES)


def test_names_differing_only_in_case_stay_apart_on_a_case_insensitive_filesystem() -> None:
    names = [file_name_for(a) for a in ("http_api.Orders", "http_api.orders", "http_api.ORDERS")]
    assert len({name.casefold() for name in names}) == 3


def test_long_names_sharing_a_prefix_stay_apart() -> None:
    long = "http_api." + "x" * 5000
    assert file_name_for(long + "a") != file_name_for(long + "b")


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "project" / ".corsdeploy"


def backups_in(state: Path) -> Backups:
    """Backups in the default folder `.corsdeploy` of the working directory `state.parent`."""
    return Backups(FolderStore(base=state.parent))


def test_backups_of_hostile_names_stay_in_the_state_folder_and_keep_the_real_address(state: Path) -> None:
    store = backups_in(state)
    for address in HOSTILE_ADDRESSES:
        path = Path(store.save(APPLY_ID, "dev", address, {"CorsConfiguration": None}))
        assert path.resolve().is_relative_to(state.resolve()) and path.parent == state / "backups" / APPLY_ID
    written = files_under(state.parent.parent)
    assert len(written) == len(HOSTILE_ADDRESSES)
    assert {json.loads(p.read_text())["address"] for p in written} == set(HOSTILE_ADDRESSES)
    assert all(Path(store.where(APPLY_ID, address)).is_file() for address in HOSTILE_ADDRESSES)
    assert store.load(APPLY_ID) == {address: {"CorsConfiguration": None} for address in HOSTILE_ADDRESSES}


@pytest.mark.parametrize("apply_id", ["../../x", "20261123T000000Z-beef/..", "", "a" * 300, "x\x00"])
def test_an_apply_id_that_was_not_generated_is_refused(state: Path, apply_id: str) -> None:
    with pytest.raises(CorsdeployError, match="apply id"):
        backups_in(state).save(apply_id, "dev", "s3_bucket.one", None)
    with pytest.raises(CorsdeployError, match="apply id"):
        backups_in(state).load(apply_id)
    assert not state.exists()


def test_generated_apply_ids_are_accepted(state: Path) -> None:
    assert Path(backups_in(state).save(new_apply_id(), "dev", "s3_bucket.one", None)).is_file()


@pytest.mark.parametrize("planted", [".", "backups", f"backups/{APPLY_ID}"])
def test_a_symlink_planted_in_the_state_folder_is_not_followed(
        state: Path, tmp_path: Path, planted: str) -> None:
    """A pull request can commit `.corsdeploy/backups -> ~/.ssh`; an apply after the merge must not follow."""
    outside = tmp_path / "outside"
    outside.mkdir()
    link = (state / planted) if planted != "." else state
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside)
    with pytest.raises(CorsdeployError, match="symbolic link"):
        backups_in(state).save(APPLY_ID, "dev", "s3_bucket.one", None)
    with pytest.raises(CorsdeployError, match="symbolic link"):
        backups_in(state).load(APPLY_ID)  # nor read through
    assert list(outside.iterdir()) == []


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o000, 0o022, 0o002, 0o077])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def test_state_files_and_folders_are_the_owners_only_whatever_the_umask(state: Path, umask: int) -> None:
    path = Path(backups_in(state).save(APPLY_ID, "dev", "s3_bucket.one", {"CORSRules": []}))
    assert mode(path) == 0o600
    for folder in (state, state / "backups", state / "backups" / APPLY_ID):
        assert mode(folder) == 0o700, folder
    # A second save into the same folders replaces nothing's mode (the temporary file is private too).
    again = Path(backups_in(state).save(APPLY_ID, "dev", "s3_bucket.two", None))
    assert mode(again) == 0o600 and [p.name for p in again.parent.iterdir() if p.name.startswith(".")] == []


def test_a_stale_temporary_file_left_by_a_crash_does_not_lend_its_mode(state: Path) -> None:
    store = backups_in(state)
    target = Path(store.where(APPLY_ID, "s3_bucket.one"))
    target.parent.mkdir(parents=True)
    stale = target.with_name(f".{target.name}.tmp")
    stale.write_text("half")
    stale.chmod(0o666)
    assert mode(Path(store.save(APPLY_ID, "dev", "s3_bucket.one", None))) == 0o600
    assert store.load(APPLY_ID) == {"s3_bucket.one": None}  # the stale temporary file is not a backup


# --- through an apply against moto ----------------------------------------------------------------

HOSTILE_API_NAMES = ["../../../escaped", "a/b", "Orders", "orders", "dots..", "n" * 300, "new\nline"]


def http_api(name: str) -> Resource:
    cors = rule_from_cors({"AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET"]})
    return Resource(kind=Kind.HTTP_API, name=name, cors=cors, location=Location("e.yaml", 1, 1))


def test_an_apply_backs_up_hostile_api_names_inside_the_state_folder(tmp_path: Path) -> None:
    state = tmp_path / "project" / ".corsdeploy"
    with mock_aws():
        clients = Clients(AwsSettings(region="eu-west-1"))
        for name in HOSTILE_API_NAMES:
            clients.client("apigatewayv2").create_api(Name=name, ProtocolType="HTTP")
        resources = [http_api(name) for name in HOSTILE_API_NAMES]
        providers = {Kind.HTTP_API: provider_for(Kind.HTTP_API, clients)}
        lives = read_live(resources, providers)
        writer = Writer(new_apply_id(), "dev", backups_in(state), providers)
        result = apply_changes(planned_changes(resources, make_plan("dev", resources, lives)), lives, writer)
    assert [r.outcome for r in result.results] == [Outcome.APPLIED] * len(HOSTILE_API_NAMES)
    written = files_under(tmp_path)
    assert len(written) == len(HOSTILE_API_NAMES)
    assert all(p.parent == state / "backups" / result.apply_id for p in written)
    assert {json.loads(p.read_text())["address"] for p in written} == {r.address for r in resources}
    assert all(mode(p) == 0o600 for p in written)
