"""One writer per environment: a lock document created only if none exists (`Store.create`).

In a folder store that is a file created with O_CREAT|O_EXCL; in S3 a PutObject with
`If-None-Match: *`. The lock names its holder (user@host, pid, caller identity, since when), so a
second writer is told who to wait for; `unlock` removes a lock left by a run that crashed.
"""
from __future__ import annotations

import contextlib
import getpass
import os
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from corsdeploy.config.shown import described, escaped, quoted
from corsdeploy.errors import CorsdeployError, LockError
from corsdeploy.state.names import checked_lock_id, lock_key, new_lock_id
from corsdeploy.state.store import Store, Stored, StoreError, decoded, encoded

LOCK_FORMAT_VERSION = 1
# How often a waiting writer looks again; short at first, since most holders finish quickly.
FIRST_POLL_SECONDS = 0.5
MAX_POLL_SECONDS = 5.0
_RETRIES_WHEN_RELEASED = 5


@dataclass(frozen=True)
class LockInfo:
    lock_id: str
    environment: str
    operation: str
    user: str
    host: str
    pid: int
    caller: str | None
    since: str

    def document(self) -> dict[str, Any]:
        return {"format_version": LOCK_FORMAT_VERSION, "lock_id": self.lock_id,
                "environment": self.environment, "operation": self.operation, "user": self.user,
                "host": self.host, "pid": self.pid, "caller": self.caller, "since": self.since}

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> LockInfo:
        """KeyError, TypeError or ValueError when `document` is not a lock corsdeploy wrote."""
        if document["format_version"] != LOCK_FORMAT_VERSION:
            raise ValueError(f"format version {quoted(document['format_version'])}")
        fields = {name: document[name] for name in
                  ("lock_id", "environment", "operation", "user", "host", "pid", "caller", "since")}
        if not isinstance(fields["pid"], int) or not all(
                isinstance(fields[name], str) for name in fields if name not in ("pid", "caller")):
            raise TypeError("a field has the wrong type")
        return cls(**fields)

    def holder(self) -> str:
        """Who holds it and since when, in one line."""
        # A lock in a shared state bucket is anyone's with write access there: shown escaped.
        caller = f", {escaped(self.caller)}" if self.caller else ""
        return (f"lock {escaped(self.lock_id)} held by {escaped(self.user)}@{escaped(self.host)} "
                f"(pid {self.pid}{caller}) for {escaped(self.operation)} since {escaped(self.since)}")


@dataclass(frozen=True)
class Lock:
    """A lock as stored: what it says, and its version (a removal removes only that version)."""

    info: LockInfo
    version: str


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers) and no USER variable
        return f"uid {os.getuid()}"


class Locks:
    def __init__(self, store: Store, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self._sleep, self._clock = sleep, clock

    def holder(self, environment: str) -> Lock | None:
        """The lock held on `environment`, or None when it is free."""
        key = lock_key(environment)
        stored = self.store.get(key)
        if stored is None:
            return None
        try:
            return Lock(LockInfo.from_document(decoded(self.store, key, stored)), stored.version)
        except (KeyError, TypeError, ValueError, CorsdeployError) as error:
            raise LockError(
                f"environment {environment!r} is locked, but its lock {self.store.where(key)} cannot be "
                f"read ({described(error)}); if no corsdeploy run is active, delete that lock "
                "by hand") from error

    def acquire(self, environment: str, operation: str, caller: str | None, timeout: float = 0.0,
                waiting: Callable[[LockInfo], None] | None = None) -> Lock:
        """Take the lock, waiting up to `timeout` seconds for its holder; LockError when it stays held."""
        info = LockInfo(new_lock_id(), environment, operation, _user(), socket.gethostname(), os.getpid(),
                        caller, datetime.now(UTC).isoformat(timespec="seconds"))
        deadline, delay, told = self._clock() + timeout, FIRST_POLL_SECONDS, False
        vanished = 0
        while True:
            created = self._create(info)
            if created is not None:
                return Lock(info, created.version)
            held = self.holder(environment)
            if held is None:  # released between the two calls: try again at once, a few times
                vanished += 1
                if vanished > _RETRIES_WHEN_RELEASED:
                    raise LockError(f"the lock {self.store.where(lock_key(environment))} cannot be taken: "
                                    "the store refuses to create it but holds none")
                continue
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise LockError(_refusal(environment, held.info, timeout))
            if waiting is not None and not told:
                waiting(held.info)
                told = True
            self._sleep(min(delay, remaining))
            delay = min(delay * 2, MAX_POLL_SECONDS)

    def _create(self, info: LockInfo) -> Stored | None:
        try:
            return self.store.create(lock_key(info.environment), encoded(info.document()))
        except StoreError as error:
            raise LockError(f"the lock of environment {info.environment!r} could not be taken: {error}; "
                            "nothing was read or changed") from error

    def release(self, held: Lock) -> None:
        """Remove the lock if it is still this one (an operator may have unlocked it meanwhile)."""
        self.store.delete(lock_key(held.info.environment), held.version)

    def unlock(self, environment: str, lock_id: str) -> LockInfo:
        """Remove the lock `lock_id` of `environment` (left by a crashed run); LockError otherwise."""
        checked_lock_id(lock_id)
        held = self.holder(environment)
        if held is None:
            raise LockError(f"environment {environment!r} is not locked; nothing was changed")
        info = held.info
        if info.lock_id != lock_id:
            raise LockError(f"environment {environment!r} is locked by another lock: {info.holder()}; "
                            f"{lock_id} is not its id; nothing was changed")
        if not self.store.delete(lock_key(environment), held.version):
            raise LockError(f"the lock of environment {environment!r} changed while it was being removed; "
                            "nothing was changed: run again")
        return info


def _refusal(environment: str, info: LockInfo, timeout: float) -> str:
    unlock = f"`corsdeploy unlock --env {environment} {info.lock_id}`"
    if timeout > 0:
        return (f"environment {environment!r} is still locked after waiting {timeout:g}s: "
                f"{info.holder()}; if that run crashed, release it with {unlock}")
    return (f"environment {environment!r} is locked: {info.holder()}; wait for it to finish "
            f"(--lock-timeout SECONDS waits), or if that run crashed, release it with {unlock}")


@contextlib.contextmanager
def environment_lock(store: Store, environment: str, operation: str = "apply", caller: str | None = None,
                     timeout: float = 0.0, waiting: Callable[[LockInfo], None] | None = None,
                     sleep: Callable[[float], None] = time.sleep) -> Iterator[LockInfo]:
    """Hold `environment`'s lock for the block, and release it however the block ends.

    When the block failed, a failure to release does not hide its error (the lock then stays, and
    the next writer is told how to release it).
    """
    locks = Locks(store, sleep=sleep)
    held = locks.acquire(environment, operation, caller, timeout, waiting)
    try:
        yield held.info
    except BaseException:
        with contextlib.suppress(CorsdeployError):
            locks.release(held)
        raise
    locks.release(held)
