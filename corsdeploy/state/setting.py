"""What an environment's `state:` names: a folder below the working directory, or an S3 prefix.

The file may come from an untrusted pull request, so a folder is only ever a relative path resolved
against the working directory (like the default `.corsdeploy/`), with no `..`, no `~` and no
component that is a symbolic link (checked when it is opened): state never lands outside the
checkout the pipeline runs in. Absolute paths are refused rather than guessed at.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from corsdeploy.errors import CorsdeployError, Problem
from corsdeploy.model import Environment
from corsdeploy.state.folder import STATE_DIR

S3_SCHEME = "s3://"
# The same rule as the bucket name pattern of the environment schema (config/schema.py STATE_PATTERN).
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPACE = re.compile(r"\s")
_SHOWN_LENGTH = 200


@dataclass(frozen=True)
class FolderSetting:
    folder: PurePosixPath  # relative to the working directory


@dataclass(frozen=True)
class S3Setting:
    bucket: str
    prefix: str  # without leading or trailing "/"; "" for the bucket's top


StateSetting = FolderSetting | S3Setting


def state_setting(environment: Environment) -> StateSetting:
    """Where `environment` keeps its state; a located error when `state:` says something else."""
    value = environment.state
    if value is None:
        return FolderSetting(STATE_DIR)
    why = _s3_problem(value) if value.startswith("s3:") else _folder_problem(value)
    if why is not None:
        shown = value if len(value) <= _SHOWN_LENGTH else value[:_SHOWN_LENGTH] + "…"
        message, location = f"state: {shown!r} {why}; nothing was read or written", environment.state_location
        raise CorsdeployError(Problem(message, location) if location
                              else Problem(f"{environment.path}: {message}"))
    if value.startswith(S3_SCHEME):
        bucket, _, prefix = value.removeprefix(S3_SCHEME).partition("/")
        return S3Setting(bucket, prefix.strip("/"))
    return FolderSetting(PurePosixPath(value))


def _s3_problem(value: str) -> str | None:
    bucket, _, prefix = value.removeprefix(S3_SCHEME).partition("/")
    if not value.startswith(S3_SCHEME) or not _BUCKET.fullmatch(bucket) or _SPACE.search(prefix):
        return "is not s3://BUCKET or s3://BUCKET/PREFIX"
    return None


def _folder_problem(value: str) -> str | None:
    if _CONTROL.search(value) or "\\" in value:
        return "holds a control character or a backslash"
    if value.startswith(("/", "~")):
        return ("is not a folder below the working directory: state folders are relative paths "
                "(an absolute or home path could put state anywhere on the runner)")
    parts = PurePosixPath(value).parts
    if ".." in parts:
        return "climbs out with '..': state folders stay below the working directory"
    if not parts:
        return "is the working directory itself: name a folder below it (the default is .corsdeploy)"
    return None
