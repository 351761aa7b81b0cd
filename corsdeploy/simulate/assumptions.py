"""Every choice the simulator makes where the facts document (shared/docs/aws-cors-facts.md) says
UNCONFIRMED, in one place, each with the sections that say so.

A service module evaluates a request under these choices, then once more with each one turned the
other way; an answer that would differ names the assumption in its `reason`
("UNCONFIRMED: ..."), so nobody mistakes a guess for AWS's documented behaviour.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace

from corsdeploy.model import frozen
from corsdeploy.simulate.request import ServiceAnswer


@dataclass(frozen=True)
class Assumption:
    """An UNCONFIRMED fact: the value the simulator uses, the other plausible one, and what the
    choice says (as the reason shows it), citing the facts document's sections."""

    choice: Hashable
    alternative: Hashable
    says: str
    facts: str

    @property
    def note(self) -> str:
        return f"{UNCONFIRMED}{self.says} (facts {self.facts})"


# How a note on an UNCONFIRMED choice starts, and what joins it to the reason before it.
UNCONFIRMED = "UNCONFIRMED: "
NOTE_SEPARATOR = "; "


def with_notes(reason: str, notes: Sequence[str]) -> str:
    return NOTE_SEPARATOR.join([reason, *notes])


def split_notes(reason: str) -> tuple[str, list[str]]:
    """A reason without its UNCONFIRMED notes, and the notes."""
    base, *notes = reason.split(NOTE_SEPARATOR + UNCONFIRMED)
    return base, [UNCONFIRMED + note for note in notes]


# Which value to use for an assumption: the simulator's choice, or (to find what an answer
# depends on) the alternative for one of them.
Chooser = Callable[[Assumption], Hashable]


def chosen(assumption: Assumption) -> Hashable:
    return assumption.choice


def _turned(which: Assumption) -> Chooser:
    def choose(assumption: Assumption) -> Hashable:
        return assumption.alternative if assumption is which else assumption.choice
    return choose


def settle(evaluate: Callable[[Chooser], ServiceAnswer], candidates: Sequence[Assumption]) -> ServiceAnswer:
    """The answer under the simulator's choices; its reason names every candidate assumption that,
    turned the other way, would change the status, the headers or the matched rule."""
    answer = evaluate(chosen)
    depends = [a for a in candidates if _observable(evaluate(_turned(a))) != _observable(answer)]
    if not depends:
        return answer
    return replace(answer, reason=with_notes(answer.reason, [a.note for a in depends]))


def _observable(answer: ServiceAnswer) -> tuple[object, ...]:
    return answer.status, tuple(answer.headers.items()), answer.matched_rule


# --- S3 (facts §1.3, §1.4) ---------------------------------------------------------------------

S3_ORIGIN_CASE_SENSITIVE = Assumption(
    True, False, "S3 compares the Origin with AllowedOrigins case-sensitively", "§1.3, §8.1")
S3_METHOD_CASE_SENSITIVE = Assumption(
    True, False, "S3 compares the method with AllowedMethods case-sensitively", "§1.3, §8.1")
# s3-tests expect `prefix*` to match `prefix`; LocalStack requires one character or more.
S3_WILDCARD_MATCHES_EMPTY = Assumption(
    True, False, "S3's `*` also matches no characters at all", "§1.3, §8.1")
S3_WILDCARD_SPANS_DOTS = Assumption(
    True, False, "S3's `*` also matches across `.` and `/`", "§1.3, §8.1")
# AWS: "If the request origin matches '*' ... the '*' is returned"; which entry counts when a
# rule lists `*` beside the request's own origin is not documented.
FIRST_ENTRY, EXACT_ENTRY = "first matching entry", "an exact entry before `*`"
S3_STAR_BESIDE_ORIGINS = Assumption(
    FIRST_ENTRY, EXACT_ENTRY,
    "when a rule lists `*` beside other origins, its first matching entry decides whether "
    "Access-Control-Allow-Origin is `*`", "§1.4, §8.1")
S3_MAX_AGE_ZERO_SENT = Assumption(
    True, False, "S3 sends Access-Control-Max-Age: 0 for MaxAgeSeconds 0", "§6, §8.1")

S3_ASSUMPTIONS = (S3_ORIGIN_CASE_SENSITIVE, S3_METHOD_CASE_SENSITIVE, S3_WILDCARD_MATCHES_EMPTY,
                  S3_WILDCARD_SPANS_DOTS, S3_STAR_BESIDE_ORIGINS, S3_MAX_AGE_ZERO_SENT)


# --- HTTP APIs (facts §3.2-3.4) and function URLs (facts §4.3) ---------------------------------

# Origin patterns other than `*`: compared as globs (where `https://*` and `http://*`, the two
# documented ones, are prefixes) or literally.
GLOB, LITERAL = "glob", "literal"
# Refused preflights: the status a successful one gets, without CORS headers, or a 403.
SAME_STATUS, FORBIDDEN = "same status", 403
# `*` in AllowMethods / AllowHeaders: sent as `*`, or the requested method / headers echoed.
AS_CONFIGURED, ECHOED = "as configured", "echoed"


@dataclass(frozen=True)
class CorsObjectAssumptions:
    """The UNCONFIRMED choices behind a service configured by AWS's `Cors` object."""

    preflight_status: Assumption
    refused_preflight: Assumption
    origin_case_sensitive: Assumption
    method_case_sensitive: Assumption
    origin_patterns: Assumption
    star_origin_sent_as_star: Assumption
    wildcard_lists: Assumption
    vary: Assumption

    @property
    def all(self) -> tuple[Assumption, ...]:
        return (self.preflight_status, self.refused_preflight, self.origin_case_sensitive,
                self.method_case_sensitive, self.origin_patterns, self.star_origin_sent_as_star,
                self.wildcard_lists, self.vary)


HTTP_API = CorsObjectAssumptions(
    # Third-party tutorials report 204; AWS documents no status.
    preflight_status=Assumption(204, 200, "API Gateway answers an allowed preflight with 204", "§3.3, §8.3"),
    refused_preflight=Assumption(
        SAME_STATUS, FORBIDDEN,
        "API Gateway answers a preflight it does not allow with the same status and no CORS headers",
        "§3.3, §8.3"),
    # Terraform compares HTTP API origins and methods without regard to case (facts §3.4), and so
    # does corsdeploy's plan: two spellings it calls equal must answer alike.
    origin_case_sensitive=Assumption(
        False, True, "HTTP APIs compare origins case-insensitively", "§3.3, §3.4, §8.3"),
    method_case_sensitive=Assumption(
        False, True, "HTTP APIs compare methods case-insensitively", "§3.4, §8.3"),
    origin_patterns=Assumption(
        GLOB, LITERAL,
        "HTTP APIs treat `*` inside an origin other than `https://*` and `http://*` (e.g. "
        "`https://*.example.com`) as a wildcard", "§3.2, §8.3"),
    star_origin_sent_as_star=Assumption(
        True, False, "HTTP APIs answer an origin allowed by `*` with Access-Control-Allow-Origin: *",
        "§3.3"),
    wildcard_lists=Assumption(
        AS_CONFIGURED, ECHOED,
        "HTTP APIs send `*` in AllowMethods/AllowHeaders as `*` rather than echoing the request",
        "§3.2, §3.3"),
    vary=Assumption(None, "Origin", "HTTP APIs send no Vary header", "§3.3"),
)

FUNCTION_URL = CorsObjectAssumptions(
    preflight_status=Assumption(200, 204, "Lambda answers an allowed preflight with 200", "§4.3, §8.4"),
    refused_preflight=Assumption(
        SAME_STATUS, FORBIDDEN,
        "Lambda answers a preflight it does not allow with the same status and no CORS headers",
        "§4.3, §8.4"),
    # Function URLs echo origins back verbatim (facts §4.4), so they are compared as written.
    origin_case_sensitive=Assumption(
        True, False, "function URLs compare origins case-sensitively", "§4.3, §4.4, §8.4"),
    method_case_sensitive=Assumption(
        True, False, "function URLs compare methods case-sensitively", "§4.3, §4.4, §8.4"),
    # Lambda documents specific origins and `*` only.
    origin_patterns=Assumption(
        LITERAL, GLOB, "function URLs compare origins other than `*` literally (no wildcards inside)",
        "§4.2, §4.3, §8.4"),
    star_origin_sent_as_star=Assumption(
        True, False, "function URLs answer an origin allowed by `*` with Access-Control-Allow-Origin: *",
        "§4.3"),
    wildcard_lists=Assumption(
        AS_CONFIGURED, ECHOED,
        "function URLs send `*` in AllowMethods/AllowHeaders as `*` rather than echoing the request",
        "§4.2, §4.3"),
    vary=Assumption(None, "Origin", "function URLs send no Vary header", "§4.3"),
)

# Notes a Cors-object answer always carries where it applies (no alternative to compare with).
# The service hands preflights to the function only where no CORS is configured.
FUNCTION_URL_ANSWERS_PREFLIGHT = (
    f"{UNCONFIRMED}Lambda answers the preflight itself, without invoking the function (facts §4.3, §8.4)")
# What the integration or function answers is its own code's business; the simulator assumes a
# plain success without CORS headers of its own.
BACKEND_STATUS = 200


# --- REST APIs (simulate/rest_api.py; helper "rest") ----------------------------------------------

# Which HTTP version a browser reaches API Gateway with, so how it spells request header names:
# "HTTP/2" lowercases them (`origin`), "HTTP/1.1" keeps them as written (`Origin`). API Gateway
# passes names on as received (aws-sam-cli#479) and `$input.params().header` is a plain map, so a
# template reading only one spelling answers differently per version (CDK reads both, facts §7.5).
# A Lambda event logged behind a REST API from Chrome shows lowercase names (middyjs/middy#257).
# UNCONFIRMED that every endpoint type negotiates HTTP/2; the steps show the other version's answer
# when it differs.
REST_BROWSER_PROTOCOL = "HTTP/2"

# Whether `method.request.header.X` in a header mapping (integration and gateway responses) finds
# the header whatever its case. The known-issues page says API Gateway processes header names
# case-sensitively (facts §2.6), yet a deployed API answered a lowercase `authorization` for a
# mapping of `Authorization` (dherault/serverless-offline#1062). UNCONFIRMED.
REST_MAPPING_IGNORES_HEADER_CASE = True

# Whether `$context.responseOverride.header.X` in a response template sends X when the method
# response does not declare it. AWS's announcement of overrides says a template can "create a new
# header" (AWS Compute Blog, "Overriding request/response parameters and response status");
# corsdeploy declares the header anyway (services/rest_api/template.py). UNCONFIRMED.
REST_OVERRIDE_NEEDS_NO_DECLARATION = True

# The gateway response API Gateway answers with when a method's mapping fails: a MOCK request
# template that yields no statusCode (facts §2.2: "Internal server error"), no integration response
# for the status and no default one, a template that does not evaluate, one header overridden twice
# (documented as "a 5XX response"). API_CONFIGURATION_ERROR is the documented type for a mapping
# that cannot be matched; that every case above uses it is UNCONFIRMED.
REST_MAPPING_FAILURE = "API_CONFIGURATION_ERROR"

# The gateway response that refuses a preflight to a method needing authorization: browsers send
# no credentials, signature or API key on a preflight. Statuses are documented per type (facts
# §2.3); which type each missing identity gets is UNCONFIRMED.
REST_PREFLIGHT_REFUSED_BY: Mapping[str, str] = frozen({
    "AWS_IAM": "MISSING_AUTHENTICATION_TOKEN",
    "CUSTOM": "UNAUTHORIZED",
    "COGNITO_USER_POOLS": "UNAUTHORIZED",
    "API_KEY": "INVALID_API_KEY",
})

# The status the simulator reports for a backend it cannot see: a proxy integration's answer
# (whose CORS headers are the backend's), and the status a non-MOCK integration's selection
# patterns are matched against (the backend succeeding).
REST_BACKEND_STATUS = 200

# The content type whose request and response templates API Gateway runs for a browser's request:
# a preflight has no Content-Type (API Gateway then takes application/json) and accepts */*.
# UNCONFIRMED for response templates when the integration response has no application/json one.
REST_TEMPLATE_CONTENT_TYPE = "application/json"

# What API Gateway sends when the integration response's status has no method response (AWS
# refuses to create one without it, but a method response can be deleted afterwards): the status
# as the integration response gives it, with only the headers a template overrides. UNCONFIRMED.
REST_UNDECLARED_STATUS_SENT = True
