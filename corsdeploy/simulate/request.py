"""A browser's cross-origin request and the answer a service gives it (pure data, no AWS)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from corsdeploy.model import frozen


@dataclass(frozen=True)
class BrowserRequest:
    """One request as the browser sends it.

    For a preflight (`preflight=True`) `method` is the Access-Control-Request-Method and `headers`
    the Access-Control-Request-Headers names in the order the browser lists them; for an actual
    request, `method` is the request's method and `headers` the names of the headers it carries.
    `origin` None means the request carries no Origin header. `credentials` is the fetch's
    credentials mode being "include" (cookies, HTTP auth), which changes what the browser accepts.
    `path` is the URL path where the service answers differently per path (REST API resources).
    """

    origin: str | None
    method: str
    headers: tuple[str, ...] = ()
    preflight: bool = True
    credentials: bool = False
    path: str | None = None


@dataclass(frozen=True)
class ServiceAnswer:
    """What the AWS service sends back, before the browser judges it.

    `headers` holds exactly the CORS response headers the service sends (names as the service
    spells them). `matched_rule` is the index of the rule that decided the answer (S3), else None.
    `reason` is one sentence; `steps` explain, one line each, how the service got there (for S3:
    why each earlier rule did not match). Where the answer rests on an UNCONFIRMED fact, `reason`
    says so.
    """

    status: int
    headers: Mapping[str, str] = field(default_factory=frozen)
    matched_rule: int | None = None
    reason: str = ""
    steps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """The service's answer and the browser's verdict on it (the `check` JSON, plus `steps`)."""

    address: str
    allowed: bool
    status: int
    matched_rule: int | None
    headers: Mapping[str, str]
    reason: str
    steps: tuple[str, ...] = ()
