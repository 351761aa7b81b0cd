"""A change as the lines a reviewer reads: each with a mark (`+ - ~`), a depth and its text.

Views (text, markdown) lay the lines out and escape them; what the lines say is decided once,
here and in the per-kind modules beside it (rules, rest, diff).
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# A list of scalars this short, or shorter, stays on one line.
INLINE_CHARS = 60
# The first line of a change whose write also deploys a stage that serves older CORS.
PENDING_DEPLOYMENT = "stage: does not serve this CORS yet; apply deploys the API to it"


class Mark(StrEnum):
    ADD = "+"
    REMOVE = "-"
    CHANGE = "~"
    NOTE = "#"
    SAME = " "


@dataclass(frozen=True)
class Line:
    """One line of a change: `text` is raw (from files and AWS); views escape it."""

    mark: Mark
    depth: int
    text: str


Fold = Callable[[Any], Any]


def same(value: Any) -> Any:
    return value


def scalar(value: Any) -> str:
    """A value as JSON: quoted, and any character beyond ASCII escaped (a Cyrillic a in an origin
    shows as \\u0430, not as a Latin one)."""
    return json.dumps(value, ensure_ascii=True, default=str)


def ascii_text(value: str) -> str:
    """Text shown unquoted, with every character beyond ASCII escaped, as `scalar` does."""
    return value.encode("ascii", "backslashreplace").decode("ascii")


def is_scalar(value: Any) -> bool:
    return not isinstance(value, (Mapping, list, tuple))


def is_scalar_list(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and all(is_scalar(item) for item in value)


def is_empty(value: Any) -> bool:
    """Absent, null or an empty list: services treat them alike (`[]` equals unset)."""
    return value is None or (isinstance(value, (list, tuple, Mapping)) and not value)


def hidden(count: int, what: str) -> list[Line]:
    """The note that stands for unchanged items not shown (Terraform's "unchanged ... hidden")."""
    if not count:
        return []
    return [Line(Mark.NOTE, 0, f"({count} unchanged {what}{'' if count == 1 else 's'} hidden)")]


def indented(lines: Sequence[Line], by: int) -> list[Line]:
    return [Line(line.mark, line.depth + by, line.text) for line in lines]


def value_lines(mark: Mark, key: str, value: Any, depth: int = 0) -> list[Line]:
    """`key: value` with one mark throughout: a short scalar list inline, anything nested as a block."""
    if is_scalar(value):
        return [Line(mark, depth, f"{key}: {scalar(value)}")]
    if is_scalar_list(value):
        inline = "[" + ", ".join(scalar(item) for item in value) + "]"
        if len(inline) <= INLINE_CHARS:
            return [Line(mark, depth, f"{key}: {inline}")]
        return [Line(mark, depth, f"{key}:"), *(Line(mark, depth + 1, scalar(item)) for item in value)]
    lines = [Line(mark, depth, f"{key}:")]
    items = value.items() if isinstance(value, Mapping) else ((f"[{i}]", v) for i, v in enumerate(value))
    for child, item in items:
        lines += value_lines(mark, str(child), item, depth + 1)
    return lines


def field_lines(key: str, before: Any, after: Any, fold: Fold = same) -> list[Line]:
    """How one field that differs changes: added, removed, its list items, or old -> new."""
    if is_empty(before):
        return value_lines(Mark.ADD, key, after)
    if is_empty(after):
        return value_lines(Mark.REMOVE, key, before)
    if is_scalar_list(before) and is_scalar_list(after):
        return [Line(Mark.CHANGE, 0, f"{key}:"), *indented(list_item_lines(before, after, fold), 1)]
    if is_scalar(before) and is_scalar(after):
        return [Line(Mark.CHANGE, 0, f"{key}: {scalar(before)} -> {scalar(after)}")]
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        return [Line(Mark.CHANGE, 0, f"{key}:"), *indented(mapping_lines(before, after), 1)]
    return [*value_lines(Mark.REMOVE, key, before), *value_lines(Mark.ADD, key, after)]


def list_item_lines(before: Sequence[Any], after: Sequence[Any], fold: Fold = same) -> list[Line]:
    """The items of a list that is a set: those added, those removed, and how many stay.

    `fold` is the service's comparison (header names without regard to case, for instance), so an
    item spelled differently but treated alike is not shown as a change."""
    def key(item: Any) -> Any:
        return fold(item) if isinstance(item, str) else item

    old, new = {key(item) for item in before}, {key(item) for item in after}
    added = [Line(Mark.ADD, 0, scalar(item)) for item in _distinct(after, key) if key(item) not in old]
    removed = [Line(Mark.REMOVE, 0, scalar(item)) for item in _distinct(before, key) if key(item) not in new]
    return [*added, *removed, *hidden(len(old & new), "value")]


def _distinct(items: Sequence[Any], key: Fold) -> list[Any]:
    """The first item of each class of equal items, in order."""
    first: dict[Any, Any] = {}
    for item in items:
        first.setdefault(key(item), item)
    return list(first.values())


def mapping_lines(before: Mapping[str, Any], after: Mapping[str, Any],
                  changed: Callable[[str], bool] | None = None, order: Sequence[str] = (),
                  folds: Mapping[str, Fold] | None = None) -> list[Line]:
    """The fields of two mappings that differ (by `changed`, else by equality), in `order` first,
    then as the values list them; the others counted as hidden."""
    differs = changed or (lambda key: before.get(key) != after.get(key))
    keys = ordered_keys(order, before, after)
    lines: list[Line] = []
    for key in keys:
        if differs(key):
            lines += field_lines(str(key), before.get(key), after.get(key), (folds or {}).get(key, same))
    unchanged = sum(1 for key in keys if not differs(key) and not is_empty(after.get(key)))
    return lines + hidden(unchanged, "attribute")


def ordered_keys(order: Sequence[str], *values: Mapping[str, Any]) -> list[str]:
    present = [key for value in values for key in value]
    rest = dict.fromkeys(key for key in present if key not in order)
    return [key for key in order if key in present] + list(rest)
