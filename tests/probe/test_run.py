"""Running a probe: a small pool, every answer compared, failures kept apart from disagreements, and a
bucket followed once to its own region."""
from __future__ import annotations

import threading
import time

from corsdeploy.model import CorsConfig, CorsRule, Kind
from corsdeploy.probe.endpoints import Endpoint, s3_endpoint
from corsdeploy.probe.requests import ProbeRequest, Target, derive
from corsdeploy.probe.run import POOL_SIZE, PlannedProbe, run_probes
from corsdeploy.probe.send import Reply, SendError
from corsdeploy.simulate.request import Answer, BrowserRequest
from tests.probe.loopback import Answer as Served
from tests.probe.loopback import Received, loopback

ORIGIN = "https://app.example.com"
CONFIG = CorsConfig((CorsRule((ORIGIN,), ("GET", "PUT")),))


def _predict(request: BrowserRequest) -> Answer:
    """A prediction for the test: the configured origin is echoed, any other gets nothing."""
    headers = {"Access-Control-Allow-Origin": ORIGIN} if request.origin == ORIGIN else {}
    return Answer("s3_bucket.assets", bool(headers), 200 if headers or not request.preflight else 403,
                  None, headers, "test")


def _serve(received: Received) -> Served:
    """Right for every origin but one look-alike, to which it answers as if allowed."""
    origin = received.headers.get("Origin", "")
    if origin in (ORIGIN, "https://evilapp.example.com"):
        return Served(200, [("Access-Control-Allow-Origin", origin)])
    return Served(403 if received.method == "OPTIONS" else 200)


def test_every_request_is_compared_and_the_wrong_answers_are_the_disagreements() -> None:
    requests = derive([CONFIG], [Target()])
    with loopback(_serve) as server:
        endpoint = Endpoint(server.url + "/assets/")
        planned = PlannedProbe("s3_bucket.assets", Kind.S3_BUCKET, endpoint, requests, _predict)
        (result,) = run_probes([planned], lambda kind: server.url, timeout=5)
    assert len(server.received) == len(requests) == len(result.exchanges)
    wrong = [e for e in result.exchanges if not e.agrees]
    assert {e.request.browser.origin for e in wrong} == {"https://evilapp.example.com"}
    assert all(e.differences[-1].got == "https://evilapp.example.com" for e in wrong)
    assert [e.request for e in result.exchanges] == list(requests)


def test_no_more_than_the_pool_size_are_in_flight_at_once() -> None:
    in_flight, most = 0, 0
    lock = threading.Lock()

    def slow(received: Received) -> Served:
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        time.sleep(0.05)
        with lock:
            in_flight -= 1
        return Served(403)

    requests = derive([CONFIG], [Target()])
    with loopback(slow) as server:
        planned = [PlannedProbe(f"s3_bucket.b{i}", Kind.S3_BUCKET, Endpoint(f"{server.url}/b{i}/"), requests,
                                _predict) for i in range(3)]
        run_probes(planned, lambda kind: server.url, timeout=5)
    assert len(server.received) == 3 * len(requests)
    assert 1 < most <= POOL_SIZE


def test_a_request_without_an_answer_is_a_failure_not_a_disagreement() -> None:
    def sender(endpoint: Endpoint, request: ProbeRequest, override: str | None, timeout: float) -> Reply:
        raise SendError("no answer within 1s")

    requests = derive([CONFIG], [Target()])
    endpoint = Endpoint("http://127.0.0.1:1/assets/")
    planned = PlannedProbe("s3_bucket.assets", Kind.S3_BUCKET, endpoint, requests, _predict)
    (result,) = run_probes([planned], lambda kind: None, timeout=1, sender=sender)
    assert {e.error for e in result.exchanges} == {"no answer within 1s"}
    assert not any(e.agrees or e.differences for e in result.exchanges)


def test_a_bucket_in_another_region_is_probed_there_after_s3s_redirect() -> None:
    sent: list[str] = []

    def sender(endpoint: Endpoint, request: ProbeRequest, override: str | None, timeout: float) -> Reply:
        sent.append(endpoint.url)
        if ".eu-west-1." in endpoint.url:
            return Reply(301, (("x-amz-bucket-region", "us-east-2"),))
        return Reply(403, ())

    requests = derive([CONFIG], [Target()])
    planned = PlannedProbe("s3_bucket.assets", Kind.S3_BUCKET, s3_endpoint("assets", "eu-west-1", None),
                           requests, _predict, relocate=lambda region: s3_endpoint("assets", region, None))
    (result,) = run_probes([planned], lambda kind: None, sender=sender)
    assert sent[0] == "https://assets.s3.eu-west-1.amazonaws.com/"
    assert set(sent[1:]) == {"https://assets.s3.us-east-2.amazonaws.com/"}
    assert len(sent) == len(requests) + 1
    assert result.endpoint.url == "https://assets.s3.us-east-2.amazonaws.com/"
    assert result.notes == ("S3 redirected the probe to the bucket's region, us-east-2",)
    assert {e.reply.status for e in result.exchanges if e.reply} == {403}


def test_an_api_the_sandbox_does_not_serve_is_not_probed_after_its_first_answer() -> None:
    sent: list[ProbeRequest] = []

    def sandbox(endpoint: Endpoint, request: ProbeRequest, override: str | None, timeout: float) -> Reply:
        sent.append(request)
        return Reply(501, (("X-Corsdeploy-Sandbox", "no-data-plane"), ("Content-Type", "text/plain")))

    requests = derive([CONFIG], [Target()])
    endpoint = Endpoint("https://a1b2c3.execute-api.eu-west-1.amazonaws.com/", "http://127.0.0.1:4566")
    planned = PlannedProbe("http_api.orders", Kind.HTTP_API, endpoint, requests, _predict)
    (result,) = run_probes([planned], lambda kind: "http://127.0.0.1:4566", sender=sandbox)
    assert sent == [requests[0]] and result.exchanges == ()
    assert result.not_probed is not None and "serves S3 only" in result.not_probed


def test_a_501_without_the_sandboxs_header_is_a_disagreement_like_any_answer() -> None:
    def emulator(endpoint: Endpoint, request: ProbeRequest, override: str | None, timeout: float) -> Reply:
        return Reply(501, ())

    requests = derive([CONFIG], [Target()])
    endpoint = Endpoint("https://a1b2c3.execute-api.eu-west-1.amazonaws.com/", "http://127.0.0.1:4566")
    planned = PlannedProbe("http_api.orders", Kind.HTTP_API, endpoint, requests, _predict)
    (result,) = run_probes([planned], lambda kind: "http://127.0.0.1:4566", sender=emulator)
    assert result.not_probed is None and len(result.exchanges) == len(requests)
