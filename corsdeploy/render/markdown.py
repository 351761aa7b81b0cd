"""`plan --format markdown`: a plan to post on a pull request (a comment or a job summary).

A summary table, then one collapsed `<details>` per changed resource holding the same lines as the
text plan in a ```diff block, then the warnings. Everything from a file or from AWS is escaped
twice: by the output edge (`printable`: controls, secrets, length) and for Markdown and HTML here
(code spans and fences longer than any backtick run, `|` escaped in tables, HTML entities in
`<summary>`), so no name can close a block, add a table cell, inject HTML or mention anyone.
The document stays under GitHub's comment limit, cutting details first and saying so.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

from corsdeploy.plan import Action, Change, Plan
from corsdeploy.render import unique_warnings
from corsdeploy.render.diff import change_lines
from corsdeploy.render.edge import printable
from corsdeploy.render.lines import Mark
from corsdeploy.render.text import VERBS, plan_summary, plan_warnings

# GitHub refuses a comment body longer than this many characters.
GITHUB_COMMENT_LIMIT = 65_536
# Room left for what a pipeline adds around the plan (a marker to find its comment, a heading).
LIMIT = GITHUB_COMMENT_LIMIT - 1_536
# Shares of the limit the table and the warnings may take before they are cut (details take the rest).
_TABLE_SHARE, _WARNINGS_SHARE = 2, 4
# A cut resource keeps its details only if at least this much room is left for them.
_MIN_DETAILS_CHARS = 400
# GitHub colours diff lines by their first character: `!` orange for a change in place, `#` grey.
_DIFF_MARK = {Mark.ADD: "+", Mark.REMOVE: "-", Mark.CHANGE: "!", Mark.NOTE: "#", Mark.SAME: " "}
_BACKTICKS = re.compile("`+")
_LEGEND = "Expand a resource for its changes: `+` added, `-` removed, `!` changed in place."


def plan_markdown(plan: Plan, limit: int = LIMIT) -> str:
    """The plan as Markdown of at most `limit` characters (any limit that holds the header and a note)."""
    changed = [change for change in plan.changes if change.action is not Action.NOOP]
    details = [_details(change) for change in changed]
    document = _document(plan, _table(plan, limit), details, _warnings(plan, limit), note="")
    if len(document) <= limit:
        return document
    table, warnings = _table(plan, limit // _TABLE_SHARE), _warnings(plan, limit // _WARNINGS_SHARE)
    widest_note = _note(plan, len(changed), len(changed))
    kept, whole = _fit(details, limit - len(_document(plan, table, [], warnings, widest_note)))
    return _document(plan, table, kept, warnings, _note(plan, len(changed) - whole, len(changed)))


def _document(plan: Plan, table: Sequence[str], details: Sequence[str], warnings: Sequence[str],
              note: str) -> str:
    parts = ["\n".join(_header(plan)), "\n".join(table)]
    parts += [note] if note else []
    parts += [_LEGEND] if plan.has_changes else []
    parts += list(details)
    parts += ["\n".join(warnings)] if warnings else []
    return "\n\n".join(parts) + "\n"


def _header(plan: Plan) -> list[str]:
    target = plan.target
    labelled = (("account", target.account), ("region", target.region))
    where = [f"{label} {_code(value)}" for label, value in labelled if value]
    services_at: dict[str, list[str]] = {}
    for service, url in sorted(target.endpoints):
        services_at.setdefault(url, []).append(service)
    where += [f"endpoint {_code(url)} ({', '.join(_code(s) for s in services)})"
              for url, services in sorted(services_at.items())]
    lines = [f"### corsdeploy plan for {_code(plan.environment)}", ""]
    if where:
        lines += ["Target: " + ", ".join(where), ""]
    return [*lines, f"**{plan_summary(plan)}**"]


def _table(plan: Plan, room: int) -> list[str]:
    """One row per resource, as many as fit in `room` characters."""
    heading = ["| Resource | Action | Warnings |", "| --- | --- | --- |"]
    rows = [f"| {_code(c.address, in_table=True)} | {c.action.value} | {len(unique_warnings(c))} |"
            for c in plan.changes]
    return heading + _cut(rows, room - len("\n".join(heading)) - 1, lambda n: f"| ... and {n} more | | |")


def _details(change: Change) -> str:
    lines = [f"{_DIFF_MARK[line.mark]} {'    ' * line.depth}{printable(line.text)}"
             for line in change_lines(change)]
    count = len(unique_warnings(change))
    warned = f" ({count} warning{'' if count == 1 else 's'})" if count else ""
    summary = f"<code>{html.escape(printable(change.address))}</code>: {VERBS[change.action]}{warned}"
    return "\n".join([f"<details><summary>{summary}</summary>", "", *_fenced("diff", lines), "",
                      "</details>"])


def _warnings(plan: Plan, room: int) -> list[str]:
    """Each distinct warning once with the resources it concerns, as many as fit in `room` characters."""
    where = plan_warnings(plan)
    if not where:
        return []
    lines = [f"{', '.join(printable(a) for a in addresses)}: {printable(warning)}"
             for warning, addresses in where.items()]
    heading = ["#### Warnings", ""]
    room -= len("\n".join(heading)) + 2 * (len(_fenced("text", lines)[0]) + 1)
    return heading + _fenced("text", _cut(lines, room, lambda n: f"... and {n} more"))


def _note(plan: Plan, cut: int, changed: int) -> str:
    command = _code(f"corsdeploy plan --env {plan.environment}")
    return (f"> **This plan is cut short**: it is longer than a GitHub comment can be "
            f"({GITHUB_COMMENT_LIMIT:,} characters), so the details of {cut} of {changed} changed "
            f"resources are shortened or left out. Run {command} for the full plan.")


def _fit(details: Sequence[str], room: int) -> tuple[list[str], int]:
    """As many whole details as fit in `room`, then the next one cut if it is worth it; and how many
    were kept whole."""
    kept: list[str] = []
    for section in details:
        if len(section) + 2 > room:  # two newlines part the sections
            whole = len(kept)
            if room >= _MIN_DETAILS_CHARS:
                kept.append(_cut_details(section, room - 2))
            return kept, whole
        kept.append(section)
        room -= len(section) + 2
    return kept, len(kept)


def _cut_details(section: str, room: int) -> str:
    """One resource's details within `room`: the first lines of its diff and how many are left out."""
    lines = section.split("\n")
    # <summary>, a blank line and the opening fence; the closing fence, a blank line and </details>.
    head, body, tail = lines[:3], lines[3:-3], lines[-3:]
    room -= len("\n".join([*head, *tail])) + 1
    return "\n".join([*head, *_cut(body, room, lambda n: f"# ... {n} more lines: see the full plan"), *tail])


def _cut(lines: Sequence[str], room: int, say: Callable[[int], str]) -> list[str]:
    """The first of `lines` that fit in `room` characters, then a line saying how many are left out."""
    if len("\n".join(lines)) <= room:
        return list(lines)
    kept: list[str] = []
    used = len(say(len(lines))) + 1
    for line in lines:
        if used + len(line) + 1 > room:
            break
        kept.append(line)
        used += len(line) + 1
    return [*kept, say(len(lines) - len(kept))]


def _fenced(language: str, lines: Sequence[str]) -> list[str]:
    """A fenced code block no line can close: its fence is longer than any backtick run inside."""
    longest = max((len(run) for line in lines for run in _BACKTICKS.findall(line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{language}", *lines, fence]


def _code(text: str, in_table: bool = False) -> str:
    """`text` as a code span (no Markdown, HTML, link or mention inside), escaped for the output edge."""
    shown = printable(text)
    longest = max((len(run) for run in _BACKTICKS.findall(shown)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if not shown or shown[0] in "` " or shown[-1] in "` " else ""
    span = f"{fence}{pad}{shown}{pad}{fence}"
    # GFM splits table cells at `|` even inside code spans, unless it is escaped.
    return span.replace("|", "\\|") if in_table else span
