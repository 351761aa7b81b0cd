"""Problems pinned to where they were written: file:line:col, the resource address, the field path."""
from __future__ import annotations

from dataclasses import dataclass, field

from corsdeploy.config.nodes import Node
from corsdeploy.config.paths import Path_, problem
from corsdeploy.errors import Problem
from corsdeploy.model import Location


@dataclass
class Reporter:
    """Collects problems against a located tree; each problem is reported once."""

    nodes: dict[Path_, Node]
    problems: list[Problem] = field(default_factory=list)
    _seen: set[Problem] = field(default_factory=set)  # a set: a file may hold thousands of problems

    @classmethod
    def of(cls, root: Node) -> Reporter:
        return cls(dict(root.walk()))

    def location(self, path: Path_, *, key: bool = False) -> Location:
        """Where `path` was written (its key when `key` and it has one), else its closest parent."""
        while path not in self.nodes:
            path = path[:-1]
        node = self.nodes[path]
        return (node.key_loc or node.loc) if key else node.loc

    def add(self, path: Path_, message: str, *, at: Path_ | None = None, key: bool = False,
            rule: str | None = None) -> None:
        """Report `message` about the field at `path`, pointing at `at` (default: `path`); `rule` is the
        lint rule it is an instance of, if any."""
        found = problem(path, message, self.location(path if at is None else at, key=key), rule)
        if found not in self._seen:
            self._seen.add(found)
            self.problems.append(found)
