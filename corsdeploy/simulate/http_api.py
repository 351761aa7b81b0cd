"""How API Gateway HTTP APIs answer a browser's request from their `CorsConfiguration`, as far as
the facts establish (§3.2 the documented origin forms, §3.3 the service answering preflights itself
and ignoring the integration's CORS headers, §3.4 header names lowercased on read); the rest is in
simulate/assumptions.py. Function URLs share the same `Cors` object and this evaluator."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace

from corsdeploy.model import CorsConfig, CorsRule, Live, Resource
from corsdeploy.services.http_api import SERVICE, CorsObjectService
from corsdeploy.shapes import rule_from_cors
from corsdeploy.simulate import glob
from corsdeploy.simulate.assumptions import (
    BACKEND_STATUS,
    ECHOED,
    FORBIDDEN,
    GLOB,
    HTTP_API,
    Chooser,
    CorsObjectAssumptions,
    settle,
    with_notes,
)
from corsdeploy.simulate.request import BrowserRequest, ServiceAnswer

WILDCARD = "*"


@dataclass(frozen=True)
class Surface:
    """A service configured by AWS's `Cors` object, as the simulator needs to know it."""

    name: str
    # Who answers what the service passes on ("the integration", "the function").
    backend: str
    service: CorsObjectService
    assumptions: CorsObjectAssumptions
    # Origin patterns AWS documents as wildcards for this service (always treated as such).
    documented_patterns: tuple[str, ...] = ()
    # A note every preflight the service answers carries (an UNCONFIRMED premise, no alternative).
    preflight_note: str | None = None


# "https://* (any origin that begins with https://)", "http://* (... http://)" (facts §3.2).
HTTP_API_SURFACE = Surface("API Gateway", "the integration", SERVICE, HTTP_API,
                           documented_patterns=("https://*", "http://*"))


def answer(resource: Resource, request: BrowserRequest, live: Live | None) -> ServiceAnswer:
    """The HTTP API's answer from the file's `cors`, or with `live` from the API's live one."""
    return evaluate(config_of(HTTP_API_SURFACE, resource, live), request)


def evaluate(config: CorsConfig | None, request: BrowserRequest) -> ServiceAnswer:
    """What an HTTP API with `config` (None: no CorsConfiguration) sends back to `request`."""
    return evaluate_on(HTTP_API_SURFACE, config, request)


def config_of(surface: Surface, resource: Resource, live: Live | None) -> CorsConfig | None:
    """The configuration the service holds: what apply would write from the file, or the live one."""
    wire = surface.service.desired(resource) if live is None else live.wire
    return rule_from_cors(wire) if wire is not None else None


def evaluate_on(surface: Surface, config: CorsConfig | None, request: BrowserRequest) -> ServiceAnswer:
    answer = settle(lambda choose: _evaluate(surface, config, request, choose), surface.assumptions.all)
    if surface.preflight_note and config is not None and _is_preflight(request):
        return replace(answer, reason=with_notes(answer.reason, [surface.preflight_note]))
    return answer


def _is_preflight(request: BrowserRequest) -> bool:
    """A preflight the service answers itself needs Origin and Access-Control-Request-Method (§3.3)."""
    return request.preflight and request.origin is not None and bool(request.method)


def _evaluate(surface: Surface, config: CorsConfig | None, request: BrowserRequest,
              choose: Chooser) -> ServiceAnswer:
    passed_on = f"(its status assumed {BACKEND_STATUS}, without CORS headers of its own)"
    if config is None:
        return ServiceAnswer(BACKEND_STATUS, reason=(
            f"no CORS configuration: {surface.backend} answers the request itself, and corsdeploy cannot "
            f"see whether it sends CORS headers {passed_on}"))
    if request.origin is None or (request.preflight and not request.method):
        what = "Origin" if request.origin is None else "Access-Control-Request-Method"
        return ServiceAnswer(BACKEND_STATUS, reason=(
            f"no {what}: {surface.name} sends no CORS headers and passes the request to "
            f"{surface.backend} {passed_on}"))
    (rule,) = config.rules
    entry = _matching_origin(surface, rule, request.origin, choose)
    if entry is None:
        origin_step = (f"origin {request.origin!r} is not allowed by AllowOrigins "
                       f"{_listing(rule.allowed_origins)}")
    else:
        origin_step = f"origin {request.origin!r} is allowed by AllowOrigins entry {entry!r}"
    if not request.preflight:
        return _actual(surface, rule, request.origin, entry, origin_step, choose)
    method_step, method_allowed = _method_step(surface, rule, request.method, choose)
    headers_step, refused = _headers_step(rule, request.headers)
    steps = (origin_step, method_step, *headers_step)
    status = _status(choose(surface.assumptions.preflight_status))
    failed = [part for part, fails in (("origin", entry is None), ("method", not method_allowed),
                                       ("requested headers", bool(refused))) if fails]
    if failed:
        if choose(surface.assumptions.refused_preflight) == FORBIDDEN:
            status = FORBIDDEN
        return ServiceAnswer(status, steps=steps, reason=(
            f"{surface.name} does not allow the {' and '.join(failed)} of this preflight and answers it "
            "without CORS headers"))
    assert entry is not None
    return ServiceAnswer(status, _preflight_headers(surface, rule, request, entry, choose),
                         reason="origin, method and every requested header are allowed", steps=steps)


def _status(value: object) -> int:
    assert isinstance(value, int)
    return value


def _actual(surface: Surface, rule: CorsRule, origin: str, entry: str | None, origin_step: str,
            choose: Chooser) -> ServiceAnswer:
    """An actual request reaches the backend; the service adds its CORS headers when the origin is allowed."""
    steps = (origin_step, "the method and headers of an actual request are not checked")
    status = f"(status assumed {BACKEND_STATUS})"
    if entry is None:
        return ServiceAnswer(BACKEND_STATUS, steps=steps, reason=(
            f"origin not allowed: {surface.name} adds no CORS headers to {surface.backend}'s response "
            f"{status}"))
    headers = _origin_headers(surface, rule, origin, entry, choose)
    if rule.expose_headers:
        headers["Access-Control-Expose-Headers"] = _joined(rule.expose_headers)
    return ServiceAnswer(BACKEND_STATUS, _with_vary(surface, headers, choose), reason=(
        f"origin allowed: {surface.name} adds the CORS headers to {surface.backend}'s response {status}"),
        steps=steps)


def _listing(values: Sequence[str]) -> str:
    return json.dumps(list(values))


def _joined(names: Sequence[str]) -> str:
    """A header list as the service sends it: names lowercased (the service stores them so, facts
    §3.4, §4.4). How AWS joins the items is not documented; browsers split on commas either way."""
    return ",".join(name.lower() for name in names)


def _origin_allows(surface: Surface, entry: str, origin: str, choose: Chooser) -> bool:
    case_sensitive = bool(choose(surface.assumptions.origin_case_sensitive))
    wildcard = entry == WILDCARD or entry in surface.documented_patterns or (
        WILDCARD in entry and choose(surface.assumptions.origin_patterns) == GLOB)
    if wildcard:
        return glob.matches(entry, origin, case_sensitive=case_sensitive)
    return entry == origin if case_sensitive else entry.lower() == origin.lower()


def _matching_origin(surface: Surface, rule: CorsRule, origin: str, choose: Chooser) -> str | None:
    """The AllowOrigins entry that allows `origin`: one naming it before `*` (the list is a set)."""
    entries = sorted((e for e in rule.allowed_origins if _origin_allows(surface, e, origin, choose)),
                     key=lambda entry: entry == WILDCARD)
    return entries[0] if entries else None


def _method_step(surface: Surface, rule: CorsRule, method: str, choose: Chooser) -> tuple[str, bool]:
    if WILDCARD in rule.allowed_methods:
        allowed = True
    elif choose(surface.assumptions.method_case_sensitive):
        allowed = method in rule.allowed_methods
    else:
        allowed = method.upper() in {m.upper() for m in rule.allowed_methods}
    return (f"method {method} is {'' if allowed else 'not '}allowed by AllowMethods "
            f"{_listing(rule.allowed_methods)}"), allowed


def _headers_step(rule: CorsRule, requested: Sequence[str]) -> tuple[tuple[str, ...], list[str]]:
    """The line about the requested headers (none when there are none), and those refused."""
    allowed = {name.lower() for name in rule.allowed_headers}
    refused = [name for name in requested if WILDCARD not in allowed and name.lower() not in allowed]
    if refused:
        return (f"requested header{'s' if len(refused) > 1 else ''} {', '.join(refused)} not allowed by "
                f"AllowHeaders {_listing(rule.allowed_headers)}",), refused
    if requested:
        return (f"requested headers {', '.join(requested)} allowed by AllowHeaders "
                f"{_listing(rule.allowed_headers)}",), refused
    return (), refused


def _origin_headers(surface: Surface, rule: CorsRule, origin: str, entry: str,
                    choose: Chooser) -> dict[str, str]:
    star = entry == WILDCARD and choose(surface.assumptions.star_origin_sent_as_star)
    headers = {"Access-Control-Allow-Origin": WILDCARD if star else origin}
    if rule.allow_credentials:
        headers["Access-Control-Allow-Credentials"] = "true"
    return headers


def _with_vary(surface: Surface, headers: dict[str, str], choose: Chooser) -> dict[str, str]:
    vary = choose(surface.assumptions.vary)
    return {**headers, "Vary": str(vary)} if vary else headers


def _preflight_headers(surface: Surface, rule: CorsRule, request: BrowserRequest, entry: str,
                       choose: Chooser) -> dict[str, str]:
    assert request.origin is not None
    headers = _origin_headers(surface, rule, request.origin, entry, choose)
    echoed = choose(surface.assumptions.wildcard_lists) == ECHOED
    if echoed and WILDCARD in rule.allowed_methods:
        headers["Access-Control-Allow-Methods"] = request.method
    else:
        headers["Access-Control-Allow-Methods"] = ",".join(rule.allowed_methods)
    if echoed and WILDCARD in rule.allowed_headers and request.headers:
        headers["Access-Control-Allow-Headers"] = _joined(request.headers)
    elif rule.allowed_headers:
        headers["Access-Control-Allow-Headers"] = _joined(rule.allowed_headers)
    # MaxAge absent and 0 are one configuration (facts §3.4): neither sends a header.
    if rule.max_age:
        headers["Access-Control-Max-Age"] = str(rule.max_age)
    return _with_vary(surface, headers, choose)
