"""A local HTTP endpoint that records every request it receives, and a resolver that records every
name it is asked for: together they prove that a refused endpoint was never contacted nor looked up."""
from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

# Answered to every request, so botocore stops at once (AccessDenied is not retried).
_DENIED = (b'<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>'
           b'<Message>recorded</Message></Error></ErrorResponse>')


@dataclass
class Recorded:
    """What one request carried: method, path, the signed headers' names and the body."""

    method: str
    path: str
    headers: dict[str, str]
    body: str


class _Recorder(BaseHTTPRequestHandler):
    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        server: RecordingServer = self.server  # type: ignore[assignment]
        server.requests.append(Recorded(self.command, self.path, dict(self.headers), body))
        self.send_response(403)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(_DENIED)))
        self.end_headers()
        self.wfile.write(_DENIED)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _record

    def log_message(self, *_args: Any) -> None:
        """Quiet."""


class RecordingServer(ThreadingHTTPServer):
    """Listens on 127.0.0.1 on a free port; `requests` lists what arrived."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Recorder)
        self.requests: list[Recorded] = []
        self.port = int(self.server_address[1])
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


@dataclass
class Resolver:
    """socket.getaddrinfo that answers `names` with 127.0.0.1 (our server) and records every lookup."""

    names: frozenset[str]
    asked: list[str] = field(default_factory=list)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real = socket.getaddrinfo

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            self.asked.append(str(host))
            return real("127.0.0.1" if host in self.names else host, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def recording_server() -> Iterator[RecordingServer]:
    server = RecordingServer()
    yield server
    server.stop()
