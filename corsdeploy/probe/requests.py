"""Which requests a probe sends, derived from a CORS configuration alone (pure, no I/O).

For each allowed origin (a wildcard pattern made a concrete example origin) and each of its
methods, a preflight carrying the rule's headers, and actual GET (and HEAD) requests; then the
origins attackers try (cors-security.md §3.1): an unrelated site, `null`, look-alikes that put an
allowed origin before or after the attacker's name, and the `http://` downgrade of an https origin.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from corsdeploy.model import CorsConfig, CorsRule
from corsdeploy.simulate.request import BrowserRequest

# What a wildcard is replaced with to make an example of what it matches.
EXAMPLE_LABEL = "corsdeploy-probe"
EXAMPLE_ORIGIN = f"https://{EXAMPLE_LABEL}.example"
# The attacker's own site (RFC 2606 reserves .example: nobody owns it, no request goes there).
ATTACKER_LABEL = "evil"
UNRELATED_ORIGIN = f"https://{ATTACKER_LABEL}.example"
ANY_ORIGIN = "*"
NULL_ORIGIN = "null"
# A method `*` allows; not a CORS-safelisted one, so a browser would send a preflight for it.
EXAMPLE_METHOD = "PATCH"
# A header `*` allows.
EXAMPLE_HEADER = f"x-{EXAMPLE_LABEL}"
# Actual requests a probe may send: they only read.
ACTUAL_METHODS = ("GET", "HEAD")
# What a request for an attack origin asks when the configuration allows nothing to imitate.
FALLBACK_METHOD = "GET"


class Purpose(StrEnum):
    """Why a request is sent: an origin the configuration allows, or one an attacker would try."""

    ALLOWED = "allowed"
    UNRELATED = "unrelated-site"
    NULL = "null-origin"
    PREFIX_LOOKALIKE = "prefix-lookalike"
    SUFFIX_LOOKALIKE = "suffix-lookalike"
    HTTP_DOWNGRADE = "http-downgrade"


@dataclass(frozen=True)
class Target:
    """One place on an endpoint to send requests to.

    `path` is what `check` is told (a REST resource's path as declared, `/items/{id}`; None where
    the service answers alike everywhere); `url_path` the concrete path sent, relative to the
    endpoint's URL.
    """

    path: str | None = None
    url_path: str = ""


@dataclass(frozen=True)
class ProbeRequest:
    """One request to send: what the browser would send, why, and where on the endpoint."""

    browser: BrowserRequest
    purpose: Purpose
    url_path: str = ""
    # The allowed origin (as configured) an attack origin imitates, or the pattern an allowed origin
    # instantiates; None for the unrelated site and `null`.
    imitates: str | None = None

    @property
    def http_method(self) -> str:
        return "OPTIONS" if self.browser.preflight else self.browser.method

    def http_headers(self) -> dict[str, str]:
        """The request headers a browser sends for CORS (lowercased, sorted, comma-joined names in
        Access-Control-Request-Headers, as the Fetch standard has browsers send them)."""
        headers = {"Origin": self.browser.origin} if self.browser.origin is not None else {}
        if self.browser.preflight:
            headers["Access-Control-Request-Method"] = self.browser.method
            if self.browser.headers:
                headers["Access-Control-Request-Headers"] = ",".join(self.browser.headers)
        return headers


def instantiate_origin(pattern: str) -> str:
    """An origin a pattern matches: its wildcard filled with an example (a scheme-less leading `*`
    with a scheme too, since browsers always send one)."""
    if "*" not in pattern:
        return pattern
    if pattern == ANY_ORIGIN:
        return EXAMPLE_ORIGIN
    before, after = pattern.split("*", 1)
    if not before:
        fill = f"https://{EXAMPLE_LABEL}"
    elif before.endswith("://") and not after:
        fill = f"{EXAMPLE_LABEL}.example"
    else:
        fill = EXAMPLE_LABEL
    # Only S3 patterns hold a wildcard inside, and at most one; any other is filled plainly.
    return (before + fill + after).replace("*", EXAMPLE_LABEL)


def instantiate_header(pattern: str) -> str:
    """A header name a pattern matches (`*` -> x-corsdeploy-probe, `x-amz-*` -> x-amz-corsdeploy-probe)."""
    if pattern == "*":
        return EXAMPLE_HEADER
    return pattern.replace("*", EXAMPLE_LABEL)


def instantiate_method(method: str) -> str:
    return EXAMPLE_METHOD if method == "*" else method


def lookalikes(origin: str) -> list[tuple[Purpose, str]]:
    """The attack origins that imitate a concrete `origin` (none for one that is not scheme://host)."""
    scheme, separator, authority = origin.partition("://")
    if not separator or not authority or "/" in authority:
        return []
    host, colon, port = authority.rpartition(":")
    if not (colon and port.isdigit()):
        host, port = authority, ""
    suffix = f":{port}" if port else ""
    found = [
        (Purpose.PREFIX_LOOKALIKE, f"{scheme}://{host}.{ATTACKER_LABEL}.example{suffix}"),
        (Purpose.SUFFIX_LOOKALIKE, f"{scheme}://{ATTACKER_LABEL}{host}{suffix}"),
    ]
    if scheme == "https":
        found.append((Purpose.HTTP_DOWNGRADE, f"http://{authority}"))
    return found


@dataclass(frozen=True)
class _Allowed:
    """An allowed origin made concrete, with what its rule lets it ask."""

    origin: str
    pattern: str
    methods: tuple[str, ...]
    headers: tuple[str, ...]


def _header_list(rule: CorsRule) -> tuple[str, ...]:
    return tuple(sorted({instantiate_header(h).lower() for h in rule.allowed_headers}))


def _allowed(configs: Iterable[CorsConfig | None]) -> list[_Allowed]:
    found = []
    for config in configs:
        for rule in config.rules if config else ():
            methods = tuple(dict.fromkeys(instantiate_method(m) for m in rule.allowed_methods))
            headers = _header_list(rule)
            found += [_Allowed(instantiate_origin(o), o, methods, headers) for o in rule.allowed_origins]
    return found


def derive(configs: Sequence[CorsConfig | None], targets: Sequence[Target]) -> tuple[ProbeRequest, ...]:
    """Every request to send for a resource whose configurations are `configs` (the file's, and the
    live one when it differs), at each target, without duplicates, in a stable order."""
    allowed = _allowed(configs)
    requests: dict[tuple[object, ...], ProbeRequest] = {}
    for target in targets:
        for request in _for_target(allowed, target):
            browser = request.browser
            key = (browser.origin, browser.method, browser.headers, browser.preflight, browser.path,
                   request.url_path)
            requests.setdefault(key, request)
    return tuple(requests.values())


def _for_target(allowed: Sequence[_Allowed], target: Target) -> Iterator[ProbeRequest]:
    for entry in allowed:
        imitates = entry.pattern if entry.pattern != entry.origin else None
        for method in entry.methods:
            yield _preflight(entry.origin, method, entry.headers, Purpose.ALLOWED, target, imitates)
        yield _actual(entry.origin, entry.methods, Purpose.ALLOWED, target, imitates)
    # An attack origin asks what the origin it imitates may ask, so only the origin can refuse it.
    first = allowed[0] if allowed else None
    method = first.methods[0] if first and first.methods else FALLBACK_METHOD
    headers = first.headers if first else ()
    for purpose, origin in ((Purpose.UNRELATED, UNRELATED_ORIGIN), (Purpose.NULL, NULL_ORIGIN)):
        yield _preflight(origin, method, headers, purpose, target, None)
        yield _actual(origin, (), purpose, target, None)
    # Each origin's look-alikes once, asking what its first rule allows (`*` has none: it allows all).
    firsts: dict[str, _Allowed] = {}
    for entry in allowed:
        if entry.pattern != ANY_ORIGIN:
            firsts.setdefault(entry.origin, entry)
    for entry in firsts.values():
        for purpose, origin in lookalikes(entry.origin):
            method = entry.methods[0] if entry.methods else FALLBACK_METHOD
            yield _preflight(origin, method, entry.headers, purpose, target, entry.pattern)
            yield _actual(origin, (), purpose, target, entry.pattern)


def _preflight(origin: str, method: str, headers: tuple[str, ...], purpose: Purpose, target: Target,
               imitates: str | None) -> ProbeRequest:
    browser = BrowserRequest(origin=origin, method=method, headers=headers, preflight=True, path=target.path)
    return ProbeRequest(browser, purpose, target.url_path, imitates)


def _actual(origin: str, methods: Sequence[str], purpose: Purpose, target: Target,
            imitates: str | None) -> ProbeRequest:
    """The actual request: GET, or HEAD where the origin may send HEAD and not GET."""
    method = next((m for m in ACTUAL_METHODS if m in methods), ACTUAL_METHODS[0])
    browser = BrowserRequest(origin=origin, method=method, preflight=False, path=target.path)
    return ProbeRequest(browser, purpose, target.url_path, imitates)
