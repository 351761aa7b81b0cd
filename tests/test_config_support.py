"""Helpers shared by the config tests: write a fixture, find where it puts a thing, collect problems."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from corsdeploy.config import load_file
from corsdeploy.errors import ConfigError, Problem

FIXTURES = Path(__file__).parent / "fixtures" / "config"


def write(folder: Path, name: str, text: str) -> Path:
    """Write `text` (dedented) to folder/name and return the path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def at(path: Path, needle: str, nth: int = 1) -> tuple[int, int]:
    """1-based line and column of the nth occurrence of `needle` in the file."""
    text = path.read_text(encoding="utf-8")
    index = -1
    for _ in range(nth):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def problems(path: Path) -> list[Problem]:
    """Every problem loading `path` reports (it must fail)."""
    with pytest.raises(ConfigError) as caught:
        load_file(path)
    return list(caught.value.problems)


def problem(path: Path, fragment: str) -> Problem:
    """The one problem whose text holds `fragment`."""
    found = [p for p in problems(path) if fragment in str(p)]
    assert len(found) == 1, [str(p) for p in problems(path)]
    return found[0]


def where(found: Problem) -> tuple[int, int]:
    assert found.location is not None
    return found.location.line, found.location.column
