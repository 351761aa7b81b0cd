"""Real browser-like requests with urllib: preflights and actual requests, their answers, and
bounded polling while a change propagates."""
from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

REQUEST_TIMEOUT_SECONDS = 15
BODY_LIMIT = 2048  # enough of a body to read an error message; never the whole object


@dataclass(frozen=True)
class Probe:
    """One request a browser would send: a preflight (OPTIONS) or the actual request."""

    url: str
    method: str
    origin: str | None
    request_method: str | None = None  # Access-Control-Request-Method (preflights)
    request_headers: tuple[str, ...] = ()  # Access-Control-Request-Headers (preflights)
    extra_headers: tuple[tuple[str, str], ...] = ()

    def headers(self) -> dict[str, str]:
        """The headers sent, as a browser names them."""
        headers = dict(self.extra_headers)
        if self.origin is not None:
            headers["Origin"] = self.origin
        if self.request_method is not None:
            headers["Access-Control-Request-Method"] = self.request_method
        if self.request_headers:
            headers["Access-Control-Request-Headers"] = ",".join(self.request_headers)
        return headers

    def describe(self) -> str:
        sent = ", ".join(f"{name}: {value}" for name, value in self.headers().items())
        return f"{self.method} {self.url} [{sent}]"


def preflight(url: str, origin: str | None, method: str, headers: Sequence[str] = ()) -> Probe:
    """The OPTIONS request a browser sends before a non-simple request."""
    return Probe(url, "OPTIONS", origin, request_method=method, request_headers=tuple(headers))


def actual(url: str, origin: str | None, method: str = "GET") -> Probe:
    """The cross-origin request itself."""
    return Probe(url, method, origin)


def build_request(probe: Probe) -> urllib.request.Request:
    return urllib.request.Request(probe.url, method=probe.method, headers=probe.headers())


@dataclass(frozen=True)
class Answer:
    """What came back: status, every header (repeats kept, in order) and the start of the body."""

    status: int
    header_list: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    probe: Probe | None = field(default=None, compare=False)

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.header_list if key.lower() == name.lower()]

    def header(self, name: str) -> str | None:
        """One header's value (repeats joined with ', ', as HTTP allows); None when absent."""
        values = self.all(name)
        return ", ".join(values) if values else None

    @property
    def allow_origin(self) -> str | None:
        return self.header("Access-Control-Allow-Origin")

    def allows(self, origin: str) -> bool:
        """Whether a browser at `origin` may read this answer (exact echo or `*`)."""
        return self.allow_origin in (origin, "*")

    def cors_headers(self) -> dict[str, str]:
        return {key: value for key, value in self.header_list
                if key.lower().startswith("access-control-") or key.lower() == "vary"}

    def describe(self) -> str:
        sent = self.probe.describe() if self.probe else "(request not recorded)"
        body = self.body[:200].decode("utf-8", "replace")
        return f"{sent} -> {self.status} {self.cors_headers()} body={body!r}"


def send(probe: Probe, timeout: float = REQUEST_TIMEOUT_SECONDS) -> Answer:
    """Send one probe; an HTTP error status is an answer too, not an exception."""
    try:
        with urllib.request.urlopen(build_request(probe), timeout=timeout) as response:
            return Answer(response.status, tuple(response.headers.items()), response.read(BODY_LIMIT), probe)
    except urllib.error.HTTPError as error:
        with error:
            return Answer(error.code, tuple(error.headers.items()), error.read(BODY_LIMIT), probe)


Sender = Callable[[Probe], Answer]


def eventually(
    probe: Probe,
    expected: Callable[[Answer], bool],
    what: str,
    *,
    timeout: float = 120.0,
    interval: float = 3.0,
    sender: Sender = send,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Answer:
    """The first answer meeting `expected`, sending again while a change propagates; an
    AssertionError naming `what` and the last answer when `timeout` passes first. Network
    errors (DNS of a new API, a reset connection) count as "not yet"."""
    deadline = clock() + timeout
    last = "no answer"
    while True:
        try:
            answer = sender(probe)
        except OSError as error:
            last = f"{probe.describe()} -> {type(error).__name__}: {error}"
        else:
            if expected(answer):
                return answer
            last = answer.describe()
        if clock() >= deadline:
            raise AssertionError(f"{what}: not so after {timeout:.0f} s; last: {last}")
        sleep(interval)


def samples(probe: Probe, count: int = 3, interval: float = 2.0, *, sender: Sender = send,
            sleep: Callable[[float], None] = time.sleep) -> list[Answer]:
    """`count` answers to the same probe, to tell a settled behaviour from a front-end not yet updated."""
    answers = []
    for index in range(count):
        if index:
            sleep(interval)
        answers.append(sender(probe))
    return answers
