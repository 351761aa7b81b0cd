"""Snapshots of what people read: compared with files under tests/snapshots/, rewritten instead when
CORSDEPLOY_UPDATE_SNAPSHOTS=1 (then review the diff before committing it)."""
from __future__ import annotations

import os
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "snapshots"
UPDATE_VARIABLE = "CORSDEPLOY_UPDATE_SNAPSHOTS"
# Read when the tests are collected: the autouse fixture clears CORSDEPLOY_* before each test runs.
UPDATE = os.environ.get(UPDATE_VARIABLE) == "1"


def assert_snapshot(name: str, shown: str) -> None:
    path = FOLDER / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(shown, encoding="utf-8")
        return
    assert path.exists(), f"no snapshot {path}: run the tests with {UPDATE_VARIABLE}=1 and review it"
    assert shown == path.read_text(encoding="utf-8"), (
        f"{name} differs from its snapshot; if the change is intended, rerun with {UPDATE_VARIABLE}=1")
