"""The environment file `import` prints: YAML that corsdeploy reads back to exactly the values imported.

Live names and values may hold anything, so every string that is not plain printable ASCII is
written double-quoted with escapes (no raw control, bidi or non-ASCII character reaches the output,
and no line break inside a value), YAML's own quoting handles `yes`, `<<`, `#`, `: ` and the like,
and a `${` in a value is written `$${`, so `vars` substitution gives it back unchanged.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import yaml

from corsdeploy.imported import Imported
from corsdeploy.model import Kind
from corsdeploy.render.edge import printable

_PLAIN_TEXT = re.compile(r"[\x20-\x7e]*")
# Lists of scalars up to this long are written on one line, as in the contract's examples.
_FLOW_LIST_CHARS = 60
_INDENT = "  "


class _Dumper(yaml.SafeDumper):
    """Block mappings, indented lists, short lists of scalars on one line, strings quoted safely."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _string(dumper: _Dumper, value: str) -> yaml.Node:
    style = None if _PLAIN_TEXT.fullmatch(value) else '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _mapping(dumper: _Dumper, value: Mapping[Any, Any]) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=False)


def _sequence(dumper: _Dumper, value: list[Any]) -> yaml.Node:
    short = all(isinstance(v, str | int) and not isinstance(v, bool) and _PLAIN_TEXT.fullmatch(str(v))
                for v in value) and sum(len(str(v)) + 2 for v in value) <= _FLOW_LIST_CHARS
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=short)


_Dumper.add_representer(str, _string)
_Dumper.add_representer(dict, _mapping)
_Dumper.add_representer(list, _sequence)


def _to_yaml(data: Mapping[str, Any]) -> str:
    """`data` as YAML whose strings survive corsdeploy's `vars` substitution unchanged."""
    text: str = yaml.dump(_escape_references(data), Dumper=_Dumper, sort_keys=False, allow_unicode=False,
                          width=math.inf)
    return text


def _escape_references(value: Any) -> Any:
    """String values with `${` written `$${` (keys are names, never substituted)."""
    if isinstance(value, str):
        return value.replace("${", "$${")
    if isinstance(value, Mapping):
        return {key: _escape_references(child) for key, child in value.items()}
    if isinstance(value, list):
        return [_escape_references(child) for child in value]
    return value


def _comment(text: str, indent: str = "") -> str:
    return f"{indent}# {printable(text)}\n"


def render_import(imported: Imported) -> str:
    """The environment file: a header saying where it was read, `aws`, then each section."""
    where = f"account {imported.account}, region {imported.region}"
    settings = f" with the aws settings of {imported.source}" if imported.source else ""
    lines = [_comment(f"Live CORS imported by `corsdeploy import` from {where}{settings}.")]
    if imported.aws:
        lines.append(_to_yaml({"aws": dict(imported.aws)}))
    for kind in Kind:
        entries = [e for e in imported.entries if e.kind is kind]
        if not entries:
            continue
        lines.append(f"{kind.section}:\n")
        for entry in entries:
            lines.extend(_comment(note, _INDENT) for note in entry.notes)
            block = _to_yaml({entry.name: dict(entry.entry)})
            lines.extend(_INDENT + line for line in block.splitlines(keepends=True))
    return "".join(lines)
