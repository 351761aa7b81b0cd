"""The browser's verdict on a service's answer, as the Fetch standard decides it (the CORS check,
and for a preflight the CORS-preflight fetch's checks of status, methods and headers)."""
from __future__ import annotations

import re
from collections.abc import Mapping

from corsdeploy.simulate.request import BrowserRequest, ServiceAnswer

WILDCARD = "*"
# Fetch: methods a request may use without the preflight allowing them ("CORS-safelisted methods").
SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})
# Fetch "normalize a method": these are uppercased whatever case the page wrote them in (others,
# PATCH included, are sent as written).
_NORMALIZED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})
# Fetch: a header `*` in Access-Control-Allow-Headers never covers ("CORS-non-wildcard request-header name").
NON_WILDCARD_HEADERS = frozenset({"authorization"})
# RFC 9110 token: what a method or header name in Access-Control-Allow-Methods/-Headers must be.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def normalize_method(method: str) -> str:
    """The method as the browser sends it (Fetch "normalize a method")."""
    return method.upper() if method.upper() in _NORMALIZED_METHODS else method


def verdict(request: BrowserRequest, answer: ServiceAnswer) -> tuple[bool, str]:
    """Whether the browser lets the request proceed on this answer, and why (one sentence)."""
    if request.origin is None:
        return False, "the request has no Origin, so it is not one a browser makes cross-origin"
    refusal = _cors_check(request, request.origin, answer.headers)
    if refusal is None and request.preflight:
        refusal = _preflight_check(request, answer)
    if refusal is not None:
        return False, f"the browser blocks it: {refusal}"
    if request.preflight:
        return True, "the browser accepts the preflight and sends the request"
    return True, "the browser lets the page read the response"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """A response header by name, without regard to case (HTTP header names are case-insensitive)."""
    return next((value for key, value in headers.items() if key.lower() == name.lower()), None)


def _cors_check(request: BrowserRequest, origin: str, headers: Mapping[str, str]) -> str | None:
    """Fetch's CORS check: why the response fails it, or None when it passes."""
    allow_origin = _header(headers, "Access-Control-Allow-Origin")
    if allow_origin is None:
        return "the response has no Access-Control-Allow-Origin header"
    if allow_origin == WILDCARD:
        if request.credentials:
            return "Access-Control-Allow-Origin is `*`, which a request with credentials does not accept"
        return None
    if allow_origin != origin:
        return f"Access-Control-Allow-Origin {allow_origin!r} is not the page's origin {origin!r}"
    if not request.credentials:
        return None
    allow_credentials = _header(headers, "Access-Control-Allow-Credentials")
    if allow_credentials != "true":
        shown = "missing" if allow_credentials is None else repr(allow_credentials)
        return f"the request has credentials and Access-Control-Allow-Credentials is {shown}, not 'true'"
    return None


def _list(headers: Mapping[str, str], name: str) -> list[str] | None:
    """A comma-separated response header's items; None when one is not a token (Fetch fails then)."""
    items = [item.strip() for item in (_header(headers, name) or "").split(",")]
    items = [item for item in items if item]
    return items if all(_TOKEN.fullmatch(item) for item in items) else None


def _preflight_check(request: BrowserRequest, answer: ServiceAnswer) -> str | None:
    """Fetch's CORS-preflight checks after the CORS check: why they fail, or None."""
    if not 200 <= answer.status <= 299:
        return f"the preflight was answered {answer.status}, not a 2xx status"
    methods = _list(answer.headers, "Access-Control-Allow-Methods")
    names = _list(answer.headers, "Access-Control-Allow-Headers")
    if methods is None or names is None:
        return "Access-Control-Allow-Methods or -Allow-Headers holds a value that is not a token"
    wildcard_methods = WILDCARD in methods and not request.credentials
    if request.method not in methods and request.method not in SAFELISTED_METHODS and not wildcard_methods:
        listed = ", ".join(methods) or "none"
        return f"method {request.method} is not in Access-Control-Allow-Methods ({listed})"
    allowed = {name.lower() for name in names}
    wildcard_headers = WILDCARD in names and not request.credentials
    refused = [name for name in request.headers
               if name.lower() not in allowed
               and (not wildcard_headers or name.lower() in NON_WILDCARD_HEADERS)]
    if refused:
        return (f"requested header{'s' if len(refused) > 1 else ''} {', '.join(refused)} "
                f"{'are' if len(refused) > 1 else 'is'} not in Access-Control-Allow-Headers "
                f"({', '.join(names) or 'none'})")
    return None
