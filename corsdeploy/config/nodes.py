"""YAML read safely into a tree of values that remember where they were written."""
from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

from corsdeploy.config import bounds
from corsdeploy.config.paths import Path_, describe, problem
from corsdeploy.config.shown import escaped, quoted
from corsdeploy.config.source import read_text, text_location
from corsdeploy.errors import Problem
from corsdeploy.model import Location

_CORE_PREFIX = "tag:yaml.org,2002:"
_MERGE_TAG = f"{_CORE_PREFIX}merge"
_NO_TOKEN = "found character that cannot start any token"
_ALWAYS_TAGS = {f"{_CORE_PREFIX}{name}" for name in ("str", "seq", "map")}
_CORE_SCALAR_TAGS = {f"{_CORE_PREFIX}{name}" for name in ("int", "float", "bool", "null", "timestamp")}
# Only these are constructed; each reads text its tag's pattern matched (explicit tags are checked first).
_CONSTRUCTORS: dict[str, Callable[[Any, Any], Any]] = {
    f"{_CORE_PREFIX}int": yaml.SafeLoader.construct_yaml_int,
    f"{_CORE_PREFIX}float": yaml.SafeLoader.construct_yaml_float,
    f"{_CORE_PREFIX}bool": yaml.SafeLoader.construct_yaml_bool,
    f"{_CORE_PREFIX}null": yaml.SafeLoader.construct_yaml_null,
}
# Paths in messages are cut to this many characters (a name may be as long as the file system allows).
_PATH_SHOWN = 300
_SURROGATE = re.compile("[\ud800-\udfff]")


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
    return escaped(absolute if outside else relative, _PATH_SHOWN)


def read_yaml(path: Path) -> tuple[Node | None, list[Problem]]:
    """Parse one file; syntax errors, unreadable files and files over a bound come back as problems."""
    shown = display_path(path)
    text, problems = read_text(path, shown)
    if text is None:
        return None, problems
    try:
        return _parse(text, shown)
    except yaml.reader.ReaderError as error:
        # libyaml counts UTF-8 bytes, the Python reader characters.
        offset = len(text.encode()[: error.position].decode(errors="ignore")) if _LIBYAML else error.position
        character = quoted(chr(error.character))
        return None, [Problem(f"YAML error: the character {character} is not allowed in YAML",
                              text_location(shown, text, offset))]


# libyaml builds patched against deep-nesting stack overflows stop at 1,000 levels themselves,
# before the composer sees level MAX_DEPTH + 1; such a file is re-read by PyYAML's Python parser
# so that every build refuses it with the same message at the same place.
_LIBYAML_NESTING = "exceeded maximum nesting depth"


def _parse(text: str, shown: str, loader_class: type[_LibyamlLoader | _PythonLoader] | None = None
           ) -> tuple[Node | None, list[Problem]]:
    loader = (loader_class or _LibyamlLoader)(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, [Problem("the file is empty; expected a mapping of settings",
                                  Location(shown, 1, 1))]
        builder = _Builder(loader, shown)
        return builder.build(root), builder.problems
    except yaml.MarkedYAMLError as error:
        if _LIBYAML_NESTING in (error.problem or "") and loader_class is None:
            return _parse(text, shown, _PythonLoader)
        mark = error.problem_mark or error.context_mark
        message = escaped(_syntax_message(error, text), 200)
        return None, [Problem(f"YAML syntax error: {message}", _at(shown, mark))]
    except _Refused as error:
        return None, [Problem(f"YAML error: {error}", _at(shown, error.mark))]
    except ValueError:
        # The Python scanner's chr() refuses an escape such as \\U00110000 (libyaml reports it itself).
        return None, [Problem("YAML error: an escape beyond Unicode (the largest is \\U0010FFFF)",
                              _at(shown, getattr(loader, "get_mark", lambda: None)()))]
    finally:
        loader.dispose()


def _at(shown: str, mark: yaml.Mark | None) -> Location:
    return Location(shown, mark.line + 1, mark.column + 1) if mark else Location(shown, 1, 1)


class _Refused(yaml.YAMLError):
    """A file that asks for more work than the bounds allow, refused where the composer found it."""

    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(message)
        self.mark = mark


class _PythonEvents(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's own reader, scanner and parser: used where PyYAML was built without libyaml."""

    def __init__(self, text: str) -> None:
        yaml.reader.Reader.__init__(self, text)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


try:  # libyaml's scanner and parser read a 1 MiB file about six times faster
    from yaml._yaml import CParser as _LibyamlEvents
    _LIBYAML = True
except ImportError:
    _LibyamlEvents = _PythonEvents  # type: ignore[misc,assignment]
    _LIBYAML = False


class _BoundedComposer(yaml.composer.Composer, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
    """Composes the node graph with aliases, expanded size and depth bounded, before any tree is built.

    Aliases share nodes, so the graph stays small while the tree it stands for can be exponential:
    each node's expanded size is summed as it is composed, and the file is refused once one exceeds
    the bound. Explicit tags are recorded so the builder can refuse them. Events come from libyaml
    when PyYAML has it; composing stays in Python, here, so the bounds hold. Listed first so that
    PyYAML's Python composer is used, not libyaml's."""

    # From the event source each loader class adds.
    peek_event: Callable[[], yaml.Event | None]

    def __init__(self) -> None:
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self.aliases = 0
        self.depth = 0
        self.sizes: dict[int, int] = {}
        self.explicit: set[int] = set()

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = cast(yaml.Event, self.peek_event())
        if isinstance(event, yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > bounds.MAX_ALIASES:
                raise _Refused(f"more than {bounds.MAX_ALIASES:,} aliases", event.start_mark)
            return yaml.composer.Composer.compose_node(self, parent, index)
        self.depth += 1
        if self.depth > bounds.MAX_DEPTH:
            raise _Refused(f"nested too deeply (more than {bounds.MAX_DEPTH} levels)", event.start_mark)
        try:
            # None only at a document's end, never for a node's own event
            node = cast(yaml.Node, yaml.composer.Composer.compose_node(self, parent, index))
        finally:
            self.depth -= 1
        if getattr(event, "tag", None) not in (None, "!"):
            self.explicit.add(id(node))
        size = 1 + sum(self.sizes.get(id(child), 1) for child in _children(node))
        if size > bounds.MAX_EXPANDED_NODES:
            raise _Refused(f"the file holds more than {bounds.MAX_EXPANDED_NODES:,} values once aliases are "
                           "expanded", node.start_mark)
        self.sizes[id(node)] = size
        return node


class _LibyamlLoader(_BoundedComposer, _LibyamlEvents):
    def __init__(self, text: str) -> None:
        _LibyamlEvents.__init__(self, text)
        _BoundedComposer.__init__(self)


class _PythonLoader(_BoundedComposer, _PythonEvents):
    def __init__(self, text: str) -> None:
        _PythonEvents.__init__(self, text)
        _BoundedComposer.__init__(self)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _syntax_message(error: yaml.MarkedYAMLError, text: str) -> str:
    problem, context = error.problem or "", error.context or ""
    mark = error.problem_mark
    if problem == _NO_TOKEN and mark is not None:
        # libyaml does not say which character, PyYAML's Python scanner does: say it either way.
        lines = text.split("\n")
        line = lines[mark.line] if mark.line < len(lines) else ""
        found = line[mark.column] if mark.column < len(line) else ""
        problem = f"found character {quoted(found)} that cannot start any token"
    # PyYAML splits some messages in two ("expected a single document", "but found another").
    return f"{context}, {problem}" if problem.startswith("but ") and context else problem or context


@dataclass
class _Builder:
    """Turns composed YAML nodes into Nodes, collecting duplicate keys and other problems."""

    loader: _BoundedComposer
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
            refused = self.tag_problem(node)
            if refused:
                self.refuse(node, path, refused)
                return Node(None, self.at(node), key_loc)
            if isinstance(node, yaml.MappingNode):
                return Node(self.mapping(node, path), self.at(node), key_loc)
            if isinstance(node, yaml.SequenceNode):
                items = [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
                return Node(items, self.at(node), key_loc)
            return Node(self.scalar(node, path), self.at(node), key_loc)
        finally:
            self._active.discard(id(node))

    def scalar(self, node: yaml.Node, path: Path_) -> Any:
        construct = _CONSTRUCTORS.get(node.tag)
        if construct is None:
            # Strings, and dates and other YAML-only types, stay as the text the user wrote.
            return self.text(node, path)
        try:
            return construct(self.loader, node)
        except ValueError as error:
            # Python refuses to read an integer of more than sys.get_int_max_str_digits() digits.
            too_long = f"a number longer than {sys.get_int_max_str_digits()} digits"
            self.refuse(node, path, f"YAML error: {too_long}" if "digits" in str(error) else
                        f"YAML error: {quoted(node.value)} cannot be read as a number; quote it for a string")
            return None

    def refuse(self, node: yaml.Node, path: Path_, message: str) -> None:
        """A value that is not read: the problem names the resource, and points at the value."""
        self.problems.append(Problem(message, self.at(node), describe(path)[0]))

    def tag_problem(self, node: yaml.Node) -> str | None:
        """Why an explicit tag is refused: only !!str, and tags that say what the value already is, pass."""
        if id(node) not in self.loader.explicit or node.tag in _ALWAYS_TAGS:
            return None
        shown = escaped(node.tag.replace(_CORE_PREFIX, "!!", 1), 60)
        if node.tag not in _CORE_SCALAR_TAGS or not isinstance(node, yaml.ScalarNode):
            return (f"YAML error: could not determine a constructor for the tag {shown} "
                    "(only !!str is read); remove it")
        resolved = self.loader.resolve(yaml.ScalarNode, node.value, (True, False))  # type: ignore[no-untyped-call]
        if node.style is None and resolved == node.tag:
            return None
        return (f"YAML error: the tag {shown} cannot apply to {quoted(node.value)}; remove the tag "
                "(quote the value for a string)")

    def text(self, node: yaml.Node, path: Path_) -> str | None:
        """A string, unless it holds a lone surrogate (a \\uD800 escape): no file or API takes one."""
        text = str(node.value)
        found = _SURROGATE.search(text)
        if found is None:
            return text
        self.refuse(node, path, f"YAML error: {quoted(found.group())} is not a Unicode character (a lone "
                                "surrogate); write the character itself or \\UXXXXXXXX")
        return None

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
            name = self.text(key_node, path)
            if name is None:
                continue
            if name in explicit:
                first = explicit[name].key_loc
                line = first.line if first else "?"
                self.problems.append(problem(
                    path, f"duplicate key {quoted(name)} (first defined at line {line})",
                    self.at(key_node)))
            explicit[name] = self.build(value_node, (*path, name), self.at(key_node))
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
