"""Views of `check`: the verdict, the status, the headers, then why, step by step (text); or the
contract's Check document (json)."""
from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape

from corsdeploy.render.edge import bounded, printable
from corsdeploy.simulate.assumptions import split_notes
from corsdeploy.simulate.request import Answer, BrowserRequest


def check_document(answer: Answer) -> dict[str, Any]:
    """The contract's Check shape (a caller may add `request` and `suggestion` to it)."""
    return {
        "address": answer.address,
        "allowed": answer.allowed,
        "status": answer.status,
        "matched_rule": answer.matched_rule,
        "headers": dict(answer.headers),
        "reason": bounded(answer.reason),
    }


def _shown(text: str) -> str:
    return escape(printable(text))


def describe_request(request: BrowserRequest) -> str:
    """One line saying which request was evaluated."""
    if request.preflight:
        said = f"preflight (OPTIONS) for {request.method or 'no method'}"
    else:
        said = f"{request.method} request"
    said += f" from {request.origin}" if request.origin is not None else " without Origin"
    if request.headers:
        said += f", {'requesting' if request.preflight else 'with'} headers {', '.join(request.headers)}"
    if request.credentials:
        said += ", with credentials"
    return f"{said}, to {request.path}" if request.path else said


def render_check(answer: Answer, request: BrowserRequest, console: Console) -> None:
    verdict = "[green]allowed[/green]" if answer.allowed else "[red]blocked[/red]"
    console.print(f"[bold]{_shown(answer.address)}[/bold]: {verdict}")
    console.print(f"  request: {_shown(describe_request(request))}")
    console.print(f"  status: {answer.status}")
    if answer.headers:
        console.print("  headers:")
        for name, value in answer.headers.items():
            console.print(f"    {_shown(name)}: {_shown(value)}")
    else:
        console.print("  headers: none (no CORS headers)")
    reason, notes = split_notes(answer.reason)
    console.print(f"  reason: {_shown(reason)}")
    for note in notes:
        console.print(f"    {_shown(note)}")
    if answer.steps:
        console.print("  steps:")
        for step in answer.steps:
            console.print(f"    {_shown(step)}")
