"""Problems pinned to where they were written: file:line:col, the resource address, the field path."""
from __future__ import annotations

from dataclasses import dataclass, field

from corsdeploy.config.nodes import Node, Path_
from corsdeploy.errors import Problem
from corsdeploy.model import Kind, Location

SECTION_KINDS = {kind.section: kind for kind in Kind}


def render_path(parts: Path_) -> str:
    """`AllowedMethods[2]`, `aws.account_id`, `gateway_responses[0]`."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _inside_rules(parts: Path_) -> Path_:
    """A path inside S3 rules, from the rule's own fields down (the location says which rule)."""
    if parts[:1] == ("CORSRules",):
        parts = parts[1:]
    return parts[1:] if parts[:1] and isinstance(parts[0], int) else parts


def describe(path: Path_) -> tuple[str | None, str]:
    """The address a path belongs to (if any) and how to name the field within it."""
    if len(path) >= 2 and path[0] in SECTION_KINDS:
        kind = SECTION_KINDS[str(path[0])]
        address, rest = f"{kind.value}.{path[1]}", path[2:]
        if rest[:1] == ("cors",) and len(rest) > 1:
            inner = rest[1:]
            return address, render_path(_inside_rules(inner) if kind is Kind.S3_BUCKET else inner)
        return address, render_path(rest)
    if len(path) >= 2 and path[0] == "policies":
        field = render_path(_inside_rules(path[2:]))
        return None, f"policies.{path[1]}" + (f": {field}" if field else "")
    return None, render_path(path)


@dataclass
class Reporter:
    """Collects problems against a located tree; each problem is reported once."""

    nodes: dict[Path_, Node]
    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def of(cls, root: Node) -> Reporter:
        return cls(dict(root.walk()))

    def location(self, path: Path_, *, key: bool = False) -> Location:
        """Where `path` was written (its key when `key` and it has one), else its closest parent."""
        while path not in self.nodes:
            path = path[:-1]
        node = self.nodes[path]
        return (node.key_loc or node.loc) if key else node.loc

    def add(self, path: Path_, message: str, *, at: Path_ | None = None, key: bool = False) -> None:
        """Report `message` about the field at `path`, pointing at `at` (default: `path`)."""
        address, name = describe(path)
        problem = Problem(f"{name}: {message}" if name else message,
                          self.location(path if at is None else at, key=key), address)
        if problem not in self.problems:
            self.problems.append(problem)
