"""`vars`: `${name}` in any string value is replaced after the files are merged; `$${` is a literal `${`.

Work is bounded whatever the file: variables are resolved without recursion (a chain or cycle of
thousands is fine), no value may expand beyond bounds.MAX_VARIABLE_CHARACTERS, and all substituted
text together stays under bounds.MAX_SUBSTITUTED_CHARACTERS (doubling variables are refused early).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from corsdeploy.config import bounds
from corsdeploy.config.hints import Suggester
from corsdeploy.config.nodes import Node
from corsdeploy.config.paths import Path_, problem
from corsdeploy.config.shown import escaped, quoted
from corsdeploy.errors import Problem

NAME_PATTERN = r"[A-Za-z_][A-Za-z0-9_.-]*"
_REFERENCE = re.compile(rf"\$\$\{{|\$\{{({NAME_PATTERN})\}}|\$\{{")
# A cycle longer than this is shown by its first names and its last.
_CYCLE_SHOWN = 8


def resolve_vars(root: Node) -> tuple[Node, list[Problem]]:
    """The tree with every reference replaced (the `vars` block itself is left as written)."""
    declared = root.value.get("vars")
    values = declared.value if declared is not None and isinstance(declared.value, dict) else {}
    resolver = _Resolver(values)
    for name in values:
        resolver.resolve(name)
    out = {
        key: child if key == "vars" else resolver.substitute(child, (key,))
        for key, child in root.value.items()
    }
    return Node(out, root.loc, root.key_loc), resolver.problems


def _references(text: str) -> Iterator[str]:
    """The names a variable's text refers to, in order."""
    for match in _REFERENCE.finditer(text):
        if match.group(1) is not None:
            yield match.group(1)


@dataclass
class _Resolver:
    """Resolves references; a variable's value may itself refer to other variables (cycles are errors)."""

    declared: dict[str, Node]
    problems: list[Problem] = field(default_factory=list)
    _done: dict[str, str] = field(default_factory=dict)
    _substituted: int = 0
    _exhausted: bool = False
    _hints: Suggester = field(default_factory=Suggester)

    def resolve(self, start: str) -> None:
        """Resolve `start` and every variable it needs, depth first with an explicit stack."""
        stack: list[tuple[str, Iterator[str]]] = []
        on_stack: dict[str, int] = {}

        def push(name: str) -> None:
            raw = self.declared[name].value
            on_stack[name] = len(stack)
            stack.append((name, _references(raw) if isinstance(raw, str) else iter(())))

        if start not in self._done:
            push(start)
        while stack:
            name, references = stack[-1]
            pending = next((r for r in references if r in self.declared and r not in self._done), None)
            if pending is None:
                stack.pop()
                del on_stack[name]
                self._done.setdefault(name, self.value_of(name))
            elif pending in on_stack:
                self.report_cycle([n for n, _ in stack[on_stack[pending]:]])
            else:
                push(pending)

    def report_cycle(self, cycle: list[str]) -> None:
        """Report the cycle once, at its first variable, and give each of its variables no value."""
        names = [*cycle, cycle[0]]
        if len(cycle) > _CYCLE_SHOWN + 2:
            names = [*cycle[:_CYCLE_SHOWN], "...", cycle[-1], cycle[0]]
        shown = " -> ".join(n if n == "..." else escaped(n) for n in names)
        size = f" ({len(cycle)} variables)" if len(cycle) > _CYCLE_SHOWN + 2 else ""
        self.problems.append(problem(("vars", cycle[0]), f"variable cycle: {shown}{size}",
                                     self.declared[cycle[0]].loc))
        for name in cycle:
            self._done[name] = ""

    def value_of(self, name: str) -> str:
        """A variable's value once everything it refers to is resolved."""
        target = self.declared[name]
        raw = target.value
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            return ""  # the schema reports the bad type at the variable itself
        if not isinstance(raw, str):
            return str(raw)
        return self.expand(raw, target, ("vars", name))

    def substitute(self, node: Node, path: Path_) -> Node:
        if isinstance(node.value, dict):
            return replace(node, value={k: self.substitute(v, (*path, k)) for k, v in node.value.items()})
        if isinstance(node.value, list):
            return replace(node, value=[self.substitute(v, (*path, i)) for i, v in enumerate(node.value)])
        if isinstance(node.value, str) and "${" in node.value:
            return replace(node, value=self.expand(node.value, node, path))
        return node

    def expand(self, text: str, node: Node, path: Path_) -> str:
        """The text with references replaced; "" (and a problem) when it would grow past a bound."""
        if self._exhausted:
            return ""
        parts: list[str] = []
        size = end = 0
        for match in _REFERENCE.finditer(text):
            part = text[end:match.start()] + self.replacement(match, node, path)
            parts.append(part)
            size += len(part)
            end = match.end()
            if size > bounds.MAX_VARIABLE_CHARACTERS:
                self.problems.append(problem(path, f"expands to more than {bounds.MAX_VARIABLE_CHARACTERS:,} "
                                                   "characters", node.loc))
                return ""
        parts.append(text[end:])
        self._substituted += size
        if self._substituted > bounds.MAX_SUBSTITUTED_CHARACTERS:
            self._exhausted = True
            self.problems.append(problem(path, "variables expand to more than "
                                               f"{bounds.MAX_SUBSTITUTED_CHARACTERS:,} characters in all "
                                               "(counted up to here)", node.loc))
            return ""
        return "".join(parts)

    def replacement(self, match: re.Match[str], node: Node, path: Path_) -> str:
        token, name = match.group(0), match.group(1)
        if token == "$${":
            return "${"
        if name is None:
            self.problems.append(problem(
                path, f"{quoted(text_near(match))}: '${{' must start a reference ${{name}}; "
                "write '$${' for a literal '${'", node.loc))
            return token
        if name in self._done:
            return self._done[name]
        close = self._hints.suggest(name, self.declared)
        hint = f"; did you mean {quoted(close)}?" if close else (
            "" if self.declared else "; no vars are defined")
        self.problems.append(problem(path, f"unknown variable ${{{escaped(name)}}}{hint}", node.loc))
        return token + name + "}"


def text_near(match: re.Match[str]) -> str:
    """The malformed reference as written, up to the next space or closing brace."""
    rest = match.string[match.start():match.start() + 200]
    end = min((i for i in (rest.find(" "), rest.find("}") + 1) if i > 0), default=len(rest))
    return rest[:end]
