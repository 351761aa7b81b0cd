"""The only HTTP a probe does: one request, standard library only, checked against the address rule
before any connection, with a hard deadline and a capped read. Never follows a redirect, never
sends credentials or cookies."""
from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from corsdeploy import __version__
from corsdeploy.probe.endpoints import Endpoint, host_header, refusal
from corsdeploy.probe.requests import ProbeRequest

# Seconds a request may take, connection included, unless the caller says otherwise.
DEFAULT_TIMEOUT = 10.0
# Bytes of a response body read before the connection is closed (only status and headers matter).
MAX_BODY_BYTES = 64 * 1024
USER_AGENT = f"corsdeploy-probe/{__version__}"


@dataclass(frozen=True)
class Reply:
    """What the endpoint answered: the status and every header, in the order received."""

    status: int
    headers: tuple[tuple[str, str], ...]


class SendError(Exception):
    """No answer: refused by the address rule, or the connection failed or timed out (one line)."""


def request_url(endpoint: Endpoint, request: ProbeRequest) -> str:
    """The URL a request names (what the report shows)."""
    return endpoint.url + quote(request.url_path, safe="/-._~!$&'()*+,;=:@")


def send(endpoint: Endpoint, request: ProbeRequest, override: str | None,
         timeout: float = DEFAULT_TIMEOUT) -> Reply:
    """Send `request` to `endpoint`; SendError when it may not go there or no answer came in time."""
    why = refusal(endpoint.connects_to, override)
    if why is not None:
        raise SendError(f"not sent: {why}")
    url = request_url(endpoint, request)
    target = urlsplit(endpoint.connects_to)
    connection = _connection(target.scheme, target.hostname or "", target.port, timeout)
    headers = {"Host": host_header(url), "User-Agent": USER_AGENT, "Accept": "*/*", "Connection": "close",
               **request.http_headers()}
    watchdog = _Deadline(connection, timeout)
    try:
        connection.request(request.http_method, urlsplit(url).path or "/", headers=headers)
        response = connection.getresponse()
        response.read(MAX_BODY_BYTES)
        return Reply(response.status, tuple(response.getheaders()))
    except (OSError, http.client.HTTPException, ValueError) as error:
        # The socket's own timeout (the same value) may fire just before the watchdog does.
        if watchdog.expired or isinstance(error, TimeoutError):
            raise SendError(f"no answer within {timeout:g}s") from error
        raise SendError(_describe(error)) from error
    finally:
        watchdog.cancel()
        connection.close()


def _connection(scheme: str, host: str, port: int | None, timeout: float) -> http.client.HTTPConnection:
    if scheme == "https":
        return http.client.HTTPSConnection(host, port, timeout=timeout, context=ssl.create_default_context())
    return http.client.HTTPConnection(host, port, timeout=timeout)


class _Deadline:
    """Ends a request that outlives `timeout` in total (a socket timeout alone bounds each read, not
    a server that trickles its answer), by shutting its socket down."""

    def __init__(self, connection: http.client.HTTPConnection, timeout: float) -> None:
        self.expired = False
        self._connection = connection
        self._timer = threading.Timer(timeout, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        self.expired = True
        sock = self._connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _describe(error: Exception) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ssl.SSLError):
        return f"TLS failed: {error.reason or error}"
    return f"{type(error).__name__}: {error}"
