"""Views of `check --from-browser-error`: what the message said, then `check`'s answer, then the
smallest change to the file (text); or the contract's Check document with `request` and `suggestion`."""
from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape

from corsdeploy.render.check import check_document, render_check
from corsdeploy.render.edge import bounded, printable
from corsdeploy.simulate.browser_error import Failure
from corsdeploy.simulate.from_browser_error import ErrorCheck

_FAILURES = {
    Failure.MISSING_ALLOW_ORIGIN: "no Access-Control-Allow-Origin header",
    Failure.ALLOW_ORIGIN_MISMATCH: "Access-Control-Allow-Origin is another origin",
    Failure.ORIGIN_NOT_ALLOWED: "Access-Control-Allow-Origin missing or another origin",
    Failure.MULTIPLE_ALLOW_ORIGIN: "several Access-Control-Allow-Origin values",
    Failure.INVALID_ALLOW_ORIGIN: "an invalid Access-Control-Allow-Origin value",
    Failure.WILDCARD_WITH_CREDENTIALS: "Access-Control-Allow-Origin '*' for a request with credentials",
    Failure.ALLOW_CREDENTIALS_NOT_TRUE: "Access-Control-Allow-Credentials is not 'true' for a request with "
                                        "credentials",
    Failure.PREFLIGHT_STATUS: "the preflight's status is not 2xx",
    Failure.PREFLIGHT_REDIRECT: "the preflight was redirected",
    Failure.METHOD_NOT_ALLOWED: "the method is not in Access-Control-Allow-Methods",
    Failure.HEADER_NOT_ALLOWED: "a header is not in Access-Control-Allow-Headers",
    Failure.INVALID_ALLOW_METHODS: "Access-Control-Allow-Methods cannot be parsed",
    Failure.INVALID_ALLOW_HEADERS: "Access-Control-Allow-Headers cannot be parsed",
    Failure.REQUEST_FAILED: "no response (the request failed)",
    Failure.NOT_CORS_HEADERS: "a reason outside the CORS headers",
    Failure.UNSPECIFIED: "the message does not say why",
}


def browser_error_document(result: ErrorCheck) -> dict[str, Any]:
    """The contract's Check shape, plus what was read from the message and the suggestion."""
    request = result.request
    document = check_document(result.answer)
    origin = bounded(request.origin) if request.origin is not None else None
    document["request"] = {"url": bounded(result.error.url), "origin": origin, "method": request.method,
                           "headers": list(request.headers), "preflight": request.preflight}
    document["suggestion"] = bounded(result.suggestion.text) if result.suggestion else None
    return document


def _shown(text: str) -> str:
    return escape(printable(text))


def render_browser_error(result: ErrorCheck, environment: str, console: Console) -> None:
    error = result.error
    status = f" (status {error.status})" if error.status is not None else ""
    console.print(f"{error.browser.value.capitalize()} says: {_FAILURES[error.failure]}{status}")
    console.print(f"  url: {_shown(error.url)}")
    if error.received is not None:
        console.print(f"  the browser received: {_shown(repr(error.received))}")
    for note in result.notes:
        console.print(f"  note: {_shown(note)}")
    if result.file_answer is not None:
        verdict = "allows" if result.file_answer.allowed else "blocks"
        console.print(f"  the file's configuration {verdict} it; the live one is answered below")
    render_check(result.answer, result.request, console)
    console.print(f"suggestion: {_shown(_suggestion(result, environment))}")
    if result.suggestion and result.suggestion.answer:
        answer = result.suggestion.answer
        rule = f", rule {answer.matched_rule}" if answer.matched_rule is not None else ""
        console.print(f"  with it, check allows the request (status {answer.status}{rule})")


def _suggestion(result: ErrorCheck, environment: str) -> str:
    if result.suggestion is not None:
        return result.suggestion.text
    if result.file_answer is not None and not result.answer.allowed:
        return (f"none in the file, which allows this request; the live configuration does not: "
                f"`corsdeploy plan --env {environment}` shows the difference and `apply` deploys it")
    if result.file_answer is None:
        return ("none: the file's configuration allows this request, so the browser met another one: "
                "compare with the live configuration (the same command with --live)")
    return ("none: the live configuration allows this request too; the browser may have used an answer "
            "it cached (a preflight, for up to Access-Control-Max-Age), or something in front of the "
            "service (a CDN, a proxy, the backend) answered")
