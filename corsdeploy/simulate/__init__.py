"""How each AWS service answers a browser's cross-origin request, and whether the browser then lets
it through (pure: no AWS calls; `check --live` gets the live configuration from the engine)."""
from __future__ import annotations

from collections.abc import Callable, Mapping

from corsdeploy.errors import CorsdeployError
from corsdeploy.model import Environment, Kind, Live, Resource
from corsdeploy.simulate.assumptions import split_notes, with_notes
from corsdeploy.simulate.browser import verdict
from corsdeploy.simulate.request import Answer, BrowserRequest, ServiceAnswer

ServiceAnswerer = Callable[[Resource, BrowserRequest, Live | None], ServiceAnswer]


# Imported on demand: the sandbox's S3 layer must not load the REST template engine.
def _s3() -> ServiceAnswerer:
    from corsdeploy.simulate.s3 import answer

    return answer


def _http_api() -> ServiceAnswerer:
    from corsdeploy.simulate.http_api import answer

    return answer


def _rest_api() -> ServiceAnswerer:
    from corsdeploy.simulate.rest_api import answer

    return answer


def _function_url() -> ServiceAnswerer:
    from corsdeploy.simulate.function_url import answer

    return answer


ANSWERS: Mapping[Kind, Callable[[], ServiceAnswerer]] = {
    Kind.S3_BUCKET: _s3,
    Kind.HTTP_API: _http_api,
    Kind.REST_API: _rest_api,
    Kind.FUNCTION_URL: _function_url,
}


def check(resource: Resource, request: BrowserRequest, live: Live | None = None) -> Answer:
    """The service's answer to `request` (from the file's configuration, or `live`'s) and the
    browser's verdict on it."""
    answer = ANSWERS[resource.kind]()(resource, request, live)
    allowed, why = verdict(request, answer)
    return Answer(resource.address, allowed, answer.status, answer.matched_rule, answer.headers,
                  _reason(answer, allowed, why), (*answer.steps, f"browser: {why}"))


def _reason(answer: ServiceAnswer, allowed: bool, why: str) -> str:
    """The service's reason, which explains a refusal already, except when the browser refuses
    headers the service did send (`*` with credentials, say): then the browser's why follows it,
    before any UNCONFIRMED notes."""
    if allowed or not answer.headers:
        return answer.reason
    reason, notes = split_notes(answer.reason)
    return with_notes(f"{reason}; {why}", notes)


def resource_at(environment: Environment, address: str) -> Resource:
    """The resource of `environment` at `address`; an error naming its addresses when there is none."""
    resource = environment.resource(address)
    if resource is None:
        listing = ", ".join(sorted(r.address for r in environment.resources)) or "none"
        raise CorsdeployError(f"--resource {address}: no such resource in environment "
                              f"{environment.name!r} (addresses: {listing})")
    return resource
