"""`vars`: `${name}` in any string value is replaced after the files are merged; `$${` is a literal `${`."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace

from corsdeploy.config.nodes import Node
from corsdeploy.config.paths import Path_, problem
from corsdeploy.config.shown import escaped, quoted
from corsdeploy.errors import Problem

NAME_PATTERN = r"[A-Za-z_][A-Za-z0-9_.-]*"
_REFERENCE = re.compile(rf"\$\$\{{|\$\{{({NAME_PATTERN})\}}|\$\{{")


def resolve_vars(root: Node) -> tuple[Node, list[Problem]]:
    """The tree with every reference replaced (the `vars` block itself is left as written)."""
    declared = root.value.get("vars")
    values = declared.value if declared is not None and isinstance(declared.value, dict) else {}
    resolver = _Resolver(values)
    for name, node in values.items():
        resolver.value_of(name, node, ("vars", name))
    out = {
        key: child if key == "vars" else resolver.substitute(child, (key,))
        for key, child in root.value.items()
    }
    return Node(out, root.loc, root.key_loc), resolver.problems


@dataclass
class _Resolver:
    """Resolves references; a variable's value may itself refer to other variables (cycles are errors)."""

    declared: dict[str, Node]
    problems: list[Problem] = field(default_factory=list)
    _done: dict[str, str] = field(default_factory=dict)
    _stack: list[str] = field(default_factory=list)

    def substitute(self, node: Node, path: Path_) -> Node:
        if isinstance(node.value, dict):
            return replace(node, value={k: self.substitute(v, (*path, k)) for k, v in node.value.items()})
        if isinstance(node.value, list):
            return replace(node, value=[self.substitute(v, (*path, i)) for i, v in enumerate(node.value)])
        if isinstance(node.value, str) and "${" in node.value:
            return replace(node, value=self.expand(node.value, node, path))
        return node

    def expand(self, text: str, node: Node, path: Path_) -> str:
        return _REFERENCE.sub(lambda match: self.replacement(match, node, path), text)

    def replacement(self, match: re.Match[str], node: Node, path: Path_) -> str:
        token, name = match.group(0), match.group(1)
        if token == "$${":
            return "${"
        if name is None:
            self.problems.append(problem(
                path, f"{quoted(text_near(match))}: '${{' must start a reference ${{name}}; "
                "write '$${' for a literal '${'", node.loc))
            return token
        return self.value_of(name, node, path)

    def value_of(self, name: str, node: Node, path: Path_) -> str:
        if name in self._done:
            return self._done[name]
        target = self.declared.get(name)
        if target is None:
            close = difflib.get_close_matches(name, list(self.declared), n=1)
            hint = f"; did you mean {quoted(close[0])}?" if close else (
                "" if self.declared else "; no vars are defined")
            self.problems.append(problem(path, f"unknown variable ${{{escaped(name)}}}{hint}", node.loc))
            return f"${{{name}}}"
        if name in self._stack:
            cycle = " -> ".join(escaped(n) for n in [*self._stack[self._stack.index(name):], name])
            self.problems.append(problem(("vars", name), f"variable cycle: {cycle}", target.loc))
            return ""
        raw = target.value
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            return ""  # the schema reports the bad type at the variable itself
        self._stack.append(name)
        try:
            value = self.expand(raw, target, ("vars", name)) if isinstance(raw, str) else str(raw)
        finally:
            self._stack.pop()
        self._done[name] = value
        return value


def text_near(match: re.Match[str]) -> str:
    """The malformed reference as written, up to the next space or closing brace."""
    rest = match.string[match.start():]
    end = min((i for i in (rest.find(" "), rest.find("}") + 1) if i > 0), default=len(rest))
    return rest[:end]
