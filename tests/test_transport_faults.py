"""An endpoint that drops connections, or answers something that is not AWS, gives each resource a
located one-line error, never an internal error (issue 7: a file's endpoint may be anything)."""
from __future__ import annotations

import functools
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from corsdeploy.cli import cli
from corsdeploy.providers.retry import Retry

_IDENTITY = (b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
             b'<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/ci</Arn><UserId>AIDEXAMPLE</UserId>'
             b'<Account>123456789012</Account></GetCallerIdentityResult>'
             b'<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>')
# What each fault sends to every request but STS's (None: close the connection unanswered).
FAULTS: dict[str, bytes | None] = {
    "dropped": None,
    "not xml": b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n<xml",
    "cut short": b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n<GetBucketCors",
    "html page": (b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 47\r\n\r\n"
                  b"<html><body>\n<h1>502 Bad Gateway</h1>\n</body>"),
}


class _Faulty(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if b"Action=GetCallerIdentity" in body:
            self.send_response(200)
            self.send_header("Content-Length", str(len(_IDENTITY)))
            self.end_headers()
            self.wfile.write(_IDENTITY)
            return
        fault = self.server.fault  # type: ignore[attr-defined]
        if fault is not None:
            self.wfile.write(fault)
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer

    def log_message(self, *_args: Any) -> None:
        """Quiet."""


@pytest.fixture(params=list(FAULTS))
def faulty_endpoint(request: pytest.FixtureRequest) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Faulty)
    server.fault = FAULTS[request.param]  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_each_resource_gets_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            faulty_endpoint: str) -> None:
    monkeypatch.chdir(tmp_path)
    # A fault that never clears is retried until the deadline: keep it short here.
    monkeypatch.setattr("corsdeploy.aws.Retry", functools.partial(Retry, deadline=0.5))
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "pr.yaml").write_text(
        f"aws:\n  region: eu-west-1\n  endpoint_url: {faulty_endpoint}\n"
        "s3_buckets:\n  assets:\n    cors: absent\n"
        "function_urls:\n  thumbnailer:\n    cors: absent\n"
        "http_apis:\n  orders:\n    cors: absent\n"
        "rest_apis:\n  legacy:\n    stage: prod\n    cors: absent\n")

    result = CliRunner().invoke(cli, ["plan", "--env", "pr"])

    assert result.exit_code == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert sorted(line.split(": ")[1] for line in lines) == [
        "function_url.thumbnailer", "http_api.orders", "rest_api.legacy", "s3_bucket.assets"], lines
    assert not any("internal error" in line or "Traceback" in line for line in lines), lines
