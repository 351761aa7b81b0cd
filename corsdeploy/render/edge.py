"""The output edge: every character the CLI prints passes here on its way out.

Credentials are redacted (they can surface inside AWS error messages or anything an endpoint
echoes): whole, URL-encoded, any access key id, and any 16-character piece of one. Values are
shortened (a 10 MB value is not a 10 MB line), and control characters are escaped (names and
messages come from files and from AWS), in that order: cutting first could keep half a secret.
A reader that went away (`corsdeploy plan | head -1`) ends output quietly instead of failing the run.
"""
from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import threading
from collections.abc import Iterable
from typing import TextIO
from urllib.parse import quote, quote_plus

_CREDENTIAL_VARIABLES = (
    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ACCESS_KEY_ID",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN")
# Credentials obtained elsewhere (an assumed role's are never in the environment): register_secret.
# One value, replaced under the lock and never changed, so every line printed reads it without one.
_registered: tuple[str, ...] = ()
_REGISTERING = threading.Lock()
_ACCESS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
# Shorter values ("testing") are too common to redact wherever they appear.
_MIN_SECRET_LENGTH = 8
# A piece of a secret this long is redacted wherever it appears (a token wrapped across lines).
FRAGMENT_LENGTH = 16
# Pieces are looked for every _STRIDE characters with _PROBE-character probes: any piece of
# FRAGMENT_LENGTH characters holds a whole probe that starts on a stride.
_STRIDE = 8
_PROBE = FRAGMENT_LENGTH - _STRIDE + 1
REDACTED = "***"

# Longer words are cut to their first _WORD_KEPT characters; longer texts to MAX_TEXT_CHARS.
MAX_WORD_CHARS = 200
_WORD_KEPT = 80
MAX_TEXT_CHARS = 1000
_LONG_WORD = re.compile(rf"\S{{{MAX_WORD_CHARS + 1},}}")

# C0 and C1 controls and DEL; soft hyphen, invisible formatting and bidi controls (which reorder a
# line: "Trojan Source"); line and paragraph separators; BOM; lone surrogates (which no encoder
# writes); Unicode tag characters.
_INVISIBLE = ("\xad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb"
              "\ud800-\udfff\U000e0000-\U000e007f")
_ANY_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{_INVISIBLE}]")
# What may pass in lines of output: newline and tab; ESC too on a terminal (the console's colours).
_CONTROL_IN_LINES = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_INVISIBLE}]")
_CONTROL_IN_COLOURED_LINES = re.compile(f"[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f-\x9f{_INVISIBLE}]")


def register_secret(*values: str | None) -> None:
    """Redact these from all output from now on (the client factory's credentials)."""
    global _registered
    with _REGISTERING:
        added = (v for v in values if v and len(v) >= _MIN_SECRET_LENGTH)
        _registered = tuple(sorted({*_registered, *added}))


def _known_secrets() -> tuple[str, ...]:
    # The environment is read on every call (it may change); combining is cached, as every line asks.
    return _combined(tuple(os.environ.get(name) for name in _CREDENTIAL_VARIABLES), _registered)


@functools.lru_cache(maxsize=8)
def _combined(from_environment: tuple[str | None, ...], registered: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted({v for v in (*from_environment, *registered) if v and len(v) >= _MIN_SECRET_LENGTH}))


class _Secrets:
    """Every form of the known secrets, and their pieces, for fast lookups."""

    def __init__(self, secrets: Iterable[str]) -> None:
        forms = {form for secret in secrets for form in (secret, quote(secret), quote(secret, safe=""),
                                                         quote_plus(secret))}
        # Longest first: a secret that contains another is replaced whole.
        self.forms = sorted(forms, key=len, reverse=True)
        self.probes = {f[i:i + _PROBE] for f in forms for i in range(len(f) - _PROBE + 1)}
        self.pieces = {f[i:i + FRAGMENT_LENGTH] for f in forms for i in range(len(f) - FRAGMENT_LENGTH + 1)}


@functools.lru_cache(maxsize=8)
def _index(secrets: tuple[str, ...]) -> _Secrets:
    return _Secrets(secrets)


def _without_whole_secrets(text: str, secrets: _Secrets) -> str:
    for form in secrets.forms:
        text = text.replace(form, REDACTED)
    return _ACCESS_KEY_ID.sub(REDACTED, text)


def _without_pieces(text: str, secrets: _Secrets) -> str:
    """`text` with every run of FRAGMENT_LENGTH or more characters found in a secret replaced."""
    if not secrets.pieces:
        return text
    covered: list[tuple[int, int]] = []
    for probe in range(0, len(text) - _PROBE + 1, _STRIDE):
        if text[probe:probe + _PROBE] not in secrets.probes:
            continue
        for start in range(max(0, probe - _STRIDE + 1), probe + 1):
            if text[start:start + FRAGMENT_LENGTH] in secrets.pieces:
                end = start + FRAGMENT_LENGTH
                if covered and start <= covered[-1][1]:
                    covered[-1] = (covered[-1][0], max(covered[-1][1], end))
                else:
                    covered.append((start, end))
    if not covered:
        return text
    kept, position = [], 0
    for start, end in covered:
        kept += [text[position:start], REDACTED]
        position = end
    return "".join(kept) + text[position:]


def redact(text: str) -> str:
    """`text` without any credential of this process, whole, URL-encoded or in pieces (and without
    anything shaped like an access key id)."""
    secrets = _index(_known_secrets())
    return _without_pieces(_without_whole_secrets(text, secrets), secrets)


def _cut_word(match: re.Match[str]) -> str:
    word = match.group(0)
    return f"{word[:_WORD_KEPT]}...({len(word)} chars)"


def _shortened(text: str) -> str:
    text = _LONG_WORD.sub(_cut_word, text)
    return text if len(text) <= MAX_TEXT_CHARS else f"{text[:MAX_TEXT_CHARS]}...({len(text)} chars)"


def bounded(text: str) -> str:
    """A message or value as it may be shown: redacted, then shortened (controls left as they are,
    for formats that escape their own: JSON)."""
    secrets = _index(_known_secrets())
    # Pieces are looked for after cutting (in what is kept): a piece cut shorter than
    # FRAGMENT_LENGTH is no more than any piece that short.
    return _without_pieces(_shortened(_without_whole_secrets(text, secrets)), secrets)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str) -> str:
    """One short line: redacted, shortened, and every control character (newlines included) shown
    as an escape."""
    return _ANY_CONTROL.sub(_escaped, bounded(text))


class EdgeStream(io.TextIOBase):
    """Wraps stdout or stderr: redacts whole lines, escapes controls, survives a closed pipe.

    Lines are redacted whole, so a credential split across two writes is still caught. Newlines and
    tabs pass; ESC passes only to a terminal, where the console adds its own colours (names and
    messages are escaped before they reach the console: `printable`). A character the target
    cannot encode is written as an escape rather than failing the run.
    """

    def __init__(self, target: TextIO) -> None:
        super().__init__()
        self._target = target
        self._terminal = target.isatty()
        self._pending = ""
        self._reader_gone = False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._target, "encoding", None) or "utf-8"

    def isatty(self) -> bool:
        return self._terminal

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
        shown = controls.sub(_escaped, redact(text))
        try:
            try:
                self._target.write(shown)
            except UnicodeEncodeError:
                self._target.write(shown.encode(self.encoding, "backslashreplace").decode(self.encoding))
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
