"""The probe's HTTP: only to allowed addresses, a hard deadline, a capped read, no redirects followed."""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from corsdeploy.probe.endpoints import Endpoint
from corsdeploy.probe.requests import ProbeRequest, Purpose
from corsdeploy.probe.send import SendError, send
from corsdeploy.simulate.request import BrowserRequest
from tests.probe.loopback import Answer, Received, loopback

PREFLIGHT = ProbeRequest(BrowserRequest("https://app.example.com", "PUT", ("content-type",)), Purpose.ALLOWED,
                         url_path="items/corsdeploy-probe")


def test_a_request_under_an_override_names_the_aws_host_and_goes_to_the_override() -> None:
    with loopback(lambda r: Answer(204, [("Access-Control-Allow-Origin", "https://app.example.com"),
                                         ("X-Other", "1")])) as server:
        endpoint = Endpoint("https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/", server.url)
        reply = send(endpoint, PREFLIGHT, server.url, timeout=5)
    assert reply.status == 204
    assert ("Access-Control-Allow-Origin", "https://app.example.com") in reply.headers
    (received,) = server.received
    assert (received.method, received.path) == ("OPTIONS", "/prod/items/corsdeploy-probe")
    assert received.headers["Host"] == "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"
    assert received.headers["Origin"] == "https://app.example.com"
    assert received.headers["Access-Control-Request-Method"] == "PUT"
    assert received.headers["Access-Control-Request-Headers"] == "content-type"
    # Anonymous: a probe never carries credentials or cookies.
    assert not {"Authorization", "Cookie", "X-Amz-Security-Token"} & set(received.headers)


@pytest.fixture
def listener() -> Iterator[tuple[str, list[socket.socket]]]:
    """A bare listening socket that records every connection made to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.settimeout(0.2)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                accepted.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", accepted
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    sock.close()


def test_an_address_outside_the_rule_is_never_connected_to(listener: tuple[str, list[socket.socket]]) -> None:
    url, accepted = listener
    # On AWS (no override), a loopback address a live read might have returned.
    with pytest.raises(SendError, match=r"not sent: .* is not an AWS endpoint"):
        send(Endpoint(url + "/"), PREFLIGHT, None, timeout=1)
    # Under an override, any other endpoint, and any `via` that is not the override.
    with pytest.raises(SendError, match=r"not sent: .* is not the endpoint override"):
        send(Endpoint(url + "/"), PREFLIGHT, "http://127.0.0.1:1", timeout=1)
    with pytest.raises(SendError, match="not sent"):
        send(Endpoint("http://127.0.0.1:1/", via=url), PREFLIGHT, "http://127.0.0.1:1", timeout=1)
    time.sleep(0.3)
    assert accepted == []


def test_a_server_that_never_answers_is_given_up_on_at_the_deadline(
        listener: tuple[str, list[socket.socket]]) -> None:
    url, accepted = listener
    started = time.monotonic()
    with pytest.raises(SendError, match=r"no answer within 0\.5s"):
        send(Endpoint(url + "/"), PREFLIGHT, url, timeout=0.5)
    assert time.monotonic() - started < 3
    assert len(accepted) == 1


def test_a_server_that_trickles_its_answer_is_cut_at_the_deadline() -> None:
    """Each byte arrives within the socket timeout; the whole answer does not within the deadline."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"

    def trickle() -> None:
        connection = sock.accept()[0]
        try:
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100:
                connection.sendall(bytes([byte]))
                time.sleep(0.1)
        except OSError:
            pass
        finally:
            connection.close()

    threading.Thread(target=trickle, daemon=True).start()
    started = time.monotonic()
    with pytest.raises(SendError, match="no answer within 1s"):
        send(Endpoint(url + "/"), PREFLIGHT, url, timeout=1)
    assert time.monotonic() - started < 3
    sock.close()


def test_redirects_are_not_followed_and_large_bodies_are_read_only_in_part() -> None:
    def answer(received: Received) -> Answer:
        return Answer(301, [("Location", "https://evil.example/")], b"x" * (8 * 1024 * 1024))

    with loopback(answer) as server:
        started = time.monotonic()
        reply = send(Endpoint(server.url + "/"), PREFLIGHT, server.url, timeout=5)
    assert reply.status == 301
    assert len(server.received) == 1
    assert time.monotonic() - started < 3


def test_a_header_value_with_a_line_break_is_refused_before_sending() -> None:
    hostile = ProbeRequest(BrowserRequest("https://a.example\r\nX-Injected: 1", "GET"), Purpose.ALLOWED)
    with loopback(lambda r: Answer(200)) as server, pytest.raises(SendError):
        send(Endpoint(server.url + "/"), hostile, server.url, timeout=5)
    assert server.received == []


def test_nothing_listening_is_an_error_not_a_crash() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with pytest.raises(SendError, match="connection refused"):
        send(Endpoint(url + "/"), PREFLIGHT, url, timeout=2)
