"""Terraform-like human views: `+ ~ -` per resource, changed fields, one summary line."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from corsdeploy.plan import Action, Change, Plan
from corsdeploy.render import unique_warnings
from corsdeploy.render.diff import change_lines
from corsdeploy.render.edge import printable
from corsdeploy.render.lines import Mark
from corsdeploy.results import ApplyResult, Outcome, Result

_SYMBOL = {Action.CREATE: ("+", "green"), Action.UPDATE: ("~", "yellow"), Action.DELETE: ("-", "red")}
VERBS = {Action.CREATE: "CORS will be created", Action.UPDATE: "CORS will be updated in place",
         Action.DELETE: "CORS will be removed"}
_MARK_STYLE = {Mark.ADD: "green", Mark.REMOVE: "red", Mark.CHANGE: "yellow", Mark.NOTE: "dim", Mark.SAME: ""}
# A piece of output and its style ("" for none): changes are laid out as these, not as markup, so
# a plan without colour (piped, CI logs) is written without the console parsing thousands of lines.
Piece = tuple[str, str]


def _shown(text: str) -> str:
    """A name or message from a file or from AWS: redacted, shortened, escaped, safe inside markup."""
    return escape(printable(text))


def plan_warnings(plan: Plan) -> dict[str, list[str]]:
    """Each distinct warning of the plan once, with the addresses it concerns."""
    where: dict[str, list[str]] = {}
    for change in plan.changes:
        for warning in unique_warnings(change):
            where.setdefault(warning, []).append(change.address)
    return where


def plan_header(plan: Plan) -> str:
    """One line: environment, account, region, and each endpoint with the services that used it."""
    target = plan.target
    parts = [f"environment {plan.environment}"]
    parts += [f"{label} {value}" for label, value in (("account", target.account), ("region", target.region))
              if value]
    services_at: dict[str, list[str]] = {}
    for service, url in sorted(target.endpoints):
        services_at.setdefault(url, []).append(service)
    parts += [f"endpoint {url} ({', '.join(services)})" for url, services in sorted(services_at.items())]
    return "corsdeploy plan: " + ", ".join(parts)


# Changes per write: the console's cost is mostly per call (a plan may hold thousands), and a
# bounded chunk keeps output flowing and memory flat.
_CHANGES_PER_WRITE = 200


def render_plan(plan: Plan, console: Console) -> None:
    console.print(f"[bold]{_shown(plan_header(plan))}[/bold]")
    console.print()
    changes = [change for change in plan.changes if change.action is not Action.NOOP]
    for start in range(0, len(changes), _CHANGES_PER_WRITE):
        _write(console, [piece for change in changes[start:start + _CHANGES_PER_WRITE]
                         for piece in _change_pieces(change)])
    for warning, addresses in plan_warnings(plan).items():
        shown = ", ".join(_shown(address) for address in addresses)  # each name whole, however many
        console.print(f"[yellow]Warning:[/yellow] {shown}: {_shown(warning)}")
    console.print(plan_summary(plan))


def _write(console: Console, pieces: list[Piece]) -> None:
    """Styled pieces: through rich where there are colours, as plain text where there are none."""
    if console.no_color or console.color_system is None:
        console.out("".join(text for text, _ in pieces), end="", highlight=False)
    else:
        console.print(Text.assemble(*pieces), end="", soft_wrap=True)


def plan_summary(plan: Plan) -> str:
    if not plan.has_changes:
        return "No changes. Live CORS matches the environment."
    s = plan.summary
    return (f"Plan: {s['create']} to create, {s['update']} to update, {s['delete']} to delete, "
            f"{s['no-op']} unchanged.")


def _change_pieces(change: Change) -> list[Piece]:
    """A change's lines: its address and verb, what differs, and a blank line; names and values
    escaped (printable), never read as markup."""
    symbol, colour = _SYMBOL[change.action]
    pieces = [("  ", ""), (symbol, colour), (" ", ""), (printable(change.address), "bold"),
              (f"  ({VERBS[change.action]})\n", "")]
    for line in change_lines(change):
        pieces += [(f"      {'    ' * line.depth}", ""), (line.mark.value, _MARK_STYLE[line.mark]),
                   (f" {printable(line.text)}\n", "")]
    pieces.append(("\n", ""))
    return pieces


def render_apply(result: ApplyResult, console: Console) -> None:
    for item in result.results:
        line = result_line(item)
        if line is not None:
            console.print(line)
    console.print(apply_summary(result))


def result_line(item: Result) -> str | None:
    """One resource's line (markup) as its write finishes; None for a change that wrote nothing."""
    if item.outcome is Outcome.APPLIED:
        return f"  [green]applied[/green] {_shown(item.address)} ({item.action.value})"
    if item.outcome is Outcome.FAILED and item.error:
        error = f"{_shown(item.error.code)}: {_shown(item.error.message)}"
        return f"  [red]failed[/red]  {_shown(item.address)}: {error}"
    return None


def apply_summary(result: ApplyResult) -> str:
    summary = result.summary
    return f"Apply complete: {summary['applied']} changed, {summary['failed']} failed."


def interrupted_lines(result: ApplyResult) -> list[str]:
    """What an interrupted apply changed, for whoever has to pick up from there: each changed address
    and where its backup is (plain text, escaped; the contract's first line)."""
    lines = [f"interrupted: {len(result.changed)} resources changed"]
    lines += [f"  {printable(r.address)}  backup: {printable(r.backup or 'none')}" for r in result.changed]
    lines += [f"  {printable(r.address)}  write sent but not verified (it may have changed)  backup: "
              f"{printable(r.backup or 'none')}" for r in result.unverified]
    failed = result.summary["failed"] - len(result.unverified)
    lines.append(f"{failed} failed, {len(result.skipped)} not started; the lock is released and apply "
                 f"{result.apply_id} is in `corsdeploy history --env {printable(result.environment)}`")
    return lines
