"""corsdeploy's own retry loop (providers.retry, through providers.calls): each call retried on its own
with full-jitter backoff, no shared budget, up to a deadline; refusals never retried.

moto never throttles or drops a connection, so AWS's faults come from botocore's Stubber (S3's
answers as its model has them) and a before-send hook (a dropped connection); the clock is fake,
so nothing really waits.
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError
from botocore.stub import Stubber

from corsdeploy.aws import Clients
from corsdeploy.errors import AwsError, PlanError
from corsdeploy.live import read_live
from corsdeploy.model import AwsSettings, Kind, Location, Resource
from corsdeploy.providers.calls import Calls
from corsdeploy.providers.operations import Operation, Phase
from corsdeploy.providers.pacing import PacerRegistry
from corsdeploy.providers.retry import BASE_DELAY_SECONDS, DEADLINE_SECONDS, MAX_DELAY_SECONDS, Retry
from corsdeploy.providers.s3 import S3Provider
from tests.pacing_support import FakeClock, HttpStub

RULES = [{"AllowedOrigins": ["https://app.example"], "AllowedMethods": ["GET"]}]
# The transient answers S3 and API Gateway give: (HTTP status, error code).
TRANSIENT = [(503, "SlowDown"), (500, "InternalError"), (400, "RequestTimeout"), (429, "TooManyRequests"),
             (400, "ThrottlingException"), (503, "ServiceUnavailable")]
GET_APIS = Operation("apigatewayv2", "GetApis", "apigateway:GET", "*", Phase.PLAN)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def clients(clock: FakeClock) -> Clients:
    retry = Retry(clock=clock, sleep=clock.sleep, random=random.Random(7).random)
    return Clients(AwsSettings(region="eu-west-1"), pacers=PacerRegistry(paced=False), retry=retry)


@pytest.fixture
def s3(clients: Clients) -> Iterator[Stubber]:
    with Stubber(clients.client("s3")) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def bucket(name: str = "assets") -> Resource:
    return Resource(Kind.S3_BUCKET, name, None, Location("e.yaml", 1, 1))


def fault(s3: Stubber, status: int, code: str, times: int = 1) -> None:
    for _ in range(times):
        s3.add_client_error("get_bucket_cors", service_error_code=code, http_status_code=status)


def cors(s3: Stubber) -> None:
    s3.add_response("get_bucket_cors", {"CORSRules": RULES})


@pytest.mark.parametrize(("status", "code"), TRANSIENT)
def test_a_transient_fault_then_success(clients: Clients, s3: Stubber, clock: FakeClock,
                                        status: int, code: str) -> None:
    fault(s3, status, code, times=3)
    cors(s3)
    assert S3Provider(clients).read(bucket()).wire == {"CORSRules": RULES}
    assert len(clock.slept) == 3


def test_half_the_calls_failing_all_end_in_success_with_no_budget_to_run_out(
        clients: Clients, s3: Stubber, clock: FakeClock) -> None:
    """botocore's quota (500 tokens, 5 per retry) would fail every call after the 100th retry."""
    faults = random.Random(50)
    provider = S3Provider(clients)
    retries = 0
    for _ in range(400):
        while faults.random() < 0.5:
            fault(s3, *faults.choice(TRANSIENT))
            retries += 1
        cors(s3)
        assert provider.read(bucket()).wire == {"CORSRules": RULES}
    assert retries > 100 and len(clock.slept) == retries


@pytest.mark.parametrize(("status", "code"), [(403, "AccessDenied"), (404, "NoSuchBucket"),
                                              (400, "InvalidRequest"), (409, "ConflictException")])
def test_a_refusal_is_never_retried(clients: Clients, s3: Stubber, clock: FakeClock, status: int,
                                    code: str) -> None:
    fault(s3, status, code)
    with pytest.raises((AwsError, PlanError)):
        S3Provider(clients).read(bucket())
    assert clock.slept == []


def test_the_deadline_ends_the_loop_with_an_error_naming_the_resource(clients: Clients,
                                                                        clock: FakeClock) -> None:
    started = clock.now
    with Stubber(clients.client("s3")) as s3, pytest.raises(AwsError) as raised:
        fault(s3, 503, "SlowDown", times=1000)
        S3Provider(clients).read(bucket())
    (problem,) = raised.value.problems
    assert problem.address == "s3_bucket.assets"
    assert problem.message.startswith("SlowDown: ") and "still failing after" in problem.message
    assert DEADLINE_SECONDS - MAX_DELAY_SECONDS < clock.now - started <= DEADLINE_SECONDS


@pytest.mark.parametrize("retry", [0, 1, 3, 6, 10, 60])
def test_full_jitter_stays_between_zero_and_the_capped_step(retry: int) -> None:
    step = min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** retry)
    assert Retry(random=lambda: 0.0).delay(retry) == 0.0
    assert 0.0 < Retry(random=lambda: 0.999).delay(retry) < step
    assert Retry(random=lambda: 0.5).delay(retry) == pytest.approx(step / 2)


def _s3_answer(request: Any) -> AWSResponse:
    body = (b'<CORSConfiguration><CORSRule><AllowedOrigin>https://app.example</AllowedOrigin>'
            b'<AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>')

    class Body:
        def stream(self, **_: Any) -> Iterator[bytes]:
            yield body

    return AWSResponse(request.url, 200, {}, Body())


def drop(clients: Clients, errors: list[Exception]) -> list[Exception]:
    """S3's connection fails with each of `errors` in turn, then answers; returns what is left."""
    def send(request: Any, **_: Any) -> AWSResponse:
        if errors:
            raise errors.pop(0)
        return _s3_answer(request)

    clients.client("s3").meta.events.register_first("before-send.s3", send)
    return errors


def test_a_dropped_connection_is_retried(clients: Clients, clock: FakeClock) -> None:
    url = "https://s3.eu-west-1.amazonaws.com/assets"
    left = drop(clients, [ConnectionClosedError(endpoint_url=url), EndpointConnectionError(endpoint_url=url),
                          ReadTimeoutError(endpoint_url=url)])
    assert S3Provider(clients).read(bucket()).wire == {"CORSRules": RULES}
    assert left == [] and len(clock.slept) == 3


def test_a_connection_that_never_comes_back_is_one_line_naming_the_resource(clients: Clients) -> None:
    url = "https://s3.eu-west-1.amazonaws.com/assets"
    drop(clients, [ConnectionClosedError(endpoint_url=url) for _ in range(1000)])
    resource = bucket()
    with pytest.raises(PlanError) as raised:
        read_live([resource], {Kind.S3_BUCKET: S3Provider(clients)})
    (problem,) = raised.value.problems
    assert problem.address == resource.address
    assert "s3:GetBucketCORS: https://s3.eu-west-1.amazonaws.com closed the connection" in problem.message
    assert "still failing after" in problem.message and "\n" not in problem.message


def test_each_page_of_a_listing_is_retried_on_its_own(clients: Clients, clock: FakeClock) -> None:
    with Stubber(clients.client("sts")) as sts:  # API Gateway's pacer is per account
        sts.add_response("get_caller_identity",
                         {"Account": "111111111111", "Arn": "arn:aws:iam::111111111111:user/ci"})
        clients.identity()
    http = HttpStub(clients.client("apigatewayv2"), clock)
    http.ok(items=[{"apiId": "a1"}], nextToken="page2").error(503, "ServiceUnavailableException", "busy")
    http.ok(items=[{"apiId": "a2"}])
    items = Calls(clients, [GET_APIS]).items(GET_APIS, "Items")
    assert [item["ApiId"] for item in items] == ["a1", "a2"]
    assert len(http.sent) == 3  # the first page was not asked for again


def test_botocore_itself_never_retries(clients: Clients, s3: Stubber) -> None:
    fault(s3, 503, "SlowDown")
    with pytest.raises(ClientError):
        clients.client("s3").get_bucket_cors(Bucket="assets")
    assert clients.client("s3").meta.config.retries["total_max_attempts"] == 1
