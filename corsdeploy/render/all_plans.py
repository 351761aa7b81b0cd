"""`plan --all`: one summary line per environment (text), or one document (JSON)."""
from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape

from corsdeploy.plan import EnvironmentPlan
from corsdeploy.render.edge import bounded, printable

FORMAT_VERSION = 1


def summary_line(entry: EnvironmentPlan) -> str:
    """`prod: 0 to create, 1 to update, 0 to delete, 3 unchanged`, or `prod: error: ...`."""
    if entry.plan is None:
        return f"{entry.name}: error: {'; '.join(entry.errors)}"
    counts = entry.plan.summary
    return (f"{entry.name}: {counts['create']} to create, {counts['update']} to update, "
            f"{counts['delete']} to delete, {counts['no-op']} unchanged")


def render_all_plans(entries: tuple[EnvironmentPlan, ...], console: Console) -> None:
    for entry in entries:
        line = escape(printable(summary_line(entry)))
        if entry.plan is None:
            console.print(f"[red]{line}[/red]")
        elif entry.plan.has_changes:
            console.print(f"[yellow]{line}[/yellow]")
        else:
            console.print(line)


def all_plans_document(entries: tuple[EnvironmentPlan, ...]) -> dict[str, Any]:
    """Per environment its summary (null when it failed) and its errors (each as the CLI prints it)."""
    return {
        "format_version": FORMAT_VERSION,
        "environments": [
            {"environment": entry.name,
             "summary": entry.plan.summary if entry.plan else None,
             "errors": [bounded(error) for error in entry.errors]}
            for entry in entries
        ],
    }
