"""The output edge on its own: whole lines redacted, controls escaped, a closed pipe survived."""
from __future__ import annotations

import io

import pytest

from corsdeploy.render.edge import EdgeStream, printable
from tests.conftest import ACCESS_KEY, SECRET_KEY


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_secret_split_across_writes_is_still_redacted() -> None:
    target = io.StringIO()
    edge = EdgeStream(target)
    edge.write(f"key {SECRET_KEY[:10]}")
    edge.write(f"{SECRET_KEY[10:]} and {ACCESS_KEY}\nnext")
    edge.flush()
    assert target.getvalue() == "key *** and ***\nnext"


@pytest.mark.parametrize(("target", "kept"), [(io.StringIO(), False), (Terminal(), True)])
def test_escape_passes_only_to_a_terminal(target: io.StringIO, kept: bool) -> None:
    edge = EdgeStream(target)
    edge.write("\x1b[1mbold\x1b[0m\ttab\r\x07\n")
    edge.flush()
    shown = target.getvalue()
    assert ("\x1b" in shown) is kept
    assert "\t" in shown and "\r" not in shown and "\x07" not in shown and shown.endswith("\\x07\n")


def test_a_reader_that_went_away_swallows_the_rest() -> None:
    edge = EdgeStream(ClosedPipe())
    assert edge.write("one\n") == 4
    edge.write("two\n")
    edge.flush()


def test_printable_keeps_one_line() -> None:
    assert printable("a\nb\u202ec") == "a\\x0ab\\u202ec"
