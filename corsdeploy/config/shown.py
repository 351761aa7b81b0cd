"""Values and names as config messages show them: control characters escaped, long ones cut short.

Environment files may come from untrusted pull requests, so nothing a file holds reaches a message
unbounded or with a character that could move the terminal's cursor or reorder the line.
"""
from __future__ import annotations

from typing import Any

VALUE_LIMIT = 40
NAME_LIMIT = 100
ERROR_LIMIT = 300
_ELLIPSIS = "..."


def _cut(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[: limit - len(_ELLIPSIS)] + _ELLIPSIS


def quoted(value: Any, limit: int = VALUE_LIMIT) -> str:
    """The value as Python writes it ('text', 3, ['a']), cut to about `limit` characters."""
    if isinstance(value, str):
        return repr(_cut(value, limit))  # repr escapes every non-printable character
    return _cut(repr(value), limit)  # a list's or mapping's repr escapes the strings inside


def escaped(text: str, limit: int | None = NAME_LIMIT) -> str:
    """A name as written, unquoted, with non-printable characters written as escapes (None: never cut)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in _cut(text, limit))


def described(error: BaseException) -> str:
    """An exception as a message quotes it, `Type: message`, escaped and cut short: what went wrong
    reading a file may repeat any of the file's content."""
    return escaped(f"{type(error).__name__}: {error}", ERROR_LIMIT)
