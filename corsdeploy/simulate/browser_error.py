"""Read a browser console's CORS error (Chrome, Firefox, Safari), pasted as it is: the URL, the page's
origin, the method and header when the message names them, preflight or not, and the kind of failure.

Pasted text is wrapped by consoles and terminals anywhere (mid-word, mid-URL), and every value the
messages carry (URL, origin, method, header name, status) holds no whitespace. So the text is read
with all whitespace removed, and the patterns below are compiled with re.VERBOSE, which ignores the
spaces written in them: they are readable here and match the squashed text. Every capture is a
bounded character class that cannot run past its delimiter, so no input makes a pattern backtrack
for long (tests/simulate/test_browser_error.py times a hostile one).

The wordings, as the browsers' sources write them:
- Chromium: third_party/blink/renderer/platform/loader/cors/cors_error_string.cc (GetErrorString /
  GetErrorStringForConsoleMessage); before Chrome 72 the message began "Failed to load URL:" and ended
  "Origin 'O' is therefore not allowed access."; DevTools' network panel says "Cross-Origin Resource
  Sharing error: <CorsError>" (front_end/panels/network/NetworkDataGridNode.ts).
- Firefox: dom/locales/en-US/chrome/security/security.properties, the CORS* keys (older releases say
  "preflight channel" and "missing token" where current ones say "preflight response" and "header").
- Safari (WebKit): Source/WebCore/loader/ThreadableLoader.cpp ("Fetch API cannot load URL due to
  access control checks."), CrossOriginAccessControl.cpp (passesAccessControlCheck,
  validatePreflightResponse) and CrossOriginPreflightResultCache.cpp (methods and headers).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import StrEnum

from corsdeploy.errors import CorsdeployError
from corsdeploy.simulate.browser import SAFELISTED_METHODS, normalize_method
from corsdeploy.simulate.request import BrowserRequest

# A console message is a few hundred characters; a whole console log pasted is still far below this.
MAX_MESSAGE_CHARS = 32_000
_MAX_URL = 4096
_MAX_ORIGIN = 2048
_SHOWN = 120


class Browser(StrEnum):
    CHROMIUM = "chromium"
    FIREFOX = "firefox"
    SAFARI = "safari"


class Failure(StrEnum):
    """What the browser found wrong, in its own terms."""

    MISSING_ALLOW_ORIGIN = "missing-allow-origin"
    ALLOW_ORIGIN_MISMATCH = "allow-origin-mismatch"
    # Safari says one thing for a missing and for a different Access-Control-Allow-Origin.
    ORIGIN_NOT_ALLOWED = "origin-not-allowed"
    MULTIPLE_ALLOW_ORIGIN = "multiple-allow-origin"
    INVALID_ALLOW_ORIGIN = "invalid-allow-origin"
    WILDCARD_WITH_CREDENTIALS = "wildcard-origin-with-credentials"
    ALLOW_CREDENTIALS_NOT_TRUE = "allow-credentials-not-true"
    PREFLIGHT_STATUS = "preflight-status-not-ok"
    PREFLIGHT_REDIRECT = "preflight-redirect"
    METHOD_NOT_ALLOWED = "method-not-allowed"
    HEADER_NOT_ALLOWED = "header-not-allowed"
    INVALID_ALLOW_METHODS = "invalid-allow-methods"
    INVALID_ALLOW_HEADERS = "invalid-allow-headers"
    # No response at all (network error, DNS, TLS): nothing CORS configuration can change.
    REQUEST_FAILED = "request-failed"
    # Blocked for a reason outside the CORS headers (scheme, redirect, private network, mode).
    NOT_CORS_HEADERS = "not-cors-headers"
    # Safari's "due to access control checks" alone says only that CORS failed.
    UNSPECIFIED = "unspecified"


@dataclass(frozen=True)
class BrowserError:
    """What a pasted console message says; None (or empty) where it does not say."""

    browser: Browser
    failure: Failure
    url: str
    origin: str | None = None
    method: str | None = None
    headers: tuple[str, ...] = ()
    preflight: bool | None = None
    credentials: bool | None = None
    # The HTTP status the browser reports (of the preflight when it failed, else of the request).
    status: int | None = None
    # The Access-Control-Allow-Origin (or -Credentials) value the browser quotes, when it does.
    received: str | None = None


# --- the patterns (re.VERBOSE: the spaces written here are not in the squashed text) ------------

_FLAGS = re.VERBOSE | re.IGNORECASE
# Absolute URLs of any scheme (Firefox and Chromium also report non-http ones); no quotes inside.
_URL = rf"[a-z][a-z0-9+.\-]{{0,20}}://[^'\"<>]{{1,{_MAX_URL}}}?"
_QUOTED_URL = rf"[^']{{1,{_MAX_URL}}}"
# An origin: scheme://host[:port], or "null" (sandboxed frames, file: pages).
_ORIGIN = rf"null|[a-z][a-z0-9+.\-]{{0,20}}://[^/'\"?\#,;]{{1,{_MAX_ORIGIN}}}?"
# HTTP token characters (method and header names).
_TOKEN = r"[!\#$%&*+.^_`|~0-9a-z\-]"
_HEADER = rf"(?P<header>{_TOKEN}{{1,256}}?)"

_CHROMIUM = re.compile(rf"""
    Access to (?P<initiator>[a-z]{{1,40}}) at '(?P<url>{_QUOTED_URL})'
    (?: \(redirected from '[^']{{1,{_MAX_URL}}}'\) )?
    from origin '(?P<origin>[^']{{0,{_MAX_ORIGIN}}})' has been blocked by CORS policy:
    """, _FLAGS)
# Chrome before 72: "Failed to load URL: <reason> Origin 'O' is therefore not allowed access."
_OLD_CHROMIUM = re.compile(rf"""
    (?: Failed to load | XMLHttpRequest cannot load ) (?P<url>{_URL}) [:.]
    (?= Response | No'Access | Request | Method | The | Redirect | Origin' | Invalid | Cannot )
    """, _FLAGS)
_OLD_CHROMIUM_ORIGIN = re.compile(
    rf"Origin '(?P<origin>[^']{{0,{_MAX_ORIGIN}}})' is therefore not allowed access", _FLAGS)
_OLD_CHROMIUM_STATUS = re.compile(
    r"(?: The response had | Response for preflight has invalid ) HTTP status code (?P<status>\d{3})", _FLAGS)
_FIREFOX = re.compile(rf"""
    Cross-Origin Request (?: Blocked | Warning ) : The Same Origin Policy (?: disallows | will disallow )
    reading the remote resource at '?(?P<url>[^'()]{{1,{_MAX_URL}}}?)'? (?: soon )? \. \(Reason:
    (?P<reason>[^)]{{0,600}}) \) (?: \.? Status code: (?P<status>\d{{1,3}}) )?
    """, _FLAGS)
_SAFARI = re.compile(rf"""
    (?P<initiator> Fetch API | XMLHttpRequest | EventSource )? cannot load (?P<url>{_URL})
    (?: due to access control checks | \. (?= Origin | Preflight | Request | Method | Cannot | Credentials ) )
    """, _FLAGS)
_SAFARI_ORIGIN = re.compile(rf"""
    Origin (?P<origin>{_ORIGIN}) is not allowed by Access-Control-Allow-Origin \.?
    (?: Status code: (?P<status>\d{{1,3}}) )?
    """, _FLAGS)
_SAFARI_PREFLIGHT_STATUS = re.compile(
    r"Preflight response is not successful \.? (?: Status code: (?P<status>\d{1,3}) )?", _FLAGS)
# DevTools' network panel, for the failure kind when that is all the paste has besides the URL.
_DEVTOOLS = re.compile(r"Cross-Origin Resource Sharing error: (?P<code>[a-z]{1,60})", _FLAGS)


@dataclass(frozen=True)
class _Reason:
    """One way a browser words a failure, and what that wording implies about the request."""

    pattern: re.Pattern[str]
    failure: Failure
    preflight: bool | None = None
    credentials: bool | None = None


def _reason(pattern: str, failure: Failure, preflight: bool | None = None,
            credentials: bool | None = None) -> _Reason:
    return _Reason(re.compile(pattern, _FLAGS), failure, preflight, credentials)


_VALUE = r"'(?P<received>[^']{0,2048})'"
# Chromium's reasons (and old Chrome's, which share them); whether the failure was the preflight's
# is said by the "Response to preflight request doesn't pass access control check:" prefix.
_CHROMIUM_REASONS = (
    _reason(r"No 'Access-Control-Allow-Origin' header is present", Failure.MISSING_ALLOW_ORIGIN),
    _reason(r"The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard "
            r"'\*' when the request's credentials mode is 'include'", Failure.WILDCARD_WITH_CREDENTIALS,
            credentials=True),
    _reason(rf"The 'Access-Control-Allow-Origin' header contains multiple values {_VALUE}",
            Failure.MULTIPLE_ALLOW_ORIGIN),
    _reason(rf"The 'Access-Control-Allow-Origin' header contains the invalid value {_VALUE}",
            Failure.INVALID_ALLOW_ORIGIN),
    _reason(rf"The 'Access-Control-Allow-Origin' header has a value {_VALUE} that is not equal to the "
            r"supplied origin", Failure.ALLOW_ORIGIN_MISMATCH),
    _reason(rf"The value of the 'Access-Control-Allow-Credentials' header in the response is {_VALUE} which "
            r"must be 'true'", Failure.ALLOW_CREDENTIALS_NOT_TRUE, credentials=True),
    _reason(r"It does not have HTTP ok status | Response for preflight has invalid HTTP status code",
            Failure.PREFLIGHT_STATUS, preflight=True),
    _reason(r"Redirect is not allowed for a preflight request "
            r"| Response for preflight is invalid \(redirect\)", Failure.PREFLIGHT_REDIRECT, preflight=True),
    _reason(rf"Method (?P<method>{_TOKEN}{{1,64}}?) is not allowed by Access-Control-Allow-Methods",
            Failure.METHOD_NOT_ALLOWED, preflight=True),
    _reason(rf"Request header field {_HEADER} is not allowed by Access-Control-Allow-Headers",
            Failure.HEADER_NOT_ALLOWED, preflight=True),
    _reason(r"Cannot parse Access-Control-Allow-Methods", Failure.INVALID_ALLOW_METHODS, preflight=True),
    _reason(r"Cannot parse Access-Control-Allow-Headers", Failure.INVALID_ALLOW_HEADERS, preflight=True),
    _reason(r"Cross origin requests are (?: only supported for protocol schemes | not allowed by request "
            r"mode ) | address space | Private-Network | Redirect location", Failure.NOT_CORS_HEADERS),
)
_CHROMIUM_PREFLIGHT = re.compile(r"Response to preflight request doesn't pass access control check :", _FLAGS)

# Firefox's "(Reason: ...)" texts; CORSMissingAllowOrigin2 is written for preflights and actual
# requests alike, so it leaves `preflight` unknown.
_FIREFOX_REASONS = (
    _reason(r"CORS header 'Access-Control-Allow-Origin' missing", Failure.MISSING_ALLOW_ORIGIN),
    _reason(rf"CORS header 'Access-Control-Allow-Origin' does not match {_VALUE}",
            Failure.ALLOW_ORIGIN_MISMATCH),
    _reason(r"Multiple CORS header 'Access-Control-Allow-Origin' not allowed", Failure.MULTIPLE_ALLOW_ORIGIN),
    _reason(r"Credential is not supported if the CORS header 'Access-Control-Allow-Origin' is '\*'",
            Failure.WILDCARD_WITH_CREDENTIALS, credentials=True),
    _reason(r"expected 'true' in CORS header 'Access-Control-Allow-Credentials'",
            Failure.ALLOW_CREDENTIALS_NOT_TRUE, credentials=True),
    _reason(r"CORS preflight (?: response | channel ) did not succeed", Failure.PREFLIGHT_STATUS,
            preflight=True),
    _reason(r"Did not find method in CORS header 'Access-Control-Allow-Methods'", Failure.METHOD_NOT_ALLOWED,
            preflight=True),
    _reason(r"invalid token '[^']{0,256}' in CORS header 'Access-Control-Allow-Methods'",
            Failure.INVALID_ALLOW_METHODS, preflight=True),
    _reason(r"invalid token '[^']{0,256}' in CORS header 'Access-Control-Allow-Headers'",
            Failure.INVALID_ALLOW_HEADERS, preflight=True),
    _reason(r"(?: header | missing token ) '(?P<header>[^']{1,256})' (?: is not allowed according to header "
            r"| in CORS header ) 'Access-Control-Allow-Headers'", Failure.HEADER_NOT_ALLOWED, preflight=True),
    # CORSAllowHeaderFromPreflightDeprecation: a `*` in Access-Control-Allow-Headers does not cover it.
    _reason(r"the `(?P<header>Authorization)` header is not covered", Failure.HEADER_NOT_ALLOWED,
            preflight=True),
    _reason(r"CORS request did not succeed", Failure.REQUEST_FAILED),
    _reason(r"CORS disabled | CORS request not http | external redirect | 'Origin' cannot be added",
            Failure.NOT_CORS_HEADERS),
)

# WebKit's sentences stand on their own lines, beside "Fetch API cannot load URL ...".
_SAFARI_REASONS = (
    _reason(r"Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true",
            Failure.WILDCARD_WITH_CREDENTIALS, credentials=True),
    _reason(r"Access-Control-Allow-Origin cannot contain more than one origin",
            Failure.MULTIPLE_ALLOW_ORIGIN),
    _reason(r"Credentials flag is true, but Access-Control-Allow-Credentials is not",
            Failure.ALLOW_CREDENTIALS_NOT_TRUE, credentials=True),
    _reason(r"Preflight response is not successful", Failure.PREFLIGHT_STATUS, preflight=True),
    _reason(rf"Method (?P<method>{_TOKEN}{{1,64}}?) is not allowed by Access-Control-Allow-Methods",
            Failure.METHOD_NOT_ALLOWED, preflight=True),
    _reason(rf"Request header field {_HEADER} is not allowed by Access-Control-Allow-Headers",
            Failure.HEADER_NOT_ALLOWED, preflight=True),
    _reason(r"Header Access-Control-Allow-Methods has an invalid value", Failure.INVALID_ALLOW_METHODS,
            preflight=True),
    _reason(r"Header Access-Control-Allow-Headers has an invalid value", Failure.INVALID_ALLOW_HEADERS,
            preflight=True),
    _reason(rf"Origin (?:{_ORIGIN}) is not allowed by Access-Control-Allow-Origin",
            Failure.ORIGIN_NOT_ALLOWED),
)

# DevTools' CorsError names (services/network/public/mojom/cors.mojom), by what they start with.
_DEVTOOLS_CODES = (
    ("WildcardOriginNotAllowed", Failure.WILDCARD_WITH_CREDENTIALS),
    ("MissingAllowOriginHeader", Failure.MISSING_ALLOW_ORIGIN),
    ("MultipleAllowOriginValues", Failure.MULTIPLE_ALLOW_ORIGIN),
    ("InvalidAllowOriginValue", Failure.INVALID_ALLOW_ORIGIN),
    ("AllowOriginMismatch", Failure.ALLOW_ORIGIN_MISMATCH),
    ("InvalidAllowCredentials", Failure.ALLOW_CREDENTIALS_NOT_TRUE),
    ("InvalidStatus", Failure.PREFLIGHT_STATUS),
    ("DisallowedRedirect", Failure.PREFLIGHT_REDIRECT),
    ("MethodDisallowedByPreflightResponse", Failure.METHOD_NOT_ALLOWED),
    ("HeaderDisallowedByPreflightResponse", Failure.HEADER_NOT_ALLOWED),
    ("InvalidAllowMethodsPreflightResponse", Failure.INVALID_ALLOW_METHODS),
    ("InvalidAllowHeadersPreflightResponse", Failure.INVALID_ALLOW_HEADERS),
)
_PREFLIGHT_FAILURES = {Failure.PREFLIGHT_STATUS, Failure.PREFLIGHT_REDIRECT, Failure.METHOD_NOT_ALLOWED,
                       Failure.HEADER_NOT_ALLOWED, Failure.INVALID_ALLOW_METHODS,
                       Failure.INVALID_ALLOW_HEADERS}
_CREDENTIAL_FAILURES = {Failure.WILDCARD_WITH_CREDENTIALS, Failure.ALLOW_CREDENTIALS_NOT_TRUE}
# Chrome also logs "POST https://... net::ERR_FAILED 403"; Firefox's network log "OPTIONS https://...".
_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")


# --- reading --------------------------------------------------------------------------------------

_TYPOGRAPHIC_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
                                     "\u201c": '"', "\u201d": '"', "\u201e": '"'})
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff]|\x1b\\[[0-9;]{0,20}[a-zA-Z]")


def squashed(text: str) -> str:
    """The text with every space, line break and invisible character removed, quotes made plain."""
    return "".join(_INVISIBLE.sub("", text.translate(_TYPOGRAPHIC_QUOTES)).split())


def parse(text: str) -> BrowserError:
    """The CORS error a console printed; a CorsdeployError when the text holds none (or several)."""
    if len(text) > MAX_MESSAGE_CHARS:
        raise CorsdeployError(f"the browser message is {len(text)} characters; paste only the CORS error "
                              f"(at most {MAX_MESSAGE_CHARS})")
    flat = squashed(text)
    found = list(_headlines(flat))
    urls = list(dict.fromkeys(error.url for error in found))
    if not urls:
        raise CorsdeployError(_not_understood(text))
    if len(urls) > 1:
        listed = ", ".join(_shown(url) for url in urls[:3])
        raise CorsdeployError(f"the text holds CORS errors for {len(urls)} URLs ({listed}); paste one")
    return _completed(_merged(found), flat)


def _headlines(flat: str) -> Iterator[BrowserError]:
    """Every message in the text that names a URL, with what its own sentence says."""
    for match in _CHROMIUM.finditer(flat):
        yield _chromium(match.group("url"), match.group("origin"), flat[match.end():match.end() + 1000])
    for match in _OLD_CHROMIUM.finditer(flat):
        old_origin = _OLD_CHROMIUM_ORIGIN.search(flat, match.end(), match.end() + 1200)
        error = _chromium(match.group("url"), old_origin.group("origin") if old_origin else None,
                          flat[match.end():match.end() + 1000])
        status = _OLD_CHROMIUM_STATUS.search(flat, match.end(), match.end() + 1200)
        yield replace(error, status=int(status.group("status"))) if status else error
    for match in _FIREFOX.finditer(flat):
        yield _firefox(match)
    for match in _SAFARI.finditer(flat):
        yield BrowserError(Browser.SAFARI, Failure.UNSPECIFIED, match.group("url"))


def _chromium(url: str, origin: str | None, rest: str) -> BrowserError:
    """Chromium's message: the reason follows the origin (or, before Chrome 72, the URL). Chromium
    says when the preflight failed, so a message without the prefix is about the request itself."""
    prefix = _CHROMIUM_PREFLIGHT.match(rest)
    reason = rest[prefix.end():] if prefix else rest
    error = BrowserError(Browser.CHROMIUM, Failure.UNSPECIFIED, url, origin or None, preflight=bool(prefix))
    for candidate in _CHROMIUM_REASONS:
        match = candidate.pattern.match(reason)
        if match:
            return _with_reason(error, candidate, match)
    return error


def _firefox(match: re.Match[str]) -> BrowserError:
    reason, status = match.group("reason"), match.group("status")
    error = BrowserError(Browser.FIREFOX, Failure.UNSPECIFIED, match.group("url"),
                         status=int(status) if status else None)
    for candidate in _FIREFOX_REASONS:
        found = candidate.pattern.search(reason)
        if found:
            return _with_reason(error, candidate, found)
    return error


def _with_reason(error: BrowserError, reason: _Reason, match: re.Match[str]) -> BrowserError:
    groups = match.groupdict()
    return replace(
        error, failure=reason.failure,
        preflight=reason.preflight if reason.preflight is not None else error.preflight,
        credentials=reason.credentials if reason.credentials is not None else error.credentials,
        method=groups.get("method") or error.method,
        headers=(groups["header"].lower(),) if groups.get("header") else error.headers,
        received=groups.get("received") if groups.get("received") is not None else error.received,
    )


def _merged(found: list[BrowserError]) -> BrowserError:
    """Several messages about one URL (a console repeats itself; Safari splits one error over lines):
    the most specific failure, and every fact any of them states."""
    best = min(found, key=lambda e: (e.failure is Failure.UNSPECIFIED, e.browser is Browser.SAFARI))
    for other in found:
        best = replace(
            best,
            origin=best.origin or other.origin,
            method=best.method or other.method,
            headers=best.headers or other.headers,
            preflight=best.preflight if best.preflight is not None else other.preflight,
            credentials=best.credentials or other.credentials,
            status=best.status if best.status is not None else other.status,
            received=best.received if best.received is not None else other.received,
        )
    return best


def _completed(error: BrowserError, flat: str) -> BrowserError:
    """What the text says elsewhere: WebKit's separate sentences, Chrome's "METHOD URL net::ERR_FAILED"
    line, DevTools' error code."""
    if error.browser is Browser.SAFARI or error.failure is Failure.UNSPECIFIED:
        error = _safari_sentences(error, flat)
    method = next((m for m in _METHODS if f"{m}{error.url}" in flat), None)
    if method == "OPTIONS":
        error = replace(error, preflight=True)
    elif method and error.method is None:
        error = replace(error, method=method)
    code = _DEVTOOLS.search(flat)
    if code and error.failure is Failure.UNSPECIFIED:
        error = _devtools(error, code.group("code"))
    return _implied(error)


def _safari_sentences(error: BrowserError, flat: str) -> BrowserError:
    origin = _SAFARI_ORIGIN.search(flat)
    preflight_status = _SAFARI_PREFLIGHT_STATUS.search(flat)
    status = preflight_status or origin
    if origin:
        error = replace(error, origin=error.origin or origin.group("origin"))
    if status and status.group("status") and error.status is None:
        error = replace(error, status=int(status.group("status")))
    for candidate in _SAFARI_REASONS:
        match = candidate.pattern.search(flat)
        if match:
            return _with_reason(error, candidate, match)
    return error


def _devtools(error: BrowserError, code: str) -> BrowserError:
    lowered = code.lower()
    for name, failure in _DEVTOOLS_CODES:
        if name.lower() in lowered:
            preflight = lowered.startswith("preflight") or failure in _PREFLIGHT_FAILURES
            return replace(error, browser=Browser.CHROMIUM, failure=failure,
                           preflight=True if preflight else error.preflight)
    return error


def _implied(error: BrowserError) -> BrowserError:
    """What a failure implies whichever browser worded it (a method refused by a preflight...)."""
    if error.failure in _PREFLIGHT_FAILURES:
        error = replace(error, preflight=True)
    if error.failure in _CREDENTIAL_FAILURES:
        error = replace(error, credentials=True)
    return error


def _not_understood(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return ("no CORS error found in the text (expected a Chrome \"Access to fetch at 'URL' from origin 'O' "
            "has been blocked by CORS policy: ...\", a Firefox \"Cross-Origin Request Blocked: ...\" or a "
            f"Safari \"Fetch API cannot load URL due to access control checks.\"); it begins {_shown(first)}")


def _shown(text: str) -> str:
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "…")


# --- from the message to the request to simulate --------------------------------------------------

# Fetch's CORS-safelisted request-header names (with a safelisted method, a request with only these
# needs no preflight). Content-Type is safelisted only for form and text values, so one named is not.
_SAFELISTED_HEADERS = ("accept", "accept-language", "content-language")


@dataclass(frozen=True)
class Given:
    """What the command line adds to a message (`--origin`, `--method`, `--header`, `--credentials`,
    `--actual`): it fills the message's gaps, and may not contradict what the message says."""

    origin: str | None = None
    method: str | None = None
    headers: tuple[str, ...] = ()
    credentials: bool = False
    actual: bool = False


@dataclass(frozen=True)
class ReadRequest:
    """The request a message describes, and each assumption made where neither it nor the command
    line says (shown to the user beside the verdict)."""

    request: BrowserRequest
    assumptions: tuple[str, ...] = ()


def browser_request(error: BrowserError, given: Given, path: str | None = None) -> ReadRequest:
    """The request to simulate; a CorsdeployError when a part it needs is missing or contradicted."""
    origin = _one("origin", error.origin, given.origin, "--origin")
    if origin is None:
        raise CorsdeployError(f"the {error.browser.value.capitalize()} message does not name the page's "
                              "origin: give --origin (the scheme, host and port of the page that made the "
                              "request)")
    if given.actual and error.preflight:
        raise CorsdeployError("the message reports a failed preflight, but --actual asks about the request "
                              "itself; leave --actual out")
    headers = tuple(dict.fromkeys(h.lower() for h in (*error.headers, *given.headers)))
    method = _one("method", error.method, given.method and normalize_method(given.method), "--method")
    assumptions: list[str] = []
    if method is None and error.preflight:
        raise CorsdeployError("the message reports a failed preflight but not the method the page used: "
                              "give --method (and --header for each header the page sets)")
    if method is None:
        method = "GET"
        assumptions.append("method GET: the message does not name one (give --method otherwise)")
    preflight = error.preflight if error.preflight is not None else (
        not given.actual and _needs_preflight(method, headers))
    if error.preflight is None and not given.actual:
        sent = f"{method} with {', '.join(headers)}" if headers else method
        needs = "needs one" if preflight else "needs none"
        assumptions.append(f"{'a preflight' if preflight else 'no preflight'}: the message does not say, and "
                           f"{sent} {needs} (give --actual, or --method and --header, otherwise)")
    credentials = bool(error.credentials) or given.credentials
    request = BrowserRequest(origin, method, headers, preflight, credentials, path)
    return ReadRequest(request, tuple(assumptions))


def _one(what: str, said: str | None, given: str | None, option: str) -> str | None:
    if said is not None and given is not None and said != given:
        raise CorsdeployError(f"the message says {what} {_shown(said)} but {option} says {_shown(given)}; "
                              f"leave {option} out, or paste the message of that request")
    return said if said is not None else given


def _needs_preflight(method: str, headers: tuple[str, ...]) -> bool:
    """Fetch sends a preflight for a method or a request header that is not CORS-safelisted."""
    return method not in SAFELISTED_METHODS or any(h not in _SAFELISTED_HEADERS for h in headers)
