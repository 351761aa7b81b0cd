"""API Gateway's fixed control-plane quotas, kept by pacing every attempt of every call.

One Pacer per (account, Region) in the process, shared by every v1 and v2 client (facts §7.1), is
installed on each API Gateway client by the client factory, so providers need no change. Retrying
is not done here but by corsdeploy's one retry loop (corsdeploy.providers.retry); a throttled answer
only tells the pacer that someone else is using the quota.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from corsdeploy.providers.retry import is_throttled

Clock = Callable[[], float]
Sleep = Callable[[float], None]

# Every operation counts against the account's total; some also have a quota of their own.
TOTAL_PER_SECOND = 10.0
TOTAL_BURST = 40
# AWS counts a call when it arrives; a call that arrives sooner after its grant than the first did
# would find AWS's bucket one token short. Kept back: tolerance for 0.2 s of latency jitter.
JITTER_RESERVE = 2
_CAPACITY = float(TOTAL_BURST - JITTER_RESERVE)


@dataclass(frozen=True)
class Window:
    """At most `calls` calls in any `seconds`."""

    calls: int
    seconds: float


# Keyed by quota name; `QUOTA_OF` says which operations count against each (facts §7.1).
OPERATION_WINDOWS: Mapping[str, Window] = {
    "CreateDeployment": Window(1, 5.0),
    "GetResources": Window(5, 2.0),
    "CreateResource/DeleteResource": Window(5, 1.0),
    "PutRestApi": Window(1, 1.0),
}
QUOTA_OF: Mapping[str, str] = {
    "CreateDeployment": "CreateDeployment",
    "GetResources": "GetResources",
    "CreateResource": "CreateResource/DeleteResource",
    "DeleteResource": "CreateResource/DeleteResource",
    "PutRestApi": "PutRestApi",
}
# UNCONFIRMED: AWS's table is REST's; whether HTTP API (v2) CreateDeployment counts against the
# same 1-per-5-s quota is not documented. Paced with it: safe either way.
V2_SHARES_OPERATION_QUOTAS = True

# A call waiting for a window held by a call still in flight looks again this often.
IN_FLIGHT_POLL_SECONDS = 0.05

_TICKET = "corsdeploy_pacing_ticket"
# Floating-point refills can leave a wait of 1e-14 s, which some clocks cannot even step over.
_NEGLIGIBLE_SECONDS = 1e-6


def quota_name(service: str, operation: str) -> str | None:
    """The operation quota a call counts against, if any, besides the total."""
    if service == "apigatewayv2" and not V2_SHARES_OPERATION_QUOTAS:
        return None
    return QUOTA_OF.get(operation)


@dataclass
class _Call:
    started: float
    ended: float | None = None


@dataclass
class Ticket:
    """One paced attempt; released when its answer (or failure) arrives."""

    pacer: Pacer
    call: _Call | None

    def release(self) -> None:
        self.pacer.finish(self)


class Pacer:
    """Token bucket for the total, sliding windows for operation quotas; thread-safe.

    A window counts each call from its start until `seconds` after its answer: AWS counts a call
    when it arrives, somewhere in between, so spacing from the answer is safe whatever the latency.
    """

    def __init__(self, clock: Clock = time.monotonic, sleep: Sleep = time.sleep,
                 windows: Mapping[str, Window] = OPERATION_WINDOWS) -> None:
        self._clock, self._sleep, self._windows = clock, sleep, windows
        self._lock = threading.Lock()
        self._tokens = _CAPACITY
        self._refilled_at = clock()
        self._calls: dict[str, list[_Call]] = {name: [] for name in windows}

    def acquire(self, quota: str | None) -> Ticket:
        """Wait until one more call fits every quota it counts against, and count it."""
        while True:
            with self._lock:
                now = self._clock()
                self._refill(now)
                wait = max(self._bucket_wait(), self._window_wait(quota, now))
                if wait <= _NEGLIGIBLE_SECONDS:
                    return self._take(quota, now)
            self._sleep(wait)

    def finish(self, ticket: Ticket) -> None:
        with self._lock:
            if ticket.call is not None and ticket.call.ended is None:
                ticket.call.ended = self._clock()

    def throttled(self) -> None:
        """Another caller in the account is using the quota: start again from an empty bucket."""
        with self._lock:
            self._refill(self._clock())
            self._tokens = min(self._tokens, 0.0)

    def _refill(self, now: float) -> None:
        self._tokens = min(_CAPACITY, self._tokens + (now - self._refilled_at) * TOTAL_PER_SECOND)
        self._refilled_at = now

    def _bucket_wait(self) -> float:
        return max(0.0, (1.0 - self._tokens) / TOTAL_PER_SECOND)

    def _window_wait(self, quota: str | None, now: float) -> float:
        if quota is None or quota not in self._windows:
            return 0.0
        seconds = self._windows[quota].seconds
        calls = [c for c in self._calls[quota] if c.ended is None or c.ended + seconds > now]
        self._calls[quota] = calls
        if len(calls) < self._windows[quota].calls:
            return 0.0
        return min(IN_FLIGHT_POLL_SECONDS if c.ended is None else c.ended + seconds - now for c in calls)

    def _take(self, quota: str | None, now: float) -> Ticket:
        self._tokens -= 1.0
        call = None
        if quota is not None and quota in self._windows:
            call = _Call(now)
            self._calls[quota].append(call)
        return Ticket(self, call)


@dataclass
class PacerRegistry:
    """One Pacer per (account, Region); `SHARED` is the process's. `paced=False` turns pacing off."""

    clock: Clock = time.monotonic
    sleep: Sleep = time.sleep
    paced: bool = True
    _pacers: dict[tuple[str, str], Pacer] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def pacer(self, account: str, region: str) -> Pacer | None:
        if not self.paced:
            return None
        with self._lock:
            key = (account, region)
            if key not in self._pacers:
                self._pacers[key] = Pacer(self.clock, self.sleep)
            return self._pacers[key]


SHARED = PacerRegistry()


class ApiGatewayHooks:
    """Paces every attempt of one API Gateway client's calls.

    Pacing runs on `request-created`, before signing and before any socket is used, so a wait
    never counts against the connect or read timeout; each retry of corsdeploy's loop is a new
    attempt, paced again.
    """

    def __init__(self, pacer: Callable[[], Pacer | None]) -> None:
        self._pacer_source = pacer
        self._pacer: Pacer | None = None
        self._resolved = False

    def install(self, client: Any) -> None:
        service_id = client.meta.service_model.service_id.hyphenize()
        service = client.meta.service_model.service_name
        events = client.meta.events

        def pace(request: Any, operation_name: str, **_: Any) -> None:
            pacer = self._resolve()
            if pacer is not None:
                request.context[_TICKET] = pacer.acquire(quota_name(service, operation_name))

        events.register_first(f"request-created.{service_id}", pace)
        events.register_first(f"response-received.{service_id}", self._release)
        events.register_first(f"after-call-error.{service_id}", self._release)
        events.register_first(f"after-call.{service_id}", self._note_throttling)

    def _resolve(self) -> Pacer | None:
        # The pacer depends on the caller's account, known only after a call to STS: asked once.
        if not self._resolved:
            self._pacer, self._resolved = self._pacer_source(), True
        return self._pacer

    def _release(self, context: dict[str, Any], **_: Any) -> None:
        ticket = context.pop(_TICKET, None)
        if ticket is not None:
            ticket.release()

    def _note_throttling(self, http_response: Any, parsed: Mapping[str, Any], model: Any,
                         **_: Any) -> None:
        """Another caller in the account is using the quota: pace from an empty bucket."""
        if self._pacer is None or http_response is None or http_response.status_code < 400:
            return
        if is_throttled(ClientError(dict(parsed), model.name)):
            self._pacer.throttled()
