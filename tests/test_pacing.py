"""The API Gateway pacer on a fake clock: when each call may start, never a timed assertion."""
from __future__ import annotations

import itertools

import pytest

from corsdeploy.providers.pacing import (
    JITTER_RESERVE,
    TOTAL_BURST,
    Pacer,
    PacerRegistry,
    quota_name,
)
from tests.pacing_support import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def pacer(clock: FakeClock) -> Pacer:
    return Pacer(clock, clock.sleep)


def start(pacer: Pacer, clock: FakeClock, quota: str | None, latency: float = 0.0) -> float:
    """One call through the pacer: returns when it started; it answers `latency` seconds later."""
    ticket = pacer.acquire(quota)
    started = clock.now
    clock.now += latency
    ticket.release()
    return started


def test_deployments_are_five_seconds_apart_counted_from_each_answer(pacer: Pacer, clock: FakeClock) -> None:
    starts = [start(pacer, clock, "CreateDeployment", latency=0.3) for _ in range(4)]
    # AWS counts a call somewhere between its start and its answer: the next one waits 5 s after the answer.
    assert [round(b - a, 6) for a, b in itertools.pairwise(starts)] == [5.3, 5.3, 5.3]


def test_get_resources_five_at_once_then_one_per_freed_slot(pacer: Pacer, clock: FakeClock) -> None:
    first = clock.now
    starts = [start(pacer, clock, "GetResources") for _ in range(7)]
    assert starts[:5] == [first] * 5
    assert starts[5] == first + 2.0 and starts[6] == first + 2.0
    assert start(pacer, clock, "GetResources") == first + 2.0  # 5 per 2 s: the 8th fits too
    assert start(pacer, clock, "GetResources") == first + 2.0
    assert start(pacer, clock, "GetResources") == first + 2.0
    assert start(pacer, clock, "GetResources") == first + 4.0


def test_total_burst_less_a_jitter_reserve_then_ten_per_second(pacer: Pacer, clock: FakeClock) -> None:
    first = clock.now
    burst = TOTAL_BURST - JITTER_RESERVE
    starts = [start(pacer, clock, None) for _ in range(burst + 10)]
    assert starts[:burst] == [first] * burst
    assert [round(s - first, 6) for s in starts[burst:]] == [round(0.1 * n, 6) for n in range(1, 11)]


def test_operation_quotas_also_spend_the_total(pacer: Pacer, clock: FakeClock) -> None:
    first = clock.now
    for _ in range(5):
        start(pacer, clock, "GetResources")
    for _ in range(TOTAL_BURST - JITTER_RESERVE - 5):
        start(pacer, clock, "GetRestApi")
    assert clock.now == first  # the whole burst
    assert start(pacer, clock, "GetStage") == pytest.approx(first + 0.1)


def test_a_call_in_flight_holds_its_slot_until_it_answers(pacer: Pacer, clock: FakeClock) -> None:
    in_flight = pacer.acquire("CreateDeployment")
    clock.now += 30  # far beyond the window: still no answer
    clock.on_sleep.append(in_flight)  # it answers during the next wait
    answered = clock.now
    assert start(pacer, clock, "CreateDeployment") > answered + 5.0 - 1e-9


def test_other_operations_do_not_wait_for_a_deployment_window(pacer: Pacer, clock: FakeClock) -> None:
    start(pacer, clock, "CreateDeployment")
    first = clock.now
    assert start(pacer, clock, "GetResources") == first
    assert start(pacer, clock, "UpdateApi") == first


def test_a_throttle_empties_the_bucket(pacer: Pacer, clock: FakeClock) -> None:
    first = clock.now
    start(pacer, clock, None)
    pacer.throttled()
    assert start(pacer, clock, None) == pytest.approx(first + 0.1)


def test_releasing_twice_keeps_the_first_answer_time(pacer: Pacer, clock: FakeClock) -> None:
    ticket = pacer.acquire("CreateDeployment")
    ticket.release()
    released = clock.now
    clock.now += 3
    ticket.release()
    assert start(pacer, clock, "CreateDeployment") == released + 5.0


def test_operation_quotas_by_service() -> None:
    assert quota_name("apigateway", "CreateDeployment") == "CreateDeployment"
    assert quota_name("apigateway", "CreateResource") == quota_name("apigateway", "DeleteResource")
    assert quota_name("apigateway", "GetRestApis") is None
    # UNCONFIRMED whether v2 deployments share the quota: paced with it.
    assert quota_name("apigatewayv2", "CreateDeployment") == "CreateDeployment"


def test_one_pacer_per_account_and_region(clock: FakeClock) -> None:
    registry = PacerRegistry(clock, clock.sleep)
    assert registry.pacer("111111111111", "eu-west-1") is registry.pacer("111111111111", "eu-west-1")
    assert registry.pacer("111111111111", "eu-west-1") is not registry.pacer("111111111111", "us-east-1")
    assert registry.pacer("111111111111", "eu-west-1") is not registry.pacer("222222222222", "eu-west-1")
    assert PacerRegistry(paced=False).pacer("111111111111", "eu-west-1") is None
