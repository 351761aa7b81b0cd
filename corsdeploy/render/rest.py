"""REST API changes in words: which OPTIONS method answers what, which methods' 2xx responses and
which gateway responses carry which headers, and whether the stage still has to be deployed.

Resources that change alike are told once (`OPTIONS /, /items: ...`). Presentation only: whether
anything changed is the planner's business (services.rest_api.view.normalize_view).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from corsdeploy.render.lines import PENDING_DEPLOYMENT, Line, Mark, ascii_text, hidden, indented
from corsdeploy.services.rest_api.pattern import ORIGIN_FROM_REQUEST
from corsdeploy.services.rest_api.view import DRIFT_KEY, normalize_view

Headers = Mapping[str, str]
# The keys of the contract's REST shape ("Cors" is a summary, the deployment a field of its own).
_VIEW_KEYS = {"Cors", "resources", "gateway_responses", "deployment"}

# What each kind of part says, by mark; {subjects} is filled in, {s} pluralises.
_PHRASES = {
    "preflight": {Mark.ADD: "OPTIONS {subjects}: a preflight method is added, answering",
                  Mark.REMOVE: "OPTIONS {subjects}: corsdeploy's preflight method is removed; it answered",
                  Mark.CHANGE: "OPTIONS {subjects}: the preflight method changes"},
    "method": {Mark.ADD: "{subjects}: 2xx responses get",
               Mark.REMOVE: "{subjects}: 2xx responses no longer get",
               Mark.CHANGE: "{subjects}: 2xx responses get"},
    "gateway": {Mark.ADD: "gateway response{s} {subjects} add{verb_s}",
                Mark.REMOVE: "gateway response{s} {subjects} drop{verb_s}",
                Mark.CHANGE: "gateway response{s} {subjects} change{verb_s}"},
}
# A preflight's differences from corsdeploy's OPTIONS method (view.preflight_view), in words.
_DRIFT_WORDS = (
    (re.compile(r"operationName is None"), "it is not marked as corsdeploy's"),
    (re.compile(r"operationName is (.*)"), r"it is not marked as corsdeploy's (it is named \1)"),
    (re.compile(r"authorizationType is '?([^']*)'?"),
     r"it requires \1 authorization, which a browser's preflight never carries"),
    (re.compile(r"apiKeyRequired is True"),
     "it requires an API key, which a browser's preflight never carries"),
    (re.compile(r"integration is None, not MOCK"), "it has no integration"),
    (re.compile(r"integration is '?([^']*)'?, not MOCK"), r"its integration is \1, not a MOCK answer"),
    (re.compile(r"MOCK request template differs"), "its MOCK request template is not corsdeploy's"),
    (re.compile(r"contentHandling is .*, not CONVERT_TO_TEXT \((.*)\)"),
     r"its integration does not convert bodies to text (\1)"),
    (re.compile(r"(.*) not declared in the 200 method response"),
     r"its 200 method response does not declare \1"),
    (re.compile(r"static (.*) beside a response template"),
     r"it sets a static \1 as well as a response template"),
    (re.compile(r"response templates for (.*)"), r"it has response templates for \1"),
)


def is_rest_view(wire: Any) -> bool:
    """Whether `wire` has the contract's REST shape (anything else is shown field by field)."""
    if wire is None:
        return True
    if not isinstance(wire, Mapping) or not {"resources", "gateway_responses"} <= set(wire) <= _VIEW_KEYS:
        return False
    resources, gateway = wire["resources"], wire["gateway_responses"]
    return (isinstance(resources, Mapping) and isinstance(gateway, Mapping)
            and all(_is_headers(headers, allow_none=True) for headers in gateway.values())
            and all(_is_entry(entry) for entry in resources.values()))


def _is_entry(entry: Any) -> bool:
    methods = entry.get("methods") or {} if isinstance(entry, Mapping) else None
    return (isinstance(methods, Mapping) and _is_headers(entry.get("preflight"), allow_none=True)
            and all(_is_headers(headers) for headers in methods.values()))


def _is_headers(value: Any, allow_none: bool = False) -> bool:
    if value is None:
        return allow_none
    return isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values())


def rest_lines(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[Line]:
    """Every managed piece that changes, told in words, alike ones together."""
    old, new = normalize_view(before) or _NOTHING, normalize_view(after) or _NOTHING
    parts = [*_resource_parts(old["resources"], new["resources"]),
             *_parts("gateway", old["gateway_responses"], new["gateway_responses"], sorted)]
    pending = [Line(Mark.CHANGE, 0, PENDING_DEPLOYMENT)] if old["deployment"] != new["deployment"] else []
    return pending + [line for part in _grouped(parts) for line in part]


_NOTHING: Mapping[str, Any] = {"resources": {}, "gateway_responses": {}, "deployment": "current"}


@dataclass(frozen=True)
class _Part:
    """One OPTIONS method, one method's 2xx responses or one gateway response, and its header lines."""

    kind: str
    subject: str
    mark: Mark
    body: tuple[Line, ...]


def _resource_parts(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[_Part]:
    parts: list[_Part] = []
    for path in sorted({*old, *new}):
        before, after = old.get(path) or {}, new.get(path) or {}
        parts += _parts("preflight", {path: before.get("preflight")}, {path: after.get("preflight")})
        methods_before, methods_after = before.get("methods") or {}, after.get("methods") or {}
        parts += _parts("method", {f"{m} {path}": methods_before.get(m) for m in methods_before},
                        {f"{m} {path}": methods_after.get(m) for m in methods_after})
    return parts


def _parts(kind: str, old: Mapping[str, Headers | None], new: Mapping[str, Headers | None],
           order: Any = list) -> list[_Part]:
    parts = []
    for subject in order(dict.fromkeys([*old, *new])):
        before, after = old.get(subject), new.get(subject)
        if before == after:
            continue
        mark = Mark.ADD if before is None else Mark.REMOVE if after is None else Mark.CHANGE
        parts.append(_Part(kind, subject, mark, tuple(_header_lines(before or {}, after or {}))))
    return parts


def _header_lines(before: Headers, after: Headers) -> list[Line]:
    lines: list[Line] = []
    for name in sorted({*before, *after}, key=lambda name: (name != DRIFT_KEY, name)):
        old, new = before.get(name), after.get(name)
        if name == DRIFT_KEY:
            lines += _drift_lines(old, new)
        elif old != new:
            lines.append(_header_line(ascii_text(name), old, new))
    unchanged = sum(1 for name in before if name in after and before[name] == after[name])
    return lines + hidden(unchanged if before and after else 0, "header")


def _header_line(name: str, old: str | None, new: str | None) -> Line:
    if old is None:
        return Line(Mark.ADD, 0, f"{name}: {_value(new)}")
    if new is None:
        return Line(Mark.REMOVE, 0, f"{name}: {_value(old)}")
    return Line(Mark.CHANGE, 0, f"{name}: {_value(old)} -> {_value(new)}")


def _drift_lines(old: str | None, new: str | None) -> list[Line]:
    """How the OPTIONS method itself differs from corsdeploy's, one difference a line."""
    heading = "rebuilt as corsdeploy's" if not new else "differs from corsdeploy's"
    return [Line(Mark.CHANGE, 0, f"method: {heading}, where"),
            *(Line(Mark.REMOVE, 1, words) for words in drift_in_words(old)),
            *(Line(Mark.ADD, 1, words) for words in drift_in_words(new))]


def drift_in_words(drift: str | None) -> list[str]:
    """view.preflight_view's list of differences, each said in words rather than as API fields."""
    return [_in_words(fragment) for fragment in drift.split("; ")] if drift else []


def _in_words(fragment: str) -> str:
    for pattern, words in _DRIFT_WORDS:
        match = pattern.fullmatch(fragment)
        if match:
            return ascii_text(match.expand(words))
    return ascii_text(fragment)


def _value(value: str | None) -> str:
    """A header value as API Gateway stores it: 'quoted' is literal; a mapping is said in words."""
    if value is None:
        return "none"
    if value == ORIGIN_FROM_REQUEST:
        return "the request's Origin, whatever it is"
    return ascii_text(value)


def _grouped(parts: list[_Part]) -> list[list[Line]]:
    """One heading for the parts of a kind that change alike, in the order they first appear."""
    groups: dict[tuple[str, Mark, tuple[Line, ...]], list[str]] = {}
    for part in parts:
        groups.setdefault((part.kind, part.mark, part.body), []).append(part.subject)
    out = []
    for (kind, mark, body), subjects in groups.items():
        several = len(subjects) > 1
        heading = _PHRASES[kind][mark].format(subjects=", ".join(ascii_text(s) for s in subjects),
                                              s="s" if several else "", verb_s="" if several else "s")
        out.append([Line(mark, 0, f"{heading}:"), *indented(body, 1)])
    return out
