"""Ctrl-C and SIGTERM during a write: the signal handler only records them; the thread running the
apply decides what to do (stop starting writes, or stop waiting). Imports no AWS code."""
from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
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
