"""A progress bar on stderr while many resources are read, written or created: what is done, what is
left, the rate and the time to go. Only on a terminal: never in a pipe, a CI log or a dumb terminal."""
from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Mapping
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

# Fewer resources than this finish before a bar would tell anyone anything.
MIN_RESOURCES_FOR_A_BAR = 10


def wanted(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """A bar only where a person watches: a terminal, not a CI job (CI is set by every major CI
    service), not TERM=dumb (no cursor movement)."""
    return stream.isatty() and not environ.get("CI") and environ.get("TERM") != "dumb"


class RateColumn(ProgressColumn):
    """Resources per second, as rich measures it over the last moments."""

    def render(self, task: Task) -> Text:
        return Text("-/s" if task.speed is None else f"{task.speed:.1f}/s", style="progress.data.speed")


class Bar:
    """One task's bar; `advance` may be called from any thread. Inactive (does nothing) off a terminal."""

    def __init__(self, progress: Progress | None, description: str, total: int) -> None:
        self._progress = progress
        self._task = progress.add_task(description, total=total) if progress else None

    @property
    def active(self) -> bool:
        return self._progress is not None

    def advance(self) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)

    def print_above(self, console: Console, markup: str) -> None:
        """Print a line (already escaped and redacted) on `console`; while the bar is drawn on the same
        terminal, above the bar instead, so the two do not overwrite each other."""
        if self._progress is not None and console.is_terminal:
            self._progress.console.print(markup, highlight=False, soft_wrap=True)
        else:
            console.print(markup, highlight=False, soft_wrap=True)


@contextlib.contextmanager
def progress_bar(description: str, total: int, environ: Mapping[str, str] | None = None,
                 stream: TextIO | None = None) -> Iterator[Bar]:
    """A bar for `total` items on `stream` (default: the process's stderr), shown while the block runs
    when `wanted` and there are many; removed when it ends (the lines printed above it stay)."""
    stream = stream or sys.__stderr__
    environ = os.environ if environ is None else environ
    if stream is None or total < MIN_RESOURCES_FOR_A_BAR or not wanted(stream, environ):
        yield Bar(None, description, total)
        return
    # The real stderr, not the output edge: the edge escapes the carriage returns a bar redraws with,
    # and the bar shows only our own words and numbers (lines printed above it are escaped already).
    console = Console(file=stream, highlight=False)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
               RateColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True, redirect_stdout=False,
                  redirect_stderr=False) as progress:
        yield Bar(progress, description, total)
