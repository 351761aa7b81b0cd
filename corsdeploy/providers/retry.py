"""corsdeploy's own retries, the one retry mechanism of every AWS call.

Each call is retried on its own, with full-jitter exponential backoff and no shared budget, until it
succeeds, fails for good, or its deadline passes. botocore's retries are off for every client: its
standard mode gives each client 500 tokens (5 per retry), which parallel calls at 50% faults use up
within seconds, and every call after that fails at its first fault (facts §7.8). API Gateway's quotas
are kept apart, by pacing every attempt (corsdeploy.providers.pacing).
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError, HTTPClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from corsdeploy.interruption import interruptible_sleep

T = TypeVar("T")

BASE_DELAY_SECONDS = 0.1
MAX_DELAY_SECONDS = 5.0
# How long one call keeps trying. Throttling and 5xx bursts pass within seconds, and S3 settles
# within 2 minutes of a write (facts §7.6): longer only hides a real outage from a CI job.
DEADLINE_SECONDS = 120.0
# An endpoint that cannot be connected to at all (refused, unknown host, no route) is rarely a blip:
# a few seconds ride one out without making a user wait two minutes for a sandbox that is not up.
UNREACHABLE_DEADLINE_SECONDS = 5.0

# botocore's throttling codes (retries.standard), and S3's and API Gateway's.
THROTTLED_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequests", "TooManyRequestsException", "ProvisionedThroughputExceededException",
    "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
    "LimitExceededException", "RequestThrottled", "SlowDown", "EC2ThrottledException",
})
TRANSIENT_CODES = frozenset({
    "InternalError", "InternalFailure", "InternalServerError", "InternalServerErrorException",
    "ServiceUnavailable", "ServiceUnavailableException", "ServiceException", "RequestTimeout",
    "RequestTimeoutException", "PriorRequestNotComplete",
})
TRANSIENT_STATUS_CODES = frozenset({429, 500, 502, 503, 504})
# No answer, or half of one: a refused, reset or dropped connection, a timeout.
TRANSPORT_FAULTS: tuple[type[Exception], ...] = (BotocoreConnectionError, HTTPClientError)
# API Gateway's transient ConflictException (facts §7.5): the call was refused whole, so sending it
# again is safe. Other conflicts (an existing method response) are answers and surface at once.
CONCURRENT_MODIFICATION = "concurrent modification"


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def is_throttled(error: Exception) -> bool:
    if not isinstance(error, ClientError):
        return False
    code = error_code(error)
    return code in THROTTLED_CODES or code.startswith("Throttl") or _status(error) == 429


def is_retryable(error: Exception) -> bool:
    """Throttling, a transient failure of the service, or a transport fault; never a refusal."""
    if isinstance(error, TRANSPORT_FAULTS):
        return True
    if not isinstance(error, ClientError):
        return False
    code = error_code(error)
    return (is_throttled(error) or code in TRANSIENT_CODES or _status(error) in TRANSIENT_STATUS_CODES
            or _is_concurrent_modification(error))


def _status(error: ClientError) -> int | None:
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return int(status) if status is not None else None


def _is_concurrent_modification(error: ClientError) -> bool:
    message = str(error.response.get("Error", {}).get("Message", ""))
    return error_code(error) == "ConflictException" and CONCURRENT_MODIFICATION in message.lower()


@dataclass(frozen=True)
class Retry:
    """The retry policy; clock, sleep and random are injectable for tests."""

    deadline: float = DEADLINE_SECONDS
    unreachable_deadline: float = UNREACHABLE_DEADLINE_SECONDS
    base: float = BASE_DELAY_SECONDS
    cap: float = MAX_DELAY_SECONDS
    clock: Callable[[], float] = time.monotonic
    # Ends at once, raising Interrupted, when the apply this call belongs to is told to stop.
    sleep: Callable[[float], None] = interruptible_sleep
    random: Callable[[], float] = random.random

    def delay(self, retry: int) -> float:
        """Full jitter: anywhere from 0 to the exponential step (capped) before retry `retry` (0-based)."""
        return self.random() * min(self.cap, self.base * 2.0 ** min(retry, 32))

    def run(self, attempt: Callable[[], T]) -> T:
        """`attempt()` until it succeeds or fails for good; past the deadline the last error is raised
        with a note of how long it was tried (corsdeploy.aws.translate shows it)."""
        started = self.clock()
        retries = 0
        while True:
            try:
                return attempt()
            except Exception as error:
                if not is_retryable(error):
                    raise
                delay = self.delay(retries)
                elapsed = self.clock() - started
                if elapsed + delay > self._deadline_for(error):
                    error.add_note(f"still failing after {retries + 1} attempts over {elapsed:.0f}s")
                    raise
            self.sleep(delay)
            retries += 1

    def _deadline_for(self, error: Exception) -> float:
        if isinstance(error, (EndpointConnectionError, ConnectTimeoutError)):
            return min(self.deadline, self.unreachable_deadline)
        return self.deadline


def notes(error: BaseException) -> str:
    """The notes the retry loop added to `error`, as a suffix for its message."""
    found: list[Any] = getattr(error, "__notes__", [])
    return "".join(f" ({note})" for note in found)
