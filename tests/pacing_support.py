"""Test support for API Gateway pacing: a fake clock, and an HTTP layer that answers as AWS would."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from botocore.awsrequest import AWSResponse

from corsdeploy.providers.pacing import Ticket


class FakeClock:
    """A clock that only moves when someone sleeps; `on_sleep` lets a test act during a wait."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []
        self.on_sleep: list[Ticket] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        if self.on_sleep:
            self.on_sleep.pop().release()


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


class HttpStub:
    """Answers one client's requests from a queue, in API Gateway's rest-json wire form.

    Errors carry their code in `x-amzn-ErrorType` and `{"message": ...}` as the body, as API Gateway
    sends them; `sent` records (operation, fake time) of every attempt that reached the HTTP layer.
    """

    def __init__(self, client: Any, clock: FakeClock, latency: float = 0.1) -> None:
        self.answers: list[tuple[int, dict[str, str], dict[str, Any]]] = []
        self.sent: list[tuple[str, float]] = []
        self._clock, self._latency = clock, latency
        service_id = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register_first(f"before-send.{service_id}", self._answer)

    def ok(self, status: int = 200, **body: Any) -> HttpStub:
        self.answers.append((status, {}, body))
        return self

    def error(self, status: int, code: str, message: str, times: int = 1) -> HttpStub:
        self.answers.extend([(status, {"x-amzn-ErrorType": code}, {"message": message})] * times)
        return self

    def _answer(self, request: Any, event_name: str, **_: Any) -> AWSResponse:
        self.sent.append((event_name.rsplit(".", 1)[-1], self._clock.now))
        self._clock.now += self._latency
        status, headers, body = self.answers.pop(0)
        headers = {"Content-Type": "application/json", **headers}
        return AWSResponse(request.url, status, headers, _Body(json.dumps(body).encode()))
