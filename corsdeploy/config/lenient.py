"""What is still usable in a file validate refuses: the entries no problem is about (for lint)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from corsdeploy.config.nodes import Node
from corsdeploy.config.paths import SECTION_KINDS, Path_, describe
from corsdeploy.config.services import ABSENT, entries
from corsdeploy.errors import Problem
from corsdeploy.model import Location

# Top-level settings the model is built from; one with a problem is left out (its default applies).
_SETTINGS = ("aws", "state", "lint")


def usable_data(data: Mapping[str, Any], root: Node, problems: Iterable[Problem]) -> dict[str, Any]:
    """`data` without the entries, policies and settings any problem is about, nor the entries using
    a policy with a problem: what is left builds a model as a valid file's would."""
    touched = _touched(data, root, problems)
    usable = {key: value for key, value in data.items() if key not in _SETTINGS or (key,) not in touched}
    for section in SECTION_KINDS:
        if section in usable:
            usable[section] = {name: entry for name, entry in entries(data, section)
                               if (section, name) not in touched and _policy_usable(entry, touched)}
    return usable


def _policy_usable(entry: Mapping[str, Any], touched: set[Path_]) -> bool:
    cors = entry.get("cors")
    return not isinstance(cors, str) or cors == ABSENT or ("policies", cors) not in touched


def _touched(data: Mapping[str, Any], root: Node, problems: Iterable[Problem]) -> set[Path_]:
    """The first two steps of the path of everything a problem is about (an entry is `(section,
    name)`, a policy `("policies", name)`, a setting `(key,)`): by the address a problem names, or by
    where in the file it points."""
    paths_at: dict[Location, list[Path_]] = {}
    for path, node in root.walk():
        for where in (node.loc, node.key_loc):
            if where is not None:
                paths_at.setdefault(where, []).append(path)
    entry_at = {describe((section, name))[0]: (section, name)
                for section in SECTION_KINDS for name, _ in entries(data, section)}
    touched: set[Path_] = set()
    for problem in problems:
        if problem.address in entry_at:
            touched.add(entry_at[problem.address])
        for path in paths_at.get(problem.location, []) if problem.location else []:
            touched.update({path[:1], path[:2]})
    return touched
