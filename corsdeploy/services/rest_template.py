"""The Velocity template a REST API preflight uses to answer several origins, and how plans show it.

API Gateway returns one static header value, so with several origins the preflight's integration
response runs this template: it echoes the request's Origin only when it equals one of the listed
origins exactly (list membership is Java's String.equals: no regex, prefix, substring or case folding).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

# Browsers send `Origin` over HTTP/1.1 and `origin` over HTTP/2; whether API Gateway's
# $input.params().header map is case-insensitive is UNCONFIRMED, so both spellings are looked up.
ORIGIN_HEADER_NAMES = ("Origin", "origin")
# The header a response override sets; API Gateway only lets templates override declared headers
# (UNCONFIRMED), so the preflight's method response declares it.
OVERRIDDEN_HEADER = "Access-Control-Allow-Origin"

_FIRST_LINE = "## corsdeploy: echo the request's Origin only when it equals one of these exactly"
_ALLOWED_LINE = re.compile(r"#set\(\$allowed = \[(.*)\]\)")
_QUOTED = re.compile(r"'([^']*)'")

# How a plan shows the template: the exact origin list, so a changed list shows up as a change.
TEMPLATE_VIEW_PREFIX = "template: the request's Origin when exactly one of "
UNRECOGNISED_VIEW_PREFIX = "template not written by corsdeploy, sha256:"


def preflight_template(origins: Sequence[str]) -> str:
    """The response template that echoes an exactly listed Origin (origins hold no quote or backslash)."""
    listed = ", ".join(f"'{origin}'" for origin in origins)
    lines = [_FIRST_LINE, f"#set($allowed = [{listed}])"]
    for name in ORIGIN_HEADER_NAMES:
        lines += ['#if("$!origin" == "")', f"#set($origin = $input.params().header.get('{name}'))", "#end"]
    lines += [
        '#if($allowed.contains("$!origin"))',
        f"#set($context.responseOverride.header.{OVERRIDDEN_HEADER} = $origin)",
        "#end",
    ]
    return "\n".join(lines) + "\n"


def template_origins(template: str) -> tuple[str, ...] | None:
    """The origin list of a template corsdeploy wrote, or None for any other template."""
    lines = template.split("\n")
    match = _ALLOWED_LINE.fullmatch(lines[1]) if len(lines) > 1 else None
    if match is None:
        return None
    origins = tuple(_QUOTED.findall(match.group(1)))
    return origins if preflight_template(origins) == template else None


def template_view(template: str) -> str:
    """The plan's value for a preflight's template-driven Access-Control-Allow-Origin."""
    origins = template_origins(template)
    if origins is None:
        return UNRECOGNISED_VIEW_PREFIX + hashlib.sha256(template.encode()).hexdigest()[:16]
    return TEMPLATE_VIEW_PREFIX + " ".join(origins)


def origins_view(origins: Sequence[str]) -> str:
    """The plan's value for the template corsdeploy writes for `origins`."""
    return template_view(preflight_template(origins))


def view_origins(view: str) -> tuple[str, ...] | None:
    """The origin list a plan value shows; None when the value is not a template corsdeploy can write."""
    if not view.startswith(TEMPLATE_VIEW_PREFIX):
        return None
    return tuple(view[len(TEMPLATE_VIEW_PREFIX):].split(" "))


def template_from_view(view: str) -> str | None:
    """The template a plan value stands for; None when the value is not a template corsdeploy can write."""
    origins = view_origins(view)
    return None if origins is None else preflight_template(origins)
