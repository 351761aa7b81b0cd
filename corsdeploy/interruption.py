"""Ctrl-C and SIGTERM during a write: the signal handler only records them; the thread running the
apply decides what to do (stop starting writes, or stop waiting). Imports no AWS code.

A write in flight waits only for AWS's answer once a stop is asked for: its waits to retry a
throttled call or to see its write take effect end at once (`interruptible_sleep`), since a CI
runner that sent SIGTERM kills the job seconds later, and a run killed before it records what it
changed loses that.
"""
from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar
from types import FrameType

# The signals a CI runner or a person sends to stop a job.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interruption:
    """What signals arrived while `catching()`: the first sets `stop` (start no more writes, finish
    those in flight), a second sets `abandon` (stop waiting for them too)."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.abandon = threading.Event()
        self.signal: signal.Signals | None = None

    @property
    def interrupted(self) -> bool:
        return self.stop.is_set()

    def request(self, signum: int) -> None:
        """Record one signal (also what a test calls instead of sending one)."""
        if self.stop.is_set():
            self.abandon.set()
            return
        self.signal = signal.Signals(signum)
        self.stop.set()

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self.request(signum)

    @contextlib.contextmanager
    def catching(self) -> Iterator[None]:
        """Route SIGINT and SIGTERM here for the block (only the main thread can), then put back the
        handlers that were there: outside the writes, a signal stops the command as it always did."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {s: signal.signal(s, self._on_signal) for s in STOP_SIGNALS}
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)


class Interrupted(Exception):
    """A wait that an interruption cut short: the write it belongs to may or may not have happened."""


# The stop that cuts the current thread's waits short (None: nothing does, e.g. the state writes).
_STOP: ContextVar[threading.Event | None] = ContextVar("corsdeploy_stop", default=None)


@contextlib.contextmanager
def waits_cut_short_by(stop: threading.Event) -> Iterator[None]:
    """For the block, on this thread: `interruptible_sleep` ends early, raising Interrupted, once
    `stop` is set."""
    token = _STOP.set(stop)
    try:
        yield
    finally:
        _STOP.reset(token)


def interruptible_sleep(seconds: float) -> None:
    """time.sleep, unless this thread's work is told to stop: then it raises Interrupted at once."""
    stop = _STOP.get()
    if stop is None:
        time.sleep(seconds)
    elif stop.wait(seconds):
        raise Interrupted(f"interrupted while waiting {seconds:.1f}s")
