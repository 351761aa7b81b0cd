"""Execute a Plan: back up, write, read back to verify. One failure never stops the others."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from corsdeploy.aws import MAX_PARALLEL_CALLS
from corsdeploy.errors import AwsError, CorsdeployError
from corsdeploy.model import Kind, Live, Resource
from corsdeploy.plan import Action, Change, Plan, plan_resource
from corsdeploy.providers import Provider
from corsdeploy.state import Backups

# S3 can answer a read with the old configuration right after a write; Terraform polls for up to
# 2 minutes (facts §7.6). Poll with doubling delays, at most this long in all.
VERIFY_TIMEOUT_SECONDS = 120.0
FIRST_VERIFY_DELAY_SECONDS = 0.2
# API Gateway deploys at most once every 5 s per account and Region (facts §7.1): writing many REST
# APIs at once only delays every first deployment, so they are written two at a time while earlier
# ones deploy. Other kinds have no such quota.
CONCURRENT_WRITES: Mapping[Kind, int] = {Kind.REST_API: 2}


class Outcome(StrEnum):
    APPLIED = "applied"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class ResultError:
    code: str
    message: str


@dataclass(frozen=True)
class Result:
    address: str
    action: Action
    outcome: Outcome
    error: ResultError | None = None
    # Where the configuration this change replaced was saved, as a user reads it (a path, or
    # s3://bucket/key); None when no backup was written.
    backup: str | None = None


@dataclass(frozen=True)
class ApplyResult:
    apply_id: str
    environment: str
    results: tuple[Result, ...]

    @property
    def summary(self) -> dict[str, int]:
        return {
            "applied": sum(r.outcome is Outcome.APPLIED for r in self.results),
            "failed": sum(r.outcome is Outcome.FAILED for r in self.results),
            "no-op": sum(r.action is Action.NOOP for r in self.results),
        }

    @property
    def backup_location(self) -> str | None:
        """The folder (or S3 prefix) this apply's backups were written to; None when none was written."""
        return next((r.backup.rpartition("/")[0] for r in self.results if r.backup is not None), None)

    @property
    def ok(self) -> bool:
        return not any(r.outcome is Outcome.FAILED for r in self.results)


@dataclass(frozen=True)
class Writer:
    """Everything a write needs; `write` below is the one path every write goes through."""

    apply_id: str
    environment: str
    backups: Backups
    providers: Mapping[Kind, Provider]
    sleep: Callable[[float], None] = time.sleep
    verify_timeout: float = VERIFY_TIMEOUT_SECONDS

    def back_up(self, resource: Resource, live: Live) -> str:
        """Save the live configuration durably (a BackupError when it cannot be)."""
        return self.backups.save(self.apply_id, self.environment, resource.address, live.backup_document)

    def replace(self, resource: Resource, live: Live, wire: Mapping[str, Any] | None) -> None:
        """Replace the live configuration, then verify the service took it (only after `back_up`)."""
        provider = self.providers[resource.kind]
        provider.write(resource, live, wire)
        self._verify(resource, provider)

    def _verify(self, resource: Resource, provider: Provider) -> None:
        """Re-read until a fresh plan of the resource is a no-op (CORS and any pending deployment)."""
        delay, waited = FIRST_VERIFY_DELAY_SECONDS, 0.0
        while True:
            if plan_resource(resource, provider.read(resource)).action is Action.NOOP:
                return
            if waited >= self.verify_timeout:
                raise AwsError("VerificationFailed",
                               f"the service still returns a different configuration after {waited:.0f}s")
            self.sleep(delay)
            waited += delay
            delay = min(delay * 2, 8.0)


def apply_plan(
    plan: Plan, resources: Sequence[Resource], lives: Mapping[str, Live], writer: Writer
) -> ApplyResult:
    """Apply every change of `plan` (in parallel); results keep the plan's order."""
    by_address = {r.address: r for r in resources}
    slots = {kind: threading.BoundedSemaphore(count) for kind, count in CONCURRENT_WRITES.items()}

    def run(change: Change) -> Result:
        kind = by_address[change.address].kind
        if kind not in slots:
            return write(change)
        with slots[kind]:
            return write(change)

    def write(change: Change) -> Result:
        """The one path of every write: back up durably, and only then replace and verify."""
        if change.action is Action.NOOP:
            return Result(change.address, change.action, Outcome.SKIPPED)
        resource, live = by_address[change.address], lives[change.address]
        backup = None
        try:
            backup = writer.back_up(resource, live)
            writer.replace(resource, live, change.after)
        except Exception as error:  # one resource's failure, or surprise, must not stop the others
            return Result(change.address, change.action, Outcome.FAILED, _result_error(error), backup)
        return Result(change.address, change.action, Outcome.APPLIED, backup=backup)

    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_CALLS, max(1, len(plan.changes)))) as pool:
        results = tuple(pool.map(run, plan.changes))
    return ApplyResult(writer.apply_id, plan.environment, results)


def _result_error(error: Exception) -> ResultError:
    if not isinstance(error, CorsdeployError):
        return ResultError(type(error).__name__, str(error))
    if isinstance(error, AwsError):
        return ResultError(error.code or "AwsError", error.aws_message)
    message = "; ".join(p.message for p in error.problems)
    return ResultError(error.code or type(error).__name__, message)
