"""A moto server on loopback that behaves more like AWS for benchmarks.

- `--latency-ms N`: every request waits N ms before it is answered (a real AWS call takes tens of ms).
- `--quotas`: API Gateway's fixed control-plane quotas (facts §7.1), per operation and in total, for
  v1 and v2 together: CreateDeployment 1 per 5 s, GetResources 5 per 2 s, CreateResource and
  DeleteResource 5 per second each, 10 requests per second with a burst of 40 for every management
  call. A call over quota is answered 429 TooManyRequestsException and does not count. Operation
  windows are sliding windows over arrival times (stricter than a token bucket of the same rate).
- Counts what it serves by service and operation (operations named from botocore's service
  models), and the calls it throttled.

usage: python benchmarks/fake_aws.py PORT [--latency-ms N] [--quotas]

Control while it runs (plain HTTP on the same port):
  POST /__quotas?on=1|0   turn quota enforcement on or off
  GET  /__stats           {"calls": {"apigateway CreateDeployment": n, ...}, "throttled": {...}}
  POST /__stats/reset     zero the counters and forget every call the quotas counted
"""
from __future__ import annotations

import argparse
import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter, deque
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

import botocore.session
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

StartResponse = Callable[..., Any]
# Sliding windows: (calls, seconds) per operation, from facts §7.1.
WINDOWS = {"CreateDeployment": (1, 5.0), "GetResources": (5, 2.0), "CreateResource": (5, 1.0),
           "DeleteResource": (5, 1.0)}
TOTAL_PER_SECOND, TOTAL_BURST = 10.0, 40.0
_SCOPE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")


def operation_table(service: str) -> list[tuple[re.Pattern[str], str, str]]:
    """(path pattern, HTTP method, operation) from botocore's model; literal-richest patterns first."""
    model = botocore.session.get_session().get_service_model(service)
    table = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri = http["requestUri"].split("?")[0]
        pattern = re.sub(r"\{[^}]+\+\}", ".+", re.sub(r"\{[^}+]+\}", "[^/]+", uri.rstrip("/") or "/"))
        table.append((re.compile(f"^{pattern}/?$"), http["method"], name))
    return sorted(table, key=lambda row: -len(re.sub(r"\[\^/\]\+|\.\+", "", row[0].pattern)))


class Quotas:
    """API Gateway's quotas for one account and Region, applied to arriving calls."""

    def __init__(self) -> None:
        self.on = False
        self.reset()

    def reset(self) -> None:
        self._tokens, self._refilled = TOTAL_BURST, time.monotonic()
        self._accepted: dict[str, deque[float]] = {name: deque() for name in WINDOWS}

    def admit(self, operation: str) -> bool:
        """Whether a call arriving now is within quota (and count it if so)."""
        if not self.on:
            return True
        now = time.monotonic()
        self._tokens = min(TOTAL_BURST, self._tokens + (now - self._refilled) * TOTAL_PER_SECOND)
        self._refilled = now
        if self._tokens < 1.0:
            return False
        if operation in WINDOWS:
            calls, seconds = WINDOWS[operation]
            accepted = self._accepted[operation]
            while accepted and accepted[0] <= now - seconds:
                accepted.popleft()
            if len(accepted) >= calls:
                return False
            accepted.append(now)
        self._tokens -= 1.0
        return True


class FakeAws:
    """WSGI: control paths, then latency, quotas and counting in front of moto."""

    def __init__(self, latency: float, quotas: bool) -> None:
        self.latency = latency
        self.quotas = Quotas()
        self.quotas.on = quotas
        self.lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.throttled: Counter[str] = Counter()
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.tables = {name: operation_table(name) for name in ("apigateway", "apigatewayv2")}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path.startswith("/__"):
            return self._control(path, environ, start_response)
        service = self._service(environ)
        label = f"{service} {self._operation(service, method, path)}"
        if self.latency:
            time.sleep(self.latency)
        with self.lock:
            self.calls[label] += 1
            admitted = not service.startswith("apigateway") or self.quotas.admit(label.split(" ", 1)[1])
            if not admitted:
                self.throttled[label] += 1
        if not admitted:
            body = json.dumps({"message": "Too Many Requests"}).encode()
            start_response("429 Too Many Requests", [("Content-Type", "application/json"),
                                                     ("x-amzn-ErrorType", "TooManyRequestsException"),
                                                     ("Content-Length", str(len(body)))])
            return [body]
        return self.moto(environ, start_response)  # type: ignore[no-any-return]

    def _service(self, environ: dict[str, Any]) -> str:
        match = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        service = match.group(1) if match else "unsigned"
        if service == "apigateway" and environ.get("PATH_INFO", "").startswith("/v2/"):
            return "apigatewayv2"  # v1 and v2 sign as one service
        return service

    def _operation(self, service: str, method: str, path: str) -> str:
        for pattern, verb, name in self.tables.get(service, ()):
            if verb == method and pattern.match(path):
                return name
        return method

    def _control(self, path: str, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        with self.lock:
            if path == "/__quotas":
                self.quotas.on = parse_qs(environ.get("QUERY_STRING", "")).get("on", ["1"])[0] == "1"
                self.quotas.reset()
                payload: dict[str, Any] = {"on": self.quotas.on}
            elif path == "/__stats/reset":
                self.calls.clear()
                self.throttled.clear()
                self.quotas.reset()
                payload = {}
            else:
                payload = {"calls": dict(self.calls), "throttled": dict(self.throttled)}
        body = json.dumps(payload).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


def control(url: str, path: str, method: str = "GET") -> dict[str, Any]:
    """Call one of the control paths (or moto's own) of a running fake."""
    request = urllib.request.Request(f"{url}{path}", method=method)
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.loads(reply.read() or b"{}")  # type: ignore[no-any-return]


def start(latency_ms: float = 0.0, quotas: bool = False) -> tuple[subprocess.Popen[bytes], str]:
    """Run the fake in its own process on a free loopback port; returns it and its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    command = [sys.executable, __file__, str(port), "--latency-ms", str(latency_ms)]
    command += ["--quotas"] if quotas else []
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            control(url, "/__stats")
            return server, url
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the fake AWS server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--quotas", action="store_true", help="enforce API Gateway's quotas")
    args = parser.parse_args()
    app = FakeAws(args.latency_ms / 1000.0, args.quotas)
    server = make_server("127.0.0.1", args.port, app, threaded=True)
    print(f"fake AWS on 127.0.0.1:{args.port}, {args.latency_ms:.0f} ms per request, "
          f"API Gateway quotas {'on' if args.quotas else 'off'}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
