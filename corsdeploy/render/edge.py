"""The output edge: every character the CLI prints passes here on its way out.

Credentials are redacted (they can surface inside AWS error messages or anything an endpoint
echoes), control characters are escaped (names and messages come from files and from AWS), and a
reader that went away (`corsdeploy plan | head -1`) ends output quietly instead of failing the run.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
from typing import TextIO

_CREDENTIAL_VARIABLES = (
    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ACCESS_KEY_ID")
_ACCESS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")
# C0 and C1 controls and DEL, plus the Unicode controls that reorder or break lines on a terminal.
_UNICODE_CONTROLS = r"\u2028\u2029\u202a-\u202e\u2066-\u2069"
_ANY_CONTROL = re.compile(rf"[\x00-\x1f\x7f-\x9f{_UNICODE_CONTROLS}]")
# What may pass in lines of output: newline and tab; ESC too on a terminal (the console's colours).
_CONTROL_IN_LINES = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f{_UNICODE_CONTROLS}]")
_CONTROL_IN_COLOURED_LINES = re.compile(rf"[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f-\x9f{_UNICODE_CONTROLS}]")
REDACTED = "***"


def redact(text: str) -> str:
    """`text` without any credential of this process (and without anything shaped like an access key)."""
    for name in _CREDENTIAL_VARIABLES:
        value = os.environ.get(name)
        if value and len(value) >= 8:
            text = text.replace(value, REDACTED)
    return _ACCESS_KEY_ID.sub(REDACTED, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """One line of text with every control character (newlines included) shown as an escape."""
    return _ANY_CONTROL.sub(_escaped, text)


class EdgeStream(io.TextIOBase):
    """Wraps stdout or stderr: redacts whole lines, escapes controls, survives a closed pipe.

    Lines are redacted whole, so a credential split across two writes is still caught. Newlines and
    tabs pass; ESC passes only to a terminal, where the console adds its own colours (names and
    messages are escaped before they reach the console: `printable`).
    """

    def __init__(self, target: TextIO) -> None:
        super().__init__()
        self._target = target
        self._pending = ""
        self._reader_gone = False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._target, "encoding", None) or "utf-8"

    def isatty(self) -> bool:
        return self._target.isatty()

    def fileno(self) -> int:
        return self._target.fileno()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._pending += text
        complete, newline, rest = self._pending.rpartition("\n")
        if newline:
            self._pending = rest
            self._emit(complete + newline)
        return len(text)

    def flush(self) -> None:
        if self._pending:
            pending, self._pending = self._pending, ""
            self._emit(pending)
        if not self._reader_gone:
            try:
                self._target.flush()
            except BrokenPipeError:
                self._lose_reader()

    def _emit(self, text: str) -> None:
        if self._reader_gone:
            return
        controls = _CONTROL_IN_COLOURED_LINES if self.isatty() else _CONTROL_IN_LINES
        try:
            self._target.write(controls.sub(_escaped, redact(text)))
        except BrokenPipeError:
            self._lose_reader()

    def _lose_reader(self) -> None:
        """Drop the rest of the output; the stream's file now leads nowhere, so the final flush
        at exit cannot fail either (the Python documentation's advice for SIGPIPE)."""
        self._reader_gone = True
        with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._target.fileno())
            os.close(devnull)
