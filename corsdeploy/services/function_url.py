"""Lambda function URLs: the `Cors` object and how the service compares it."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from corsdeploy.model import Kind, Live, Resource
from corsdeploy.services.http_api import CaseFolds, desired_cors, normalize_cors


def _verbatim(value: str) -> str:
    return value


# Function URLs store header names lowercased and echo methods back verbatim; that origins are
# echoed verbatim too is UNCONFIRMED (no AWS source either way).
FUNCTION_URL_FOLDS: CaseFolds = {
    "AllowHeaders": str.lower,
    "ExposeHeaders": str.lower,
    "AllowMethods": _verbatim,
    "AllowOrigins": _verbatim,
}


def split_function_name(name: str) -> tuple[str, str | None]:
    """`name:qualifier` -> (function name, alias); a plain name has no qualifier."""
    function, _, qualifier = name.partition(":")
    return function, qualifier or None


class FunctionUrlService:
    """CORS semantics of Lambda function URLs."""

    kind = Kind.FUNCTION_URL

    def desired(self, resource: Resource, live: Live) -> Mapping[str, Any] | None:
        return desired_cors(resource, FUNCTION_URL_FOLDS)

    def normalize(self, wire: Mapping[str, Any] | None) -> Any:
        return normalize_cors(wire, FUNCTION_URL_FOLDS)


SERVICE = FunctionUrlService()
