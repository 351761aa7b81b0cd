"""Views of `history`: one block per apply, newest first (text), or one JSON document."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.markup import escape

from corsdeploy.plan import Action
from corsdeploy.render.edge import bounded, printable
from corsdeploy.state.history import HistoryListing, HistoryRecord, ResourceRecord, RunOutcome

HISTORY_FORMAT_VERSION = 1
_SYMBOL = {Action.CREATE.value: "+", Action.UPDATE.value: "~", Action.DELETE.value: "-"}
_COLOUR = {RunOutcome.APPLIED: "green", RunOutcome.FAILED: "red", RunOutcome.INCOMPLETE: "yellow",
           RunOutcome.INTERRUPTED: "yellow"}


def _shown(text: str) -> str:
    return escape(printable(text))


def _time(text: str | None) -> str:
    """An ISO time as `2026-11-23 14:05:01 UTC` (as stored when it is not one)."""
    if text is None:
        return "-"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def render_history(listing: HistoryListing, console: Console) -> None:
    if not listing.records:
        console.print(f"No applies recorded for environment {_shown(listing.environment)} "
                      f"in {_shown(listing.location)}.")
        return
    console.print(f"[bold]History of environment {_shown(listing.environment)}[/bold] "
                  f"(state {_shown(listing.location)}), newest first:")
    for record in listing.records:
        console.print()
        _render_record(record, console)


def _render_record(record: HistoryRecord, console: Console) -> None:
    colour = _COLOUR[record.outcome]
    operation = "" if record.operation == "apply" else f" {_shown(record.operation)}"
    outcome = f"[{colour}]{record.outcome.value}[/{colour}]"
    console.print(f"[bold]{_shown(record.apply_id)}[/bold]{operation}  {outcome}  {_time(record.started_at)}"
                  f"  by {_shown(record.caller)}")
    for resource in record.changed:
        console.print(f"  {_SYMBOL[resource.action]} {_shown(resource.address)}  {_outcome(resource)}")
    if record.outcome is RunOutcome.INCOMPLETE:
        console.print("  [yellow]never finished[/yellow] (the run crashed, was killed, or is still running); "
                      "its backups are kept under its id")
    if record.backup_location:
        console.print(f"  backups: {_shown(record.backup_location)}")


def _outcome(resource: ResourceRecord) -> str:
    if resource.outcome is None:
        return "not known"
    if resource.error:
        return f"[red]{_shown(resource.outcome)}[/red]: {_shown(resource.error['code'])}: " \
               f"{_shown(resource.error['message'])}"
    return _shown(resource.outcome)


def history_document(listing: HistoryListing) -> dict[str, Any]:
    """`{"format_version", "environment", "state", "applies": [...]}`, newest first."""
    return {
        "format_version": HISTORY_FORMAT_VERSION,
        "environment": listing.environment,
        "state": listing.location,
        "applies": [_apply(record) for record in listing.records],
    }


def _apply(record: HistoryRecord) -> dict[str, Any]:
    document = record.document()
    del document["format_version"]  # the listing's own applies to every item
    for resource in document["resources"]:
        error = resource["error"]
        if error:
            resource["error"] = {"code": bounded(error["code"]), "message": bounded(error["message"])}
    return document
