"""How S3 answers a browser's request from a bucket's CORS rules, as documented and recorded
(facts §1.3 evaluation, §1.4 response headers): the first rule matching the origin, the method
and every requested header decides everything."""
from __future__ import annotations

import json
from collections.abc import Sequence

from corsdeploy.model import CorsConfig, CorsRule, Live, Resource
from corsdeploy.shapes import rules_from_s3
from corsdeploy.simulate import glob
from corsdeploy.simulate.assumptions import (
    EXACT_ENTRY,
    S3_ASSUMPTIONS,
    S3_MAX_AGE_ZERO_SENT,
    S3_METHOD_CASE_SENSITIVE,
    S3_ORIGIN_CASE_SENSITIVE,
    S3_STAR_BESIDE_ORIGINS,
    S3_WILDCARD_MATCHES_EMPTY,
    S3_WILDCARD_SPANS_DOTS,
    Chooser,
    settle,
)
from corsdeploy.simulate.request import BrowserRequest, ServiceAnswer

# S3's own words (facts §1.3, recorded on the wire; "evalution" is S3's spelling).
ORIGIN_NEEDED = "Insufficient information. Origin request header needed."
NOT_ENABLED = "CORSResponse: CORS is not enabled for this bucket."
NOT_ALLOWED = ("CORSResponse: This CORS request is not allowed. This is usually because the evalution of "
               "Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers "
               "are not whitelisted by the resource's CORS spec.")
VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
PREFLIGHT_OK, BAD_REQUEST, FORBIDDEN = 200, 400, 403
# An actual request is served whatever CORS says (auth and ACLs permitting).
SERVED = 200


def answer(resource: Resource, request: BrowserRequest, live: Live | None) -> ServiceAnswer:
    """S3's answer from the file's rules, or with `live` from the bucket's live ones."""
    return evaluate(resource.cors if live is None else config_from_wire(live), request)


def config_from_wire(live: Live) -> CorsConfig | None:
    rules = (live.wire or {}).get("CORSRules") or []
    return rules_from_s3(rules) if rules else None


def evaluate(config: CorsConfig | None, request: BrowserRequest) -> ServiceAnswer:
    """What S3 sends back to `request` for a bucket with `config` (None: no CORS configuration)."""
    return settle(lambda choose: _evaluate(config, request, choose), S3_ASSUMPTIONS)


def _evaluate(config: CorsConfig | None, request: BrowserRequest, choose: Chooser) -> ServiceAnswer:
    if request.origin is None:
        if request.preflight:
            return ServiceAnswer(BAD_REQUEST, reason=ORIGIN_NEEDED)
        return ServiceAnswer(SERVED, reason="no Origin header: S3 does not treat the request as "
                                            "cross-origin and sends no CORS headers")
    if config is None:
        if request.preflight:
            return ServiceAnswer(FORBIDDEN, reason=NOT_ENABLED)
        return ServiceAnswer(SERVED, reason="the bucket has no CORS configuration: S3 serves the request "
                                            "without CORS headers")
    steps: list[str] = []
    for index, rule in enumerate(config.rules):
        misses = _misses(rule, request, choose)
        if misses:
            steps.append(f"{_name(index, rule)}: {'; '.join(misses)}")
            continue
        steps.append(f"{_name(index, rule)}: {_why_it_matches(rule, request, choose)}")
        what = "origin, method and every requested header" if request.preflight else "origin and method"
        return ServiceAnswer(PREFLIGHT_OK if request.preflight else SERVED,
                             _headers(rule, request, request.origin, choose), index,
                             f"rule {index} matches {what}", tuple(steps))
    if request.preflight:
        return ServiceAnswer(FORBIDDEN, reason=NOT_ALLOWED, steps=tuple(steps))
    return ServiceAnswer(SERVED, reason="no rule matches the origin and method: S3 serves the request "
                                        "without CORS headers", steps=tuple(steps))


def _name(index: int, rule: CorsRule) -> str:
    return f"rule {index}" + (f" (ID {rule.id!r})" if rule.id else "")


def _listing(values: Sequence[str]) -> str:
    return json.dumps(list(values))


def _origin_entries(rule: CorsRule, origin: str, choose: Chooser) -> list[str]:
    """The rule's AllowedOrigins entries that match `origin`, in the rule's order."""
    return [entry for entry in rule.allowed_origins
            if glob.matches(entry, origin, case_sensitive=bool(choose(S3_ORIGIN_CASE_SENSITIVE)),
                            empty=bool(choose(S3_WILDCARD_MATCHES_EMPTY)),
                            spans=bool(choose(S3_WILDCARD_SPANS_DOTS)))]


def _method_allowed(rule: CorsRule, method: str, choose: Chooser) -> bool:
    if choose(S3_METHOD_CASE_SENSITIVE):
        return method in rule.allowed_methods
    return method.upper() in {m.upper() for m in rule.allowed_methods}


def _refused_headers(rule: CorsRule, headers: Sequence[str], choose: Chooser) -> list[str]:
    """The requested headers no AllowedHeaders entry matches (names match case-insensitively)."""
    return [name for name in headers
            if not any(glob.matches(entry, name, case_sensitive=False,
                                    empty=bool(choose(S3_WILDCARD_MATCHES_EMPTY)),
                                    spans=bool(choose(S3_WILDCARD_SPANS_DOTS)))
                       for entry in rule.allowed_headers)]


def _misses(rule: CorsRule, request: BrowserRequest, choose: Chooser) -> list[str]:
    """Why `rule` does not match `request`, one phrase per failed condition (none: it matches)."""
    assert request.origin is not None
    misses = []
    if not _origin_entries(rule, request.origin, choose):
        misses.append(f"origin {request.origin!r} matches none of AllowedOrigins "
                      f"{_listing(rule.allowed_origins)}")
    if not request.method:
        misses.append("the preflight has no Access-Control-Request-Method")
    elif not _method_allowed(rule, request.method, choose):
        misses.append(f"method {request.method} is not one of AllowedMethods "
                      f"{_listing(rule.allowed_methods)}")
    if request.preflight and request.headers:
        refused = _refused_headers(rule, request.headers, choose)
        if not rule.allowed_headers:
            misses.append(f"no AllowedHeaders, so no requested header is allowed ({', '.join(refused)})")
        elif refused:
            misses.append(f"requested header{'s' if len(refused) > 1 else ''} {', '.join(refused)} "
                          f"match{'' if len(refused) > 1 else 'es'} no AllowedHeaders entry "
                          f"{_listing(rule.allowed_headers)}")
    return misses


def _why_it_matches(rule: CorsRule, request: BrowserRequest, choose: Chooser) -> str:
    assert request.origin is not None
    entry = _origin_entries(rule, request.origin, choose)[0]
    said = f"matches: origin by AllowedOrigins entry {entry!r}, method {request.method}"
    if not request.preflight:
        return f"{said} (S3 does not check the headers of actual requests)"
    return f"{said}, requested headers {', '.join(request.headers)}" if request.headers else said


def _allow_origin(rule: CorsRule, origin: str, choose: Chooser) -> str:
    """The request's origin echoed, or `*` when the entry that matched it is `*` (facts §1.4)."""
    entries = _origin_entries(rule, origin, choose)
    if choose(S3_STAR_BESIDE_ORIGINS) == EXACT_ENTRY:
        entries = sorted(entries, key=lambda entry: entry == glob.WILDCARD)
    return glob.WILDCARD if entries[0] == glob.WILDCARD else origin


def _headers(rule: CorsRule, request: BrowserRequest, origin: str, choose: Chooser) -> dict[str, str]:
    """The CORS headers S3 sends when `rule` matched (facts §1.4)."""
    allow_origin = _allow_origin(rule, origin, choose)
    headers = {"Access-Control-Allow-Origin": allow_origin}
    if allow_origin != glob.WILDCARD:
        headers["Access-Control-Allow-Credentials"] = "true"
    headers["Access-Control-Allow-Methods"] = ", ".join(rule.allowed_methods)
    if request.preflight and request.headers:
        headers["Access-Control-Allow-Headers"] = ", ".join(name.lower() for name in request.headers)
    if rule.expose_headers:
        headers["Access-Control-Expose-Headers"] = ", ".join(rule.expose_headers)
    if rule.max_age is not None and (rule.max_age != 0 or choose(S3_MAX_AGE_ZERO_SENT)):
        headers["Access-Control-Max-Age"] = str(rule.max_age)
    headers["Vary"] = VARY
    return headers
