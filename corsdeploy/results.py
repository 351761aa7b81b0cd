"""Apply outcomes as data, shared by apply, history and the views (imports no AWS code)."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath

from corsdeploy.plan import Action

_S3_SCHEME = "s3://"
# The error code of a write sent but not verified because a second signal stopped the apply at once.
INTERRUPTED_CODE = "Interrupted"


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
    # Stopped by a signal: changes not started were skipped.
    interrupted: bool = False

    @property
    def changed(self) -> tuple[Result, ...]:
        """The results whose configuration was replaced (written and verified)."""
        return tuple(r for r in self.results if r.outcome is Outcome.APPLIED and r.action is not Action.NOOP)

    @property
    def skipped(self) -> tuple[Result, ...]:
        """Changes never started (an interrupted apply stops starting writes)."""
        return tuple(r for r in self.results if r.outcome is Outcome.SKIPPED and r.action is not Action.NOOP)

    @property
    def unverified(self) -> tuple[Result, ...]:
        """Writes sent but never verified (a second signal stopped the wait): they may have changed."""
        return tuple(r for r in self.results if r.error is not None and r.error.code == INTERRUPTED_CODE)

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
        return next((_parent(r.backup) for r in self.results if r.backup is not None), None)

    @property
    def ok(self) -> bool:
        return not any(r.outcome is Outcome.FAILED for r in self.results)


def _parent(location: str) -> str:
    if location.startswith(_S3_SCHEME):
        return location.rpartition("/")[0]
    return str(PurePath(location).parent)
