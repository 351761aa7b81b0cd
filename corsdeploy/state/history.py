"""History: one record per apply, written when it starts and again when it ends.

`<store>/history/<encoded environment>/<apply-id>.json`. A record written at the start and never
finished (the run crashed or was killed) stays as `incomplete`, so an apply is never missing from
the history, and its backups are still found by its id.
"""
from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from corsdeploy.config.shown import described, quoted
from corsdeploy.errors import CorsdeployError
from corsdeploy.plan import Action, Plan
from corsdeploy.state.names import JSON_SUFFIX, Key, checked_apply_id, history_key, is_apply_id, record_key
from corsdeploy.state.store import Store, get_json, put_json

if TYPE_CHECKING:
    from corsdeploy.results import ApplyResult

HISTORY_FORMAT_VERSION = 1
# Records read at once from a store (S3 answers each GET in tens of milliseconds).
_PARALLEL_READS = 8


class RunOutcome(StrEnum):
    APPLIED = "applied"          # every change was applied
    FAILED = "failed"            # at least one change failed (the others are in `resources`)
    INCOMPLETE = "incomplete"    # started and never finished: crashed, killed, or still running
    INTERRUPTED = "interrupted"  # stopped by a signal: what was written is in `resources`, the rest skipped


@dataclass(frozen=True)
class ResourceRecord:
    """One resource of an apply: what the plan said, and what happened (outcome None: not known)."""

    address: str
    action: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    outcome: str | None = None
    error: Mapping[str, str] | None = None
    backup: str | None = None


@dataclass(frozen=True)
class HistoryRecord:
    apply_id: str
    environment: str
    operation: str
    started_at: str
    finished_at: str | None
    caller: str
    outcome: RunOutcome
    backup_location: str | None
    resources: tuple[ResourceRecord, ...]

    @property
    def changed(self) -> tuple[ResourceRecord, ...]:
        """The resources the apply set out to change (no-ops left out)."""
        return tuple(r for r in self.resources if r.action != Action.NOOP.value)

    def document(self) -> dict[str, Any]:
        return {
            "format_version": HISTORY_FORMAT_VERSION,
            "apply_id": self.apply_id,
            "environment": self.environment,
            "operation": self.operation,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "caller": self.caller,
            "outcome": self.outcome.value,
            "backup_location": self.backup_location,
            "resources": [
                {"address": r.address, "action": r.action, "before": r.before, "after": r.after,
                 "outcome": r.outcome, "error": r.error, "backup": r.backup}
                for r in self.resources
            ],
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> HistoryRecord:
        """The record a document holds; KeyError, TypeError or ValueError when it is not one."""
        if document["format_version"] != HISTORY_FORMAT_VERSION:
            raise ValueError(f"format version {document['format_version']!r}, not {HISTORY_FORMAT_VERSION}")
        return cls(
            apply_id=checked_apply_id(document["apply_id"]),
            environment=_text(document["environment"]),
            operation=_text(document["operation"]),
            started_at=_text(document["started_at"]),
            finished_at=_optional_text(document["finished_at"]),
            caller=_text(document["caller"]),
            outcome=RunOutcome(document["outcome"]),
            backup_location=_optional_text(document["backup_location"]),
            resources=tuple(
                ResourceRecord(address=_text(r["address"]), action=Action(r["action"]).value,
                               before=r["before"], after=r["after"], outcome=_optional_text(r["outcome"]),
                               error=_error(r["error"]), backup=_optional_text(r["backup"]))
                for r in document["resources"]
            ),
        )


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not a string")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _error(value: Any) -> Mapping[str, str] | None:
    return None if value is None else {"code": _text(value["code"]), "message": _text(value["message"])}


def now_text(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).isoformat(timespec="milliseconds")


def started_record(plan: Plan, apply_id: str, caller: str, backup_location: str,
                   operation: str = "apply") -> HistoryRecord:
    """The record of an apply about to write: what the plan says; outcome `incomplete` until it ends."""
    return HistoryRecord(
        apply_id=apply_id, environment=plan.environment, operation=operation, started_at=now_text(),
        finished_at=None, caller=caller, outcome=RunOutcome.INCOMPLETE, backup_location=backup_location,
        resources=tuple(ResourceRecord(c.address, c.action.value, c.before, c.after) for c in plan.changes),
    )


def finished_record(started: HistoryRecord, result: ApplyResult) -> HistoryRecord:
    """The started record completed with each resource's outcome, error and backup."""
    by_address = {r.address: r for r in result.results}
    resources = []
    for planned in started.resources:
        done = by_address[planned.address]
        error = {"code": done.error.code, "message": done.error.message} if done.error else None
        backup = None if done.backup is None else str(done.backup)
        resources.append(replace(planned, outcome=done.outcome.value, error=error, backup=backup))
    return replace(
        started, finished_at=now_text(), resources=tuple(resources),
        outcome=_run_outcome(result),
        backup_location=started.backup_location if any(r.backup for r in resources) else None,
    )


def _run_outcome(result: ApplyResult) -> RunOutcome:
    if result.interrupted:
        return RunOutcome.INTERRUPTED
    return RunOutcome.APPLIED if result.ok else RunOutcome.FAILED


class History:
    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, record: HistoryRecord) -> str:
        """Write (or rewrite) an apply's record durably; returns where."""
        return put_json(self.store, record_key(record.environment, record.apply_id), record.document())

    def get(self, environment: str, apply_id: str) -> HistoryRecord | None:
        key = record_key(environment, apply_id)
        document = get_json(self.store, key)
        return None if document is None else self._checked(document, environment, apply_id, key)

    def list(self, environment: str) -> tuple[HistoryRecord, ...]:
        """Every recorded apply of `environment`, newest first."""
        names = self.store.names(history_key(environment))
        # Only names this module writes; anything else in the folder is not a record.
        apply_ids = [name.removesuffix(JSON_SUFFIX) for name in names
                     if name.endswith(JSON_SUFFIX) and is_apply_id(name.removesuffix(JSON_SUFFIX))]
        with ThreadPoolExecutor(max_workers=_PARALLEL_READS) as pool:
            records = [r for r in pool.map(lambda i: self.get(environment, i), apply_ids) if r is not None]
        return tuple(sorted(records, key=lambda r: (r.started_at, r.apply_id), reverse=True))

    def _checked(self, document: Mapping[str, Any], environment: str, apply_id: str,
                 key: Key) -> HistoryRecord:
        try:
            record = HistoryRecord.from_document(document)
        except (KeyError, TypeError, ValueError, CorsdeployError) as error:
            raise CorsdeployError(f"{self.store.where(key)}: not a history record corsdeploy wrote "
                                  f"({described(error)})") from error
        if (record.environment, record.apply_id) != (environment, apply_id):
            raise CorsdeployError(f"{self.store.where(key)}: holds the record of apply {record.apply_id} "
                                  f"of environment {quoted(record.environment)}, not of this place")
        return record


@dataclass(frozen=True)
class HistoryListing:
    """What `history` shows: an environment's records, newest first, and where they were read."""

    environment: str
    location: str
    records: tuple[HistoryRecord, ...]
