"""`check --from-browser-error`: from a console's CORS error to the service's answer and the smallest
change to the file (pure; with `--live`, what only AWS knows comes through `AwsReads`)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from corsdeploy.errors import CorsdeployError, Problem
from corsdeploy.model import Environment, Live, Resource
from corsdeploy.simulate import check
from corsdeploy.simulate.browser_error import BrowserError, Failure, Given, browser_request, parse
from corsdeploy.simulate.request import Answer, BrowserRequest
from corsdeploy.simulate.suggest import Lint, Suggestion, suggest
from corsdeploy.simulate.urls import candidates, not_served, served_by, target_of

# Failures no CORS configuration causes or cures: said beside the answer.
_NOT_CORS = {
    Failure.REQUEST_FAILED: "the browser got no response at all (network, DNS or TLS failure, or the request "
                            "was cancelled): no CORS configuration causes or cures that",
    Failure.NOT_CORS_HEADERS: "the browser blocked the request for a reason outside the CORS headers "
                              "(scheme, redirect, private network access or request mode)",
    Failure.PREFLIGHT_REDIRECT: "the preflight was redirected, which browsers refuse: the URL (scheme, host, "
                                "trailing slash) must be the one that answers, not one that redirects",
}


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
                             endpoints: Sequence[str] = (), reads: AwsReads | None = None) -> ErrorCheck:
    """Read the message, find the resource serving its URL, and answer as `check` does, with the
    smallest change to the file. CorsdeployError: the message is not understood, or nothing in the
    environment serves its URL."""
    error = parse(text)
    target = target_of(error.url, endpoints)
    served = served_by(environment, target)
    problems: tuple[Problem, ...] = ()
    if served is None and reads is not None and candidates(environment, target):
        identities, problems = reads.identities(candidates(environment, target))
        served = served_by(environment, target, identities)
    if served is None:
        missing = not_served(environment, target, live=reads is not None)
        raise CorsdeployError([*missing.problems, *problems])
    resource, read = served.resource, browser_request(error, given, served.path)
    file_answer = check(resource, read.request)
    answer = file_answer if reads is None else check(resource, read.request, reads.live(resource))
    suggestion = suggest(environment, resource, read.request, check, lint)
    cause = (_NOT_CORS[error.failure],) if error.failure in _NOT_CORS else ()
    notes = (*read.assumptions, *served.notes, *cause)
    return ErrorCheck(error, read.request, answer, suggestion, notes, file_answer if reads else None)
