"""API Gateway calls through the client factory and providers.calls: every attempt paced, 429 and
concurrent modification retried by corsdeploy's loop, other conflicts surfaced at once (facts §7.1,
§7.5).

moto has no API Gateway quotas and no transient conflicts, so AWS's answers come from HttpStub, an
HTTP layer that answers in API Gateway's wire form; the clock is fake, so nothing really waits.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from corsdeploy.aws import Clients
from corsdeploy.model import AwsSettings
from corsdeploy.providers.calls import Calls
from corsdeploy.providers.operations import Operation, Phase
from corsdeploy.providers.pacing import PacerRegistry
from corsdeploy.providers.retry import Retry
from tests.pacing_support import FakeClock, HttpStub

ACCOUNT = "111111111111"
TOO_MANY = (429, "TooManyRequestsException", "Too Many Requests")
CONCURRENT = (409, "ConflictException",
              "Unable to complete operation due to concurrent modification. Please try again later.")
DEPLOYMENT = {"restApiId": "api1", "stageName": "prod"}
CREATE_DEPLOYMENT = Operation("apigateway", "CreateDeployment", "apigateway:POST", "*", Phase.APPLY)
GET_REST_APIS = Operation("apigateway", "GetRestApis", "apigateway:GET", "*", Phase.PLAN)
PUT_METHOD_RESPONSE = Operation("apigateway", "PutMethodResponse", "apigateway:PUT", "*", Phase.APPLY)
CREATE_V2_DEPLOYMENT = Operation("apigatewayv2", "CreateDeployment", "apigateway:POST", "*", Phase.APPLY)
OPERATIONS = (CREATE_DEPLOYMENT, GET_REST_APIS, PUT_METHOD_RESPONSE, CREATE_V2_DEPLOYMENT)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def registry(clock: FakeClock) -> PacerRegistry:
    return PacerRegistry(clock, clock.sleep)


@contextmanager
def clients_in(registry: PacerRegistry) -> Iterator[Clients]:
    """A Clients whose STS says ACCOUNT once (the pacer is looked up once per client), retrying on
    the registry's fake clock."""
    retry = Retry(clock=registry.clock, sleep=registry.sleep, random=lambda: 0.5)
    clients = Clients(AwsSettings(region="eu-west-1"), pacers=registry, retry=retry)
    with Stubber(clients.client("sts")) as sts:
        caller = {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/ci"}
        sts.add_response("get_caller_identity", caller)
        yield clients
        sts.assert_no_pending_responses()


@pytest.fixture
def clients(registry: PacerRegistry) -> Iterator[Clients]:
    with clients_in(registry) as made:
        yield made


@pytest.fixture
def rest(clients: Clients, clock: FakeClock) -> HttpStub:
    return HttpStub(clients.client("apigateway"), clock)


@pytest.fixture
def calls(clients: Clients) -> Calls:
    return Calls(clients, OPERATIONS)


def test_throttled_calls_are_retried_past_botocores_five_retries(calls: Calls, rest: HttpStub) -> None:
    rest.error(*TOO_MANY, times=8).ok(201, id="dep1")
    assert calls.call(CREATE_DEPLOYMENT, **DEPLOYMENT)["id"] == "dep1"
    assert len(rest.sent) == 9


def test_one_attempt_per_call_without_the_loop(clients: Clients, rest: HttpStub) -> None:
    """botocore's own retries are off: the loop is the one retry mechanism (no double retrying)."""
    rest.error(*TOO_MANY)
    with pytest.raises(ClientError, match="TooManyRequestsException"):
        clients.client("apigateway").get_rest_apis()
    assert len(rest.sent) == 1


def test_throttled_calls_give_up_at_the_deadline(calls: Calls, rest: HttpStub, clock: FakeClock) -> None:
    rest.error(*TOO_MANY, times=1000)
    with pytest.raises(ClientError, match="TooManyRequestsException"):
        calls.call(GET_REST_APIS)
    assert clock.now - rest.sent[0][1] <= Retry().deadline
    assert 20 < len(rest.sent) < 1000


def test_many_throttled_calls_never_exhaust_a_retry_quota(calls: Calls, rest: HttpStub) -> None:
    """botocore's standard mode allows one client 100 retries in all (500 tokens, 5 per retry)."""
    for _ in range(60):
        rest.error(*TOO_MANY, times=3).ok(items=[])
    for _ in range(60):
        calls.call(GET_REST_APIS)
    assert len(rest.sent) == 240


def test_concurrent_modification_is_retried(calls: Calls, rest: HttpStub) -> None:
    rest.error(*CONCURRENT, times=2).ok(201, statusCode="200")
    reply = calls.call(PUT_METHOD_RESPONSE, restApiId="api1", resourceId="r1", httpMethod="OPTIONS",
                       statusCode="200")
    assert reply["statusCode"] == "200"
    assert len(rest.sent) == 3


def test_an_existing_method_response_is_a_conflict_that_surfaces_at_once(calls: Calls, rest: HttpStub,
                                                                        clock: FakeClock) -> None:
    # What AWS answers PutMethodResponse on an existing response: the REST write path falls back to
    # UpdateMethodResponse on it, so it must not be retried or delayed.
    rest.error(409, "ConflictException", "Response already exists for this resource")
    with pytest.raises(ClientError, match="ConflictException") as raised:
        calls.call(PUT_METHOD_RESPONSE, restApiId="api1", resourceId="r1", httpMethod="GET", statusCode="200")
    assert raised.value.response["Error"]["Message"] == "Response already exists for this resource"
    assert len(rest.sent) == 1 and clock.slept == []


def test_transient_failures_are_retried(calls: Calls, rest: HttpStub) -> None:
    rest.error(503, "ServiceUnavailableException", "Service Unavailable", times=7).ok(items=[])
    calls.call(GET_REST_APIS)
    assert len(rest.sent) == 8


def test_every_attempt_is_paced_so_a_retried_deployment_waits_for_its_window(
        calls: Calls, rest: HttpStub, clock: FakeClock) -> None:
    rest.error(*TOO_MANY).ok(201, id="dep1")
    calls.call(CREATE_DEPLOYMENT, **DEPLOYMENT)
    (_, first), (_, second) = rest.sent
    assert second >= first + 0.1 + 5.0  # its answer (0.1 s later), then the 5 s window


def test_a_throttled_answer_empties_the_pacers_bucket(calls: Calls, rest: HttpStub, clock: FakeClock) -> None:
    rest.error(*TOO_MANY).ok(items=[])
    calls.call(GET_REST_APIS)
    (_, first), (_, second) = rest.sent
    # Another caller is using the quota: the retry waits for a token to refill (0.1 s at 10/s).
    assert second >= first + 0.1 + 0.1


def test_one_pacing_for_rest_and_http_apis_of_every_clients_in_the_account(
        registry: PacerRegistry, clock: FakeClock) -> None:
    # Two environments (two Clients) in one account and Region, e.g. `plan --all`.
    with clients_in(registry) as first_env, clients_in(registry) as second_env:
        rest = HttpStub(first_env.client("apigateway"), clock).ok(201, id="dep1")
        http = HttpStub(second_env.client("apigatewayv2"), clock).ok(201, DeploymentId="dep2")
        first_env.client("apigateway").create_deployment(**DEPLOYMENT)
        second_env.client("apigatewayv2").create_deployment(ApiId="http1", StageName="prod")
        assert http.sent[0][1] >= rest.sent[0][1] + 0.1 + 5.0


def test_another_region_is_paced_apart(registry: PacerRegistry, clock: FakeClock) -> None:
    with clients_in(registry) as clients:
        here = HttpStub(clients.client("apigateway"), clock).ok(201, id="dep1")
        there = HttpStub(clients.client("apigateway", "us-east-1"), clock).ok(201, id="dep2")
        clients.client("apigateway").create_deployment(**DEPLOYMENT)
        clients.client("apigateway", "us-east-1").create_deployment(**DEPLOYMENT)
        assert there.sent[0][1] == here.sent[0][1] + 0.1  # no wait: its own quota


def test_without_pacing_retries_still_apply(clock: FakeClock) -> None:
    with clients_in(PacerRegistry(clock, clock.sleep, paced=False)) as clients:
        rest = HttpStub(clients.client("apigateway"), clock).error(*TOO_MANY, times=2).ok(items=[])
        Calls(clients, OPERATIONS).call(GET_REST_APIS)
        assert len(rest.sent) == 3
