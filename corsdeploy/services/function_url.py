"""Lambda function URLs: the `Cors` object and how the service compares it."""
from __future__ import annotations

from corsdeploy.model import Kind
from corsdeploy.services.http_api import CaseFolds, CorsObjectService


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


SERVICE = CorsObjectService(Kind.FUNCTION_URL, FUNCTION_URL_FOLDS, empty_is_cors=False)
