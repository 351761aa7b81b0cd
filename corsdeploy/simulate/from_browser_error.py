"""`check --from-browser-error`: from a console's CORS error to the service's answer and the smallest
change to the file (pure; with `--live`, what only AWS knows comes through `AwsReads`)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from corsdeploy.errors import CorsdeployError, Problem
from corsdeploy.model import Environment, Live, Resource
from corsdeploy.simulate import check, resource_at
from corsdeploy.simulate.browser import WILDCARD
from corsdeploy.simulate.browser_error import Browser, BrowserError, Failure, Given, browser_request, parse
from corsdeploy.simulate.request import Answer, BrowserRequest
from corsdeploy.simulate.suggest import Lint, Suggestion, suggest
from corsdeploy.simulate.urls import Served, candidates, not_served, served_by, target_of

# Failures no CORS configuration causes or cures: said beside the answer.
_NOT_CORS = {
    Failure.REQUEST_FAILED: "the browser got no response at all (network, DNS or TLS failure, or the request "
                            "was cancelled): no CORS configuration causes or cures that",
    Failure.NOT_CORS_HEADERS: "the browser blocked the request for a reason outside the CORS headers "
                              "(scheme, redirect, private network access or request mode)",
    Failure.PREFLIGHT_REDIRECT: "the preflight was redirected, which browsers refuse: the URL (scheme, host, "
                                "trailing slash) must be the one that answers, not one that redirects",
}


# Failures a browser reports only once Access-Control-Allow-Origin has passed: every browser checks
# it before the preflight's methods and headers; Chromium checks it before the preflight's status too
# (services/network/cors/preflight_controller.cc, CheckPreflightAccess), Firefox and WebKit after.
_AFTER_ORIGIN = {Failure.ALLOW_CREDENTIALS_NOT_TRUE, Failure.METHOD_NOT_ALLOWED, Failure.HEADER_NOT_ALLOWED,
                 Failure.INVALID_ALLOW_METHODS, Failure.INVALID_ALLOW_HEADERS}


class AwsReads(Protocol):
    """What `--live` reads from AWS: the identities a file does not hold (API ids, function URLs),
    and a resource's live state."""

    def identities(self, resources: Sequence[Resource]) -> tuple[Mapping[str, str], tuple[Problem, ...]]:
        """address -> API id or function URL host, for those that could be read; and the reads that failed."""
        ...

    def live(self, resource: Resource) -> Live:
        ...


@dataclass(frozen=True)
class ErrorCheck:
    """What the message said, the request it describes, the service's answer (the file's, or with
    `--live` the live one), and the smallest change to the file (None: the file already allows it)."""

    error: BrowserError
    request: BrowserRequest
    answer: Answer
    suggestion: Suggestion | None
    # Assumptions made where the message is silent, and facts about how the URL was resolved.
    notes: tuple[str, ...] = ()
    # With --live: the file's answer (the live one is `answer`); None without --live.
    file_answer: Answer | None = None


def check_from_browser_error(environment: Environment, text: str, given: Given, lint: Lint,
                             endpoints: Sequence[str] = (), reads: AwsReads | None = None,
                             address: str | None = None) -> ErrorCheck:
    """Read the message, find the resource serving its URL (or take `address`: a custom domain name
    cannot be traced), and answer as `check` does, with the smallest change to the file.
    CorsdeployError: the message is not understood, or nothing in the environment serves its URL."""
    error = parse(text)
    served = _named(environment, address, error.url, endpoints) if address else _serving(
        environment, error.url, endpoints, reads)
    resource, read = served.resource, browser_request(error, given, served.path)
    file_answer = check(resource, read.request)
    answer = file_answer if reads is None else check(resource, read.request, reads.live(resource))
    suggestion = suggest(environment, resource, read.request, check, lint)
    cause = (_NOT_CORS[error.failure],) if error.failure in _NOT_CORS else ()
    whose = "the file's configuration" if reads is None else "the live configuration"
    notes = (*read.assumptions, *served.notes, *cause, *_disagreements(error, read.request, answer, whose))
    return ErrorCheck(error, read.request, answer, suggestion, notes, file_answer if reads else None)


def _serving(environment: Environment, url: str, endpoints: Sequence[str], reads: AwsReads | None) -> Served:
    """The resource serving `url`; with `reads`, API ids and function URLs the file lacks come from AWS."""
    target = target_of(url, endpoints)
    served = served_by(environment, target)
    problems: tuple[Problem, ...] = ()
    if served is None and reads is not None and candidates(environment, target):
        identities, problems = reads.identities(candidates(environment, target))
        served = served_by(environment, target, identities)
    if served is None:
        missing = not_served(environment, target, live=reads is not None)
        raise CorsdeployError([*missing.problems, *problems])
    return served


def _named(environment: Environment, address: str, url: str, endpoints: Sequence[str]) -> Served:
    """`--resource`'s resource; the path below a REST stage when the URL is its invoke URL, else the
    URL's own path (a custom domain's)."""
    resource = resource_at(environment, address)
    try:
        served = served_by(environment, target_of(url, endpoints))
    except CorsdeployError:
        served = None
    if served is not None and served.resource == resource:
        return served
    return Served(resource, urlsplit(url).path or "/")


def _disagreements(error: BrowserError, request: BrowserRequest, answer: Answer,
                   whose: str) -> tuple[str, ...]:
    """Where the message shows the browser met an answer other than the one simulated: then the
    configuration it met is not `whose` (not deployed, cached, or something in front answered)."""
    notes = []
    origin_passed = error.failure in _AFTER_ORIGIN or (
        error.browser is Browser.CHROMIUM and error.failure is Failure.PREFLIGHT_STATUS)
    allow_origin = next((value for name, value in answer.headers.items()
                         if name.lower() == "access-control-allow-origin"), None)
    if origin_passed and allow_origin not in (request.origin, WILDCARD):
        notes.append(f"the browser's answer allowed the origin, but {whose} does not: the browser met "
                     "another configuration")
    status = error.status if error.failure is Failure.PREFLIGHT_STATUS else None
    if status is not None and status != answer.status:
        notes.append(f"the browser's preflight got status {status}, but {whose} answers {answer.status}")
    return tuple(notes)
