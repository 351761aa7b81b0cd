"""Send every planned request through a small pool, compare each answer with its prediction, and
collect the results as data (the views render them)."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from corsdeploy.model import Kind
from corsdeploy.probe.compare import Difference, differences
from corsdeploy.probe.endpoints import Endpoint
from corsdeploy.probe.requests import ProbeRequest
from corsdeploy.probe.send import DEFAULT_TIMEOUT, Reply, SendError, request_url, send
from corsdeploy.sandbox import NOT_SERVED, NOT_SERVED_HEADER
from corsdeploy.simulate.request import Answer, BrowserRequest

# Requests in flight at once, over all resources: a probe must not look like a flood.
POOL_SIZE = 4
# S3 answers a request for a bucket in another region with a redirect naming the bucket's region.
_S3_REDIRECTS = frozenset({301, 307})
_BUCKET_REGION = "x-amz-bucket-region"
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")

Sender = Callable[[Endpoint, ProbeRequest, "str | None", float], Reply]


@dataclass(frozen=True)
class PlannedProbe:
    """What to send for one resource, and how to predict each answer.

    `relocate`, for S3 on AWS, gives the bucket's endpoint in the region S3 redirects to."""

    address: str
    kind: Kind
    endpoint: Endpoint
    requests: tuple[ProbeRequest, ...]
    predict: Callable[[BrowserRequest], Answer]
    notes: tuple[str, ...] = ()
    relocate: Callable[[str], Endpoint] | None = None


@dataclass(frozen=True)
class Exchange:
    """One request, what check predicted, and what came back (or why nothing did)."""

    request: ProbeRequest
    url: str
    expected: Answer
    reply: Reply | None
    error: str | None = None
    differences: tuple[Difference, ...] = ()

    @property
    def agrees(self) -> bool:
        return self.reply is not None and not self.differences


@dataclass(frozen=True)
class ResourceProbe:
    """What one resource answered; `not_probed` says why nothing more was sent, when so."""

    address: str
    kind: Kind
    endpoint: Endpoint
    exchanges: tuple[Exchange, ...]
    notes: tuple[str, ...] = ()
    not_probed: str | None = None


@dataclass(frozen=True)
class ProbeReport:
    environment: str
    resources: tuple[ResourceProbe, ...]

    def _exchanges(self) -> list[Exchange]:
        return [e for r in self.resources for e in r.exchanges]

    @property
    def summary(self) -> dict[str, int]:
        exchanges = self._exchanges()
        return {
            "resources": len(self.resources),
            "requests": len(exchanges),
            "agree": sum(e.agrees for e in exchanges),
            "disagree": sum(e.reply is not None and bool(e.differences) for e in exchanges),
            "failed": sum(e.reply is None for e in exchanges),
            "not_probed": sum(r.not_probed is not None for r in self.resources),
        }

    @property
    def ok(self) -> bool:
        return all(e.agrees for e in self._exchanges())


def run_probes(planned: Sequence[PlannedProbe], override: Callable[[Kind], str | None],
               timeout: float = DEFAULT_TIMEOUT, sender: Sender = send,
               pool_size: int = POOL_SIZE) -> tuple[ResourceProbe, ...]:
    """Every planned request sent (at most `pool_size` at once) and compared."""
    with ThreadPoolExecutor(max_workers=pool_size) as pool:
        def exchange(probe: PlannedProbe, request: ProbeRequest) -> Exchange:
            return _exchange(probe, request, override(probe.kind), timeout, sender)

        located = list(pool.map(lambda p: _locate(p, exchange, override(p.kind) is not None), planned))
        futures = [[] if skipped else [pool.submit(exchange, probe, r) for r in probe.requests[len(done):]]
                   for probe, done, skipped in located]
        return tuple(
            ResourceProbe(probe.address, probe.kind, probe.endpoint,
                          (*done, *(f.result() for f in pending)), probe.notes, skipped)
            for (probe, done, skipped), pending in zip(located, futures, strict=True)
        )


def _locate(probe: PlannedProbe, exchange: Callable[[PlannedProbe, ProbeRequest], Exchange],
            overridden: bool) -> tuple[PlannedProbe, tuple[Exchange, ...], str | None]:
    """The first request alone where its answer may change the rest: for a bucket on AWS, when S3
    redirects it to the bucket's own region the whole probe moves there (as botocore follows S3's
    region redirects, facts §7.6); under an override, when the corsdeploy sandbox says it does not
    serve the kind, nothing more is sent (why comes back third)."""
    if (probe.relocate is None and not overridden) or not probe.requests:
        return probe, (), None
    first = exchange(probe, probe.requests[0])
    if overridden and _not_served(first.reply):
        return probe, (), (f"the corsdeploy sandbox serves S3 only (moto has no {_DATA_PLANES[probe.kind]} "
                           "data plane); `corsdeploy check` predicts what AWS answers")
    region = _redirected_to(first.reply)
    if probe.relocate is None or region is None:
        return probe, (first,), None
    moved = replace(probe, endpoint=probe.relocate(region),
                    notes=(*probe.notes, f"S3 redirected the probe to the bucket's region, {region}"))
    return moved, (), None


_DATA_PLANES = {Kind.S3_BUCKET: "S3", Kind.HTTP_API: "API Gateway", Kind.REST_API: "API Gateway",
                Kind.FUNCTION_URL: "Lambda function URL"}


def _not_served(reply: Reply | None) -> bool:
    return reply is not None and any(name.lower() == NOT_SERVED_HEADER.lower() and value == NOT_SERVED
                                     for name, value in reply.headers)


def _redirected_to(reply: Reply | None) -> str | None:
    if reply is None or reply.status not in _S3_REDIRECTS:
        return None
    region = next((v for k, v in reply.headers if k.lower() == _BUCKET_REGION), None)
    return region if region is not None and _REGION.fullmatch(region) else None


def _exchange(probe: PlannedProbe, request: ProbeRequest, override: str | None, timeout: float,
              sender: Sender) -> Exchange:
    expected = probe.predict(request.browser)
    url = request_url(probe.endpoint, request)
    try:
        reply = sender(probe.endpoint, request, override, timeout)
    except SendError as error:
        return Exchange(request, url, expected, None, str(error))
    found = differences(probe.kind, request.browser.preflight, expected.status, expected.headers,
                        reply.status, reply.headers)
    return Exchange(request, url, expected, reply, None, found)
