"""The progress bar: on a terminal only, never in a pipe, a CI log or a dumb terminal, and only for
many resources; it shows done/total, the rate and the time to go, and lines print above it."""
from __future__ import annotations

import io
import threading

import pytest
from rich.console import Console

from corsdeploy.render.progress import MIN_RESOURCES_FOR_A_BAR, progress_bar, wanted


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("stream", "environ", "shown"), [
    (Terminal(), {"TERM": "xterm-256color"}, True),
    (io.StringIO(), {"TERM": "xterm-256color"}, False),  # piped or redirected
    (Terminal(), {"TERM": "xterm", "CI": "true"}, False),  # a CI log, even behind a pseudo-terminal
    (Terminal(), {"TERM": "dumb"}, False),
])
def test_a_bar_is_wanted_only_on_a_terminal_outside_ci(stream: io.StringIO, environ: dict[str, str],
                                                         shown: bool) -> None:
    assert wanted(stream, environ) is shown


def test_a_bar_on_a_terminal_shows_done_left_rate_and_time_to_go() -> None:
    terminal = Terminal()
    total = MIN_RESOURCES_FOR_A_BAR * 2
    with progress_bar("applying", total, {"TERM": "xterm"}, terminal) as bar:
        assert bar.active
        workers = [threading.Thread(target=bar.advance) for _ in range(3)]  # from any thread
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        bar._progress.refresh()  # type: ignore[union-attr]
        drawn = terminal.getvalue()
    assert "applying" in drawn and f"3/{total}" in drawn and "/s" in drawn and "-:--:--" in drawn


@pytest.mark.parametrize(("stream", "total"),
                         [(io.StringIO(), 100), (Terminal(), MIN_RESOURCES_FOR_A_BAR - 1)])
def test_no_bar_in_a_pipe_or_for_a_few_resources_and_lines_go_where_they_always_went(
        stream: io.StringIO, total: int) -> None:
    out = io.StringIO()
    with progress_bar("reading", total, {"TERM": "xterm"}, stream) as bar:
        assert not bar.active
        bar.advance()
        bar.print_above(Console(file=out, highlight=False), "  applied s3_bucket.a (update)")
    assert stream.getvalue() == "" and out.getvalue() == "  applied s3_bucket.a (update)\n"


def test_a_line_for_a_terminal_while_the_bar_is_drawn_goes_above_the_bar_not_under_it() -> None:
    bar_terminal, stdout_terminal = Terminal(), Terminal()
    with progress_bar("applying", 50, {"TERM": "xterm"}, bar_terminal) as bar:
        bar.print_above(Console(file=stdout_terminal, force_terminal=True), "  applied s3_bucket.a (update)")
    # Both are one screen: printed through the bar, the line is not overwritten by its next redraw.
    assert "applied s3_bucket.a" in bar_terminal.getvalue() and stdout_terminal.getvalue() == ""
