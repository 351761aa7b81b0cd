"""YAML read safely into a tree of values that remember where they were written."""
from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from corsdeploy.config.paths import Path_, problem
from corsdeploy.config.shown import escaped, quoted
from corsdeploy.errors import Problem
from corsdeploy.model import Location

_MERGE_TAG = "tag:yaml.org,2002:merge"
_PLAIN = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class Node:
    """A value with its location; mappings hold `dict[str, Node]`, sequences `list[Node]`."""

    value: Any
    loc: Location
    # Where the key naming this value was written (members of a mapping only).
    key_loc: Location | None = None

    def plain(self) -> Any:
        """The value as plain Python data (dicts, lists, scalars)."""
        if isinstance(self.value, dict):
            return {key: child.plain() for key, child in self.value.items()}
        if isinstance(self.value, list):
            return [child.plain() for child in self.value]
        return self.value

    def walk(self, path: Path_ = ()) -> Iterator[tuple[Path_, Node]]:
        """Every node below and including this one, with its path."""
        yield path, self
        if isinstance(self.value, dict):
            for key, child in self.value.items():
                yield from child.walk((*path, key))
        elif isinstance(self.value, list):
            for index, child in enumerate(self.value):
                yield from child.walk((*path, index))


def display_path(path: str | Path) -> str:
    """The path as the user would type it (relative to the working directory when under it), escaped."""
    absolute = os.path.normpath(os.path.abspath(path))
    relative = os.path.relpath(absolute, os.getcwd())
    outside = relative == os.pardir or relative.startswith(os.pardir + os.sep)
    return escaped(absolute if outside else relative, None)


def read_yaml(path: Path) -> tuple[Node | None, list[Problem]]:
    """Parse one file; syntax errors and unreadable files come back as problems, never raised."""
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        return None, [Problem(f"cannot read {shown}: {reason}")]
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, [Problem("the file is empty; expected a mapping of settings",
                                  Location(shown, 1, 1))]
        builder = _Builder(loader, shown)
        return builder.build(root), builder.problems
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = Location(shown, mark.line + 1, mark.column + 1) if mark else Location(shown, 1, 1)
        return None, [Problem(f"YAML syntax error: {escaped(_syntax_message(error), 200)}", where)]
    except RecursionError:
        return None, [Problem("the YAML is nested too deeply", Location(shown, 1, 1))]
    except yaml.YAMLError as error:
        return None, [Problem(f"YAML error: {escaped(str(error), 200)}", Location(shown, 1, 1))]
    finally:
        loader.dispose()


def _syntax_message(error: yaml.MarkedYAMLError) -> str:
    problem, context = error.problem or "", error.context or ""
    # PyYAML splits some messages in two ("expected a single document", "but found another").
    return f"{context}, {problem}" if problem.startswith("but ") and context else problem or context


@dataclass
class _Builder:
    """Turns composed YAML nodes into Nodes, collecting duplicate keys and other problems."""

    loader: yaml.SafeLoader
    file: str
    problems: list[Problem] = field(default_factory=list)
    _active: set[int] = field(default_factory=set)

    def at(self, node: yaml.Node) -> Location:
        return Location(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, path: Path_ = (), key_loc: Location | None = None) -> Node:
        if id(node) in self._active:
            self.problems.append(Problem("an alias refers to itself (recursive YAML)", self.at(node)))
            return Node(None, self.at(node), key_loc)
        self._active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return Node(self.mapping(node, path), self.at(node), key_loc)
            if isinstance(node, yaml.SequenceNode):
                items = [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
                return Node(items, self.at(node), key_loc)
            return Node(self.scalar(node), self.at(node), key_loc)
        finally:
            self._active.discard(id(node))

    def scalar(self, node: yaml.Node) -> Any:
        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as error:
            self.problems.append(Problem(f"YAML error: {escaped(str(error.problem), 200)}", self.at(node)))
            return None
        except ValueError:
            # Python refuses to read an integer of more than sys.get_int_max_str_digits() digits.
            self.problems.append(Problem(f"YAML error: a number longer than {sys.get_int_max_str_digits()} "
                                         "digits", self.at(node)))
            return None
        # Dates and other YAML-only types stay as the text the user wrote.
        return value if isinstance(value, _PLAIN) else str(node.value)

    def mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Node]:
        merged: dict[str, Node] = {}
        explicit: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                for source in self.merge_sources(value_node, path):
                    for key, child in source.items():
                        merged.setdefault(key, child)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(Problem("a key must be a plain name, not a list or mapping",
                                             self.at(key_node)))
                continue
            key = str(key_node.value)
            if key in explicit:
                first = explicit[key].key_loc
                line = first.line if first else "?"
                self.problems.append(problem(
                    path, f"duplicate key {quoted(key)} (first defined at line {line})",
                    self.at(key_node)))
            explicit[key] = self.build(value_node, (*path, key), self.at(key_node))
        return {**merged, **explicit}

    def merge_sources(self, node: yaml.Node, path: Path_) -> list[dict[str, Node]]:
        """The mappings a YAML merge key (`<<: *base` or `<<: [*a, *b]`) brings in."""
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        sources = []
        for item in items:
            built = self.build(item, path)
            if isinstance(built.value, dict):
                sources.append(built.value)
            else:
                self.problems.append(Problem("a YAML merge key (<<) needs a mapping", built.loc))
        return sources
