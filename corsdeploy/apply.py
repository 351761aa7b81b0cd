"""Write planned changes: check they are not stale, back up, write, read back to verify. One
resource's failure never stops the others."""
from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from corsdeploy.errors import AwsError, CorsdeployError, Problem, StalePlanError
from corsdeploy.interruption import Interrupted, Interruption, interruptible_sleep, waits_cut_short_by
from corsdeploy.model import DEFAULT_PARALLELISM, Kind, Live, Resource
from corsdeploy.plan import Action, Change, PlannedChange, staleness
from corsdeploy.providers import Provider, Restorable
from corsdeploy.results import INTERRUPTED_CODE, ApplyResult, Outcome, Result, ResultError
from corsdeploy.services import service_for
from corsdeploy.state import Backups

# S3 can answer a read with the old configuration right after a write; Terraform polls for up to
# 2 minutes (facts §7.6). Poll with doubling delays, at most this long in all.
VERIFY_TIMEOUT_SECONDS = 120.0
FIRST_VERIFY_DELAY_SECONDS = 0.2
# API Gateway deploys at most once every 5 s per account and Region (facts §7.1): writing many REST
# APIs at once only delays every first deployment, so they are written two at a time while earlier
# ones deploy. Other kinds have no such quota.
CONCURRENT_WRITES: Mapping[Kind, int] = {Kind.REST_API: 2}


@dataclass(frozen=True)
class Writer:
    """Everything a write needs; `apply_changes` below is the one path every write goes through."""

    apply_id: str
    environment: str
    backups: Backups
    providers: Mapping[Kind, Provider]
    # Ends at once, raising Interrupted, once the apply is told to stop.
    sleep: Callable[[float], None] = interruptible_sleep
    verify_timeout: float = VERIFY_TIMEOUT_SECONDS
    parallelism: int = DEFAULT_PARALLELISM

    def back_up(self, resource: Resource, live: Live) -> str:
        """Save the live configuration durably (a BackupError when it cannot be)."""
        return self.backups.save(self.apply_id, self.environment, resource.address, live.backup_document)

    def replace(self, resource: Resource, live: Live, wire: Mapping[str, Any] | None,
                restore: Mapping[str, Any] | None = None) -> None:
        """Replace the live configuration (or put back a backup document, `restore`), then verify the
        service took it (only after `back_up`)."""
        provider = self.providers[resource.kind]
        if restore is None:
            provider.write(resource, live, wire)
        else:
            if not isinstance(provider, Restorable):
                raise CorsdeployError(Problem("this kind has no backup documents to restore",
                                              address=resource.address))
            provider.restore(resource, live, restore)
        self._verify(resource, provider, wire)

    def _verify(self, resource: Resource, provider: Provider, written: Mapping[str, Any] | None) -> None:
        """Re-read until the service returns what was written (as it normalizes it), with no deployment
        pending. Not what the file asks: a saved plan's or a backup's configuration may differ from it."""
        normalize = service_for(resource.kind).normalize
        expected = normalize(written)
        delay, waited = FIRST_VERIFY_DELAY_SECONDS, 0.0
        while True:
            live = provider.read(resource)
            if normalize(live.wire) == expected and not live.pending_deployment:
                return
            if waited >= self.verify_timeout:
                raise AwsError("VerificationFailed",
                               f"the service still returns a different configuration after {waited:.0f}s")
            self.sleep(delay)
            waited += delay
            delay = min(delay * 2, 8.0)


def apply_changes(planned: Sequence[PlannedChange], lives: Mapping[str, Live], writer: Writer,
                  interruption: Interruption | None = None,
                  on_done: Callable[[Result], None] | None = None) -> ApplyResult:
    """Write exactly each change's `after`, in parallel; results keep the changes' order.

    `lives` holds every target with a change, read just now (others may be there too): when any of
    them is no longer what its change was computed from, nothing is written (StalePlanError naming
    them all). Apply, a saved plan and rollback all write through here.

    Once `interruption.stop` is set, no further write starts (those changes are `skipped`) and the
    writes in flight run to their verify; once `abandon` is set too, it returns at once, reporting
    writes sent but not verified as failed. `on_done` hears each result as it is known, on the
    calling thread.
    """
    refuse_stale(planned, lives)
    interruption = interruption or Interruption()
    slots = {kind: threading.BoundedSemaphore(count) for kind, count in CONCURRENT_WRITES.items()}
    progress = _Progress()

    def run(item: PlannedChange) -> Result:
        kind = item.resource.kind
        if kind not in slots:
            return write(item)
        with slots[kind]:
            return write(item)

    def write(item: PlannedChange) -> Result:
        """The one path of every write: back up durably, and only then replace and verify."""
        change = item.change
        if change.action is Action.NOOP:
            return Result(change.address, change.action, Outcome.SKIPPED)
        if interruption.stop.is_set():
            return Result(change.address, change.action, Outcome.SKIPPED)
        live = lives[change.address]
        backup = None
        try:
            backup = writer.back_up(item.resource, live)
            if not progress.sending(change.address, backup):
                return Result(change.address, change.action, Outcome.SKIPPED, backup=backup)
            with waits_cut_short_by(interruption.stop):
                writer.replace(item.resource, live, change.after, item.restore)
        except Interrupted:
            return progress.abandoned(change)
        except Exception as error:  # one resource's failure, or surprise, must not stop the others
            return Result(change.address, change.action, Outcome.FAILED, _result_error(error), backup)
        return Result(change.address, change.action, Outcome.APPLIED, backup=backup)

    pool = ThreadPoolExecutor(max_workers=min(writer.parallelism, max(1, len(planned))))
    try:
        futures = [pool.submit(run, item) for item in planned]
        done = _collect(futures, interruption, on_done)
        progress.close()
    finally:
        # Abandoned writes are not waited for (the process exits with them still verifying).
        pool.shutdown(wait=not interruption.abandon.is_set(), cancel_futures=True)
    results = tuple(done.get(i) or progress.abandoned(item.change) for i, item in enumerate(planned))
    return ApplyResult(writer.apply_id, writer.environment, results, interrupted=interruption.interrupted)


# How often the waiting thread looks up from its futures to see whether it was told to stop waiting.
_POLL_SECONDS = 0.1


def _collect(futures: Sequence[Future[Result]], interruption: Interruption,
             on_done: Callable[[Result], None] | None) -> dict[int, Result]:
    """Each future's result by position, as they finish, until all have or `abandon` is set."""
    index = {future: i for i, future in enumerate(futures)}
    pending: set[Future[Result]] = set(futures)
    done: dict[int, Result] = {}
    while pending and not interruption.abandon.is_set():
        finished, pending = wait(pending, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
        for future in sorted(finished, key=index.__getitem__):
            result = done[index[future]] = future.result()
            if on_done is not None:
                on_done(result)
    return done


class _Progress:
    """Which writes were sent, and with which backup: once the waiting thread abandons them, no write
    is sent any more, and those already sent are reported, not forgotten."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._closed = False
        self._sent: dict[str, str] = {}

    def sending(self, address: str, backup: str) -> bool:
        """Whether the write may go (False once abandoned); remembers it and its backup."""
        with self._lock:
            if not self._closed:
                self._sent[address] = backup
            return not self._closed

    def close(self) -> None:
        """From now on no write is sent."""
        with self._lock:
            self._closed = True

    def abandoned(self, change: Change) -> Result:
        """The result of a change whose write was not waited for (after `close`), or whose wait to retry
        or to verify it was cut short by a stop."""
        with self._lock:
            backup = self._sent.get(change.address)
        if backup is None:
            return Result(change.address, change.action, Outcome.SKIPPED)
        return Result(change.address, change.action, Outcome.FAILED,
                      ResultError(INTERRUPTED_CODE, "interrupted after its write was sent, before it was "
                                  "verified: the configuration may have changed"), backup)


def refuse_stale(planned: Sequence[PlannedChange], lives: Mapping[str, Live]) -> None:
    """A StalePlanError naming every target in `lives` whose live state is not what was planned."""
    stale = [Problem(why, address=item.change.address) for item in planned
             if item.change.address in lives and (why := staleness(item, lives[item.change.address]))]
    if stale:
        names = ", ".join(str(p.address) for p in stale)
        summary = Problem(f"the plan is stale: the live state of {names} changed since it was made; "
                          "nothing was written (plan again)")
        raise StalePlanError([summary, *stale])


def _result_error(error: Exception) -> ResultError:
    if not isinstance(error, CorsdeployError):
        return ResultError(type(error).__name__, str(error))
    if isinstance(error, AwsError):
        return ResultError(error.code or "AwsError", error.aws_message)
    message = "; ".join(p.message for p in error.problems)
    return ResultError(error.code or type(error).__name__, message)
