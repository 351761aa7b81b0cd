"""The lines of a change, by kind: S3 rule lists, REST APIs in words, `Cors` objects field by field.

A value that does not have its kind's shape is still shown, field by field (never as one line).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from corsdeploy.model import Kind
from corsdeploy.plan import Change
from corsdeploy.render.lines import PENDING_DEPLOYMENT, Line, Mark, is_empty, mapping_lines, value_lines
from corsdeploy.render.rest import is_rest_view, rest_lines
from corsdeploy.render.rules import is_rule_list, rule_list_lines
from corsdeploy.services import service_for
from corsdeploy.services.function_url import FUNCTION_URL_FOLDS
from corsdeploy.services.http_api import HTTP_API_FOLDS, CaseFolds

Wire = Mapping[str, Any] | None
View = Callable[[Wire, Wire], list[Line]]

# The `Cors` object's fields in the order a reader wants them.
CORS_ORDER = ("AllowOrigins", "AllowMethods", "AllowHeaders", "ExposeHeaders", "MaxAge", "AllowCredentials")


def change_lines(change: Change) -> list[Line]:
    """What a reviewer reads under a change's address (nothing for a no-op). A REST API's view
    tells its own pending deployment (rest_lines); for the other kinds the planner flags it."""
    pending = [Line(Mark.CHANGE, 0, PENDING_DEPLOYMENT)] if change.pending_deployment else []
    return pending + _view(change)(change.before, change.after)


def _view(change: Change) -> View:
    """The kind's view when both values have its shape, else field by field."""
    kind = _kind(change.address)
    if kind is None or not all(_SHAPED[kind](wire) for wire in (change.before, change.after)):
        return generic_lines
    return _VIEWS[kind]


def _kind(address: str) -> Kind | None:
    try:
        return Kind(address.partition(".")[0])
    except ValueError:
        return None


def generic_lines(before: Any, after: Any) -> list[Line]:
    """Any two values, as nested blocks of what differs."""
    if isinstance(before, Mapping | None) and isinstance(after, Mapping | None):
        return mapping_lines(before or {}, after or {})
    return [*value_lines(Mark.REMOVE, "value", before), *value_lines(Mark.ADD, "value", after)]


def _cors_object_view(kind: Kind, folds: CaseFolds) -> View:
    """Fields of the `Cors` object that the service treats differently, list items one per line."""
    def view(before: Wire, after: Wire) -> list[Line]:
        service = service_for(kind)
        old, new = service.normalize(before) or {}, service.normalize(after) or {}
        raw_old, raw_new = before or {}, after or {}

        def changed(key: str) -> bool:
            if is_empty(raw_old.get(key)) and is_empty(raw_new.get(key)):
                return False
            if key in CORS_ORDER:
                return bool(old.get(key) != new.get(key))
            return raw_old.get(key) != raw_new.get(key)

        return mapping_lines(raw_old, raw_new, changed, CORS_ORDER, folds)
    return view


def _is_cors_object(wire: Any) -> bool:
    return wire is None or isinstance(wire, Mapping)


def _is_s3(wire: Any) -> bool:
    return wire is None or is_rule_list(wire)


_VIEWS: dict[Kind, View] = {
    Kind.S3_BUCKET: rule_list_lines,
    Kind.HTTP_API: _cors_object_view(Kind.HTTP_API, HTTP_API_FOLDS),
    Kind.REST_API: rest_lines,
    Kind.FUNCTION_URL: _cors_object_view(Kind.FUNCTION_URL, FUNCTION_URL_FOLDS),
}
_SHAPED: dict[Kind, Callable[[Any], bool]] = {
    Kind.S3_BUCKET: _is_s3,
    Kind.HTTP_API: _is_cors_object,
    Kind.REST_API: is_rest_view,
    Kind.FUNCTION_URL: _is_cors_object,
}
