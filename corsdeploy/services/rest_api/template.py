"""The Velocity template a REST API preflight uses to answer several origins, and how plans show it.

API Gateway returns one static header value, so with several origins the preflight's integration
response runs this template. Its form is CDK's, the one shown working on API Gateway (aws-cdk#26648):
the request's Origin, read from `Origin` then `origin`, compared with each listed origin by `==`
(Java's String.equals: no regex, prefix, substring or case folding).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

# Browsers send `Origin` over HTTP/1.1 and `origin` over HTTP/2; CDK reads both, and so does this.
ORIGIN_HEADER_NAMES = ("Origin", "origin")
# The header a response override sets; API Gateway only lets templates override declared headers
# (UNCONFIRMED), so the preflight's method response declares it.
OVERRIDDEN_HEADER = "Access-Control-Allow-Origin"

_FIRST_LINE = "## corsdeploy: echo the request's Origin only when it equals one of these exactly"
# Single-quoted Velocity literals are never interpolated, so a `$` or `#` in an origin stays literal
# (validation refuses quotes, backslashes and whitespace in origins).
_CONDITION = re.compile(r"#if\((\$origin == '[^']*'(?: \|\| \$origin == '[^']*')*)\)")
_QUOTED = re.compile(r"'([^']*)'")
# The form corsdeploy wrote before: `.contains()` on a list literal, never shown working on API Gateway.
_OLD_FORM = re.compile(r"#set\(\$allowed = \[(.*)\]\)")

# How a plan shows the template: the exact origin list, so a changed list shows up as a change.
TEMPLATE_VIEW_PREFIX = "template: the request's Origin when exactly one of "
OLD_FORM_VIEW_PREFIX = "old template form (.contains(), replaced by apply) for "
UNRECOGNISED_VIEW_PREFIX = "template not written by corsdeploy, sha256:"


def preflight_template(origins: Sequence[str]) -> str:
    """The response template that echoes an exactly listed Origin (origins hold no quote or backslash)."""
    first, second = ORIGIN_HEADER_NAMES
    condition = " || ".join(f"$origin == '{origin}'" for origin in origins)
    lines = [
        _FIRST_LINE,
        f"#set($origin = $input.params().header.get('{first}'))",
        # "$!origin" renders a missing header as "", where a bare $origin would stay unset.
        '#if("$!origin" == "")',
        f"#set($origin = $input.params().header.get('{second}'))",
        "#end",
        f"#if({condition})",
        f"#set($context.responseOverride.header.{OVERRIDDEN_HEADER} = $origin)",
        "#end",
    ]
    return "\n".join(lines) + "\n"


def template_origins(template: str) -> tuple[str, ...] | None:
    """The origin list of a template corsdeploy writes, or None for any other template."""
    match = next(filter(None, map(_CONDITION.fullmatch, template.split("\n"))), None)
    if match is None:
        return None
    origins = tuple(_QUOTED.findall(match.group(1)))
    return origins if preflight_template(origins) == template else None


def template_view(template: str) -> str:
    """The plan's value for a preflight's template-driven Access-Control-Allow-Origin."""
    origins = template_origins(template)
    if origins is not None:
        return TEMPLATE_VIEW_PREFIX + " ".join(origins)
    old = next(filter(None, map(_OLD_FORM.fullmatch, template.split("\n"))), None)
    if old is not None and template.startswith(_FIRST_LINE):
        return OLD_FORM_VIEW_PREFIX + " ".join(_QUOTED.findall(old.group(1)))
    return UNRECOGNISED_VIEW_PREFIX + hashlib.sha256(template.encode()).hexdigest()[:16]


def origins_view(origins: Sequence[str]) -> str:
    """The plan's value for the template corsdeploy writes for `origins`."""
    return template_view(preflight_template(origins))
