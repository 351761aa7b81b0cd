"""`state:` names a folder below the working directory or an S3 prefix; anything else is a located error,
caught by `validate` too (the schema and the state package agree)."""
from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from corsdeploy.config import load_environment
from corsdeploy.errors import CorsdeployError
from corsdeploy.model import AwsSettings, Environment, Location
from corsdeploy.state import FolderSetting, S3Setting, state_setting

ACCEPTED = {
    "s3://ops-bucket": S3Setting("ops-bucket", ""),
    "s3://ops-bucket/": S3Setting("ops-bucket", ""),
    "s3://ops.bucket-1/corsdeploy/prod/": S3Setting("ops.bucket-1", "corsdeploy/prod"),
    ".corsdeploy": FolderSetting(PurePosixPath(".corsdeploy")),
    ".corsdeploy-ops": FolderSetting(PurePosixPath(".corsdeploy-ops")),
    "ops/state": FolderSetting(PurePosixPath("ops/state")),
    "./ops//state/": FolderSetting(PurePosixPath("ops/state")),
    "...": FolderSetting(PurePosixPath("...")),
    "a..b": FolderSetting(PurePosixPath("a..b")),
}
REFUSED = {
    "/var/lib/corsdeploy": "not a folder below the working directory",
    "//server/share": "not a folder below the working directory",
    "~/state": "not a folder below the working directory",
    "../shared-state": "climbs out with '..'",
    "ops/../../x": "climbs out with '..'",
    "ops/..": "climbs out with '..'",
    ".": "is the working directory itself",
    "./": "is the working directory itself",
    "a\\..\\b": "backslash",
    "tab\there": "control character",
    "s3://": "is not s3://BUCKET",
    "s3://Ops_Bucket/x": "is not s3://BUCKET",
    "s3:/ops-bucket": "is not s3://BUCKET",
    "s3://ops-bucket/a b": "is not s3://BUCKET",
}


def environment(state: str | None, location: Location | None = None) -> Environment:
    return Environment("prod", "environments/prod.yaml", AwsSettings(), (), state, location)


def test_without_state_the_default_folder_is_used() -> None:
    assert state_setting(environment(None)) == FolderSetting(PurePosixPath(".corsdeploy"))


@pytest.mark.parametrize("value", ACCEPTED)
def test_accepted_values(value: str) -> None:
    assert state_setting(environment(value)) == ACCEPTED[value]


@pytest.mark.parametrize("value", REFUSED)
def test_refused_values_say_why_and_where(value: str) -> None:
    with pytest.raises(CorsdeployError) as refused:
        state_setting(environment(value, Location("environments/prod.yaml", 3, 8)))
    message = str(refused.value)
    assert message.startswith("environments/prod.yaml:3:8: state: ")
    assert REFUSED[value] in message and "nothing was read or written" in message


def test_without_a_location_the_file_is_named() -> None:
    with pytest.raises(CorsdeployError, match=r"^environments/prod\.yaml: state: '/etc'"):
        state_setting(environment("/etc"))


@pytest.mark.parametrize("value", [*ACCEPTED, *REFUSED])
def test_validate_agrees_with_the_state_package(tmp_path: Path, value: str) -> None:
    """A pull request that points `state:` outside the checkout fails `validate`, at the value."""
    escaped = value.replace("\\", "\\\\").replace("\t", "\\t")
    (tmp_path / "prod.yaml").write_text(f'# state\nstate: "{escaped}"\n')
    if value in ACCEPTED:
        loaded = load_environment(tmp_path, "prod")
        assert state_setting(loaded) == ACCEPTED[value]
        return
    with pytest.raises(CorsdeployError) as refused:
        load_environment(tmp_path, "prod")
    message = str(refused.value)
    assert "prod.yaml:2:8: state:" in message
    assert "is not s3://BUCKET or s3://BUCKET/PREFIX, nor a folder below the working directory" in message


def test_a_state_written_in_a_base_file_is_located_there(tmp_path: Path) -> None:
    (tmp_path / "_base.yaml").write_text("vars: {}\nstate: ops/state\n")
    (tmp_path / "prod.yaml").write_text("extends: _base.yaml\n")
    loaded = load_environment(tmp_path, "prod")
    assert loaded.state_location == Location(str(tmp_path / "_base.yaml"), 2, 8)
