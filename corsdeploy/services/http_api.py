"""API Gateway HTTP APIs: the `Cors` object (CorsConfiguration) and how the service compares it."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from corsdeploy.model import Kind, Live, Resource
from corsdeploy.shapes import rule_to_cors

# How each list field of the `Cors` object is folded before comparing it as a set.
CaseFolds = Mapping[str, Callable[[str], str]]

# HTTP APIs lowercase header names on read; methods and origins are matched case-insensitively
# (Terraform's practice; whether the service also rewrites their case on read is UNCONFIRMED).
HTTP_API_FOLDS: CaseFolds = {
    "AllowHeaders": str.lower,
    "ExposeHeaders": str.lower,
    "AllowMethods": str.upper,
    "AllowOrigins": str.lower,
}


def normalize_cors(wire: Mapping[str, Any] | None, folds: CaseFolds) -> dict[str, Any] | None:
    """The `Cors` object as sorted case-folded sets with unset = false/0; None when all are empty."""
    wire = wire or {}
    value: dict[str, Any] = {
        field: sorted({fold(item) for item in wire.get(field) or ()}) for field, fold in folds.items()
    }
    value["AllowCredentials"] = bool(wire.get("AllowCredentials") or False)
    value["MaxAge"] = int(wire.get("MaxAge") or 0)
    if not any(value.values()):
        return None
    return dict(sorted(value.items()))


def desired_cors(resource: Resource, folds: CaseFolds) -> dict[str, Any] | None:
    """The file's `Cors` object in the user's spelling; None for `absent` or one configuring nothing."""
    if resource.cors is None:
        return None
    wire = rule_to_cors(resource.cors)
    return wire if normalize_cors(wire, folds) is not None else None


@dataclass(frozen=True)
class CorsObjectService:
    """A service configured by AWS's `Cors` object (HTTP APIs, function URLs); they differ only in
    which lists the service compares without regard to case."""

    kind: Kind
    folds: CaseFolds

    def desired(self, resource: Resource, live: Live) -> Mapping[str, Any] | None:
        return desired_cors(resource, self.folds)

    def normalize(self, wire: Mapping[str, Any] | None) -> Any:
        return normalize_cors(wire, self.folds)


SERVICE = CorsObjectService(Kind.HTTP_API, HTTP_API_FOLDS)
