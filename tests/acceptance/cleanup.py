"""Deleting what a run created: a registry run in reverse order that tries every deletion, and a
SIGTERM handler so a killed run (CI cancelling a job) cleans up as Ctrl-C does."""
from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import NoReturn


@dataclass(frozen=True)
class Failure:
    """A deletion that did not happen: what, and why."""

    description: str
    error: str

    def __str__(self) -> str:
        return f"{self.description}: {self.error}"


class CleanupRegistry:
    """Deletions registered as resources are made (before each create, so a create interrupted
    half-way is still cleaned up: each deletion treats "not found" as done)."""

    def __init__(self, log: Callable[[str], None] = print) -> None:
        self._log = log
        self._actions: list[tuple[str, Callable[[], None]]] = []
        self.failures: list[Failure] = []

    def __len__(self) -> int:
        return len(self._actions)

    def add(self, description: str, action: Callable[[], None]) -> None:
        self._actions.append((description, action))

    def run(self) -> list[Failure]:
        """Run every deletion, newest first; one failing (or interrupted) never stops the others."""
        failures = []
        while self._actions:
            description, action = self._actions.pop()
            try:
                action()
            # A second Ctrl-C during clean-up abandons one deletion, not the rest.
            except (Exception, KeyboardInterrupt) as error:
                failures.append(Failure(description, f"{type(error).__name__}: {error}"))
        if failures:
            self._log("acceptance clean-up could NOT delete (remove these by hand):")
            for failure in failures:
                self._log(f"  - {failure}")
        self.failures.extend(failures)
        return failures


def _interrupt(signum: int, frame: FrameType | None) -> NoReturn:
    raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")


@contextmanager
def sigterm_raises_keyboard_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM unwinds like Ctrl-C, so `finally` clean-ups run; then the old handler."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def cleaned_up(log: Callable[[str], None] = print) -> Iterator[CleanupRegistry]:
    """A registry whose deletions all run when the block ends, however it ends (an error, Ctrl-C,
    SIGTERM); its `failures` then list what could not be deleted."""
    registry = CleanupRegistry(log)
    with sigterm_raises_keyboard_interrupt():
        try:
            yield registry
        finally:
            registry.run()
