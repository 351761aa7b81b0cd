"""A moto server on loopback that behaves more like AWS for benchmarks.

- `--latency-ms N`: every request waits N ms before it is answered (a real AWS call takes tens of ms).
- `--quotas`: API Gateway's fixed control-plane quotas (facts §7.1), per operation and in total, for
  v1 and v2 together: CreateDeployment 1 per 5 s, GetResources 5 per 2 s, CreateResource and
  DeleteResource 5 per second each, 10 requests per second with a burst of 40 for every management
  call. A call over quota is answered 429 TooManyRequestsException and does not count. Operation
  windows are sliding windows over arrival times (stricter than a token bucket of the same rate).
- `--fault-rate F --seed S`: a fraction F of the calls to S3, API Gateway and Lambda fail the way
  AWS fails under load: S3 answers 503 SlowDown or 500 InternalError (XML), API Gateway and Lambda
  429 TooManyRequestsException (JSON), and some connections are dropped before any answer. Which
  call fails is a hash of the seed, the request and how many times that request was seen, not of
  arrival order, so a run with threads is repeatable. (STS, the account check, is left alone.)
- Permanent failures on one bucket: every call to it (or every write) answered 403 AccessDenied, or the bucket
  deleted from moto when the first call of a given operation (PutBucketCors) reaches it.
- Counts what it serves by service and operation (operations named from botocore's service
  models), the calls it throttled and the faults it injected.

usage: python benchmarks/fake_aws.py PORT [--latency-ms N] [--quotas] [--fault-rate F] [--seed S]

Control while it runs (plain HTTP on the same port):
  POST /__quotas?on=1|0   turn quota enforcement on or off
  POST /__latency?ms=N                        change the latency (0 to seed quickly)
  POST /__faults?rate=F[&seed=S]             change the transient fault rate (0: none)
  POST /__deny?bucket=NAME[&on=OPERATION]     every call to the bucket (or only OPERATION's,
                                              PutBucketCors: a missing write permission) 403
  POST /__delete?bucket=NAME[&on=OPERATION]   delete the bucket when OPERATION (default
                                              PutBucketCors) first reaches it
  POST /__clear                               forget the denied and to-be-deleted buckets
  GET  /__stats           {"calls": {"apigateway CreateDeployment": n, ...}, "throttled": {...},
                           "faults": {"s3 PutBucketCors SlowDown": n, ...}}
  POST /__stats/reset     zero the counters and forget every call the quotas counted
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
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
from urllib.parse import parse_qs, unquote

import botocore.session
from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.s3.models import s3_backends
from werkzeug.serving import WSGIRequestHandler, make_server

StartResponse = Callable[..., Any]
# Sliding windows: (calls, seconds) per operation, from facts §7.1.
WINDOWS = {"CreateDeployment": (1, 5.0), "GetResources": (5, 2.0), "CreateResource": (5, 1.0),
           "DeleteResource": (5, 1.0)}
TOTAL_PER_SECOND, TOTAL_BURST = 10.0, 40.0
_SCOPE = re.compile(r"Credential=[^/]+/[^/]+/([^/]+)/([^/]+)/aws4_request")
FAULTY_SERVICES = ("s3", "apigateway", "apigatewayv2", "lambda")
# (status, body) per transient fault; bodies as the services send them.
S3_FAULTS = {
    "SlowDown": ("503 Slow Down", b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
                 b"<Message>Please reduce your request rate.</Message><RequestId>FAKE</RequestId></Error>"),
    "InternalError": ("500 Internal Server Error", b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>"
                      b"<Code>InternalError</Code><Message>We encountered an internal error. Please try "
                      b"again.</Message><RequestId>FAKE</RequestId></Error>"),
}
ACCESS_DENIED = (b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>"
                 b"<Message>Access Denied</Message><RequestId>FAKE</RequestId></Error>")
DROPPED = "DroppedConnection"
Operation = tuple[re.Pattern[str], frozenset[str], str, str]


def operation_table(service: str) -> list[Operation]:
    """(path pattern, query keys it needs, HTTP method, operation) from botocore's model; the most
    specific first (S3 tells GetBucketCors from ListObjects by the query: `/{Bucket}?cors`)."""
    model = botocore.session.get_session().get_service_model(service)
    table = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri, _, query = http["requestUri"].partition("?")
        keys = frozenset(part.split("=")[0] for part in query.split("&") if part)
        pattern = re.sub(r"\{[^}]+\+\}", ".+", re.sub(r"\{[^}+]+\}", "[^/]+", uri.rstrip("/") or "/"))
        table.append((re.compile(f"^{pattern}/?$"), keys, http["method"], name))
    return sorted(table, key=lambda row: (-len(row[1]), -len(re.sub(r"\[\^/\]\+|\.\+", "", row[0].pattern))))


class Faults:
    """Transient faults at a seeded rate, and the buckets that fail for good."""

    def __init__(self, rate: float, seed: int) -> None:
        self.rate, self.seed = rate, seed
        self.seen: Counter[str] = Counter()
        self.denied: dict[str, str] = {}  # bucket -> the operation denied ("*": every one)
        self.deleting: dict[str, str] = {}  # bucket -> the operation that deletes it

    def transient(self, service: str, request: str) -> str | None:
        """The fault for this request (None: answer it), from a hash of the seed, the request and how
        often it was seen: the same run draws the same faults whatever order threads arrive in."""
        if not self.rate or service not in FAULTY_SERVICES:
            return None
        self.seen[request] += 1
        key = f"{self.seed}|{request}|{self.seen[request]}".encode()
        digest = hashlib.blake2b(key, digest_size=8).digest()
        draw, kind = int.from_bytes(digest[:6]) / 2**48, digest[6] % 4
        if draw >= self.rate:
            return None
        if kind == 0:
            return DROPPED
        if service == "s3":
            return "SlowDown" if kind < 3 else "InternalError"
        return "TooManyRequestsException"


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

    def __init__(self, latency: float, quotas: bool, fault_rate: float = 0.0, seed: int = 0) -> None:
        self.latency = latency
        self.quotas = Quotas()
        self.quotas.on = quotas
        self.faults = Faults(fault_rate, seed)
        self.lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.throttled: Counter[str] = Counter()
        self.injected: Counter[str] = Counter()
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.apps: dict[tuple[str, str, str], Any] = {}
        self.tables = {name: operation_table(name) for name in ("apigateway", "apigatewayv2", "s3", "lambda")}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path.startswith("/__"):
            return self._control(path, environ, start_response)
        region, service = self._scope(environ)
        query = environ.get("QUERY_STRING", "")
        operation = self._operation(service, method, path, query)
        label = f"{service} {operation}"
        if self.latency:
            time.sleep(self.latency)
        bucket = _bucket(environ) if service == "s3" else None
        with self.lock:
            self.calls[label] += 1
            fault = self.faults.transient(service, f"{method} {path}?{query}")
            if fault:
                self.injected[f"{label} {fault}"] += 1
            elif bucket and self.faults.denied.get(bucket) in ("*", operation):
                fault = "AccessDenied"
                self.injected[f"{label} {fault}"] += 1
            elif bucket and self.faults.deleting.get(bucket) == operation:
                del self.faults.deleting[bucket]
                s3_backends[DEFAULT_ACCOUNT_ID]["global"].delete_bucket(bucket)
            paced = fault is None and service.startswith("apigateway")
            admitted = not paced or self.quotas.admit(operation)
            if not admitted:
                self.throttled[label] += 1
        if fault:
            return _fault(fault, environ, start_response)
        if not admitted:
            body = json.dumps({"message": "Too Many Requests"}).encode()
            start_response("429 Too Many Requests", [("Content-Type", "application/json"),
                                                     ("x-amzn-ErrorType", "TooManyRequestsException"),
                                                     ("Content-Length", str(len(body)))])
            return [body]
        return self._moto_app(region, service, environ)(environ, start_response)  # type: ignore[no-any-return]

    def _moto_app(self, region: str | None, service: str, environ: dict[str, Any]) -> Any:
        """moto's application for the request, found once per region, service and host: moto looks for
        it on every request by listing its own package folder under a global lock (1.5 ms of the
        3 ms it spends on a GetBucketCors), which no AWS endpoint costs its caller."""
        if region is None:  # unsigned: moto's control API
            return self.moto.get_application(environ)
        key = (region, service, environ.get("HTTP_HOST", ""))
        app = self.apps.get(key)
        if app is None:
            app = self.apps[key] = self.moto.get_application(environ)
        return app

    def _scope(self, environ: dict[str, Any]) -> tuple[str | None, str]:
        """The region and service the request was signed for (None and "unsigned" when it was not)."""
        match = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        if match is None:
            return None, "unsigned"
        region, service = match.group(1), match.group(2)
        if service == "apigateway" and environ.get("PATH_INFO", "").startswith("/v2/"):
            return region, "apigatewayv2"  # v1 and v2 sign as one service
        return region, service

    def _operation(self, service: str, method: str, path: str, query: str) -> str:
        keys = set(parse_qs(query, keep_blank_values=True))
        for pattern, needed, verb, name in self.tables.get(service, ()):
            if verb == method and needed <= keys and pattern.match(path):
                return name
        return method

    def _control(self, path: str, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        query = {key: values[0] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
        with self.lock:
            payload: dict[str, Any] = {}
            if path == "/__quotas":
                self.quotas.on = query.get("on", "1") == "1"
                self.quotas.reset()
                payload = {"on": self.quotas.on}
            elif path == "/__latency":
                self.latency = float(query.get("ms", "0")) / 1000.0
                payload = {"ms": self.latency * 1000.0}
            elif path == "/__faults":
                self.faults.rate = float(query.get("rate", "0"))
                self.faults.seed = int(query.get("seed", self.faults.seed))
                self.faults.seen.clear()
                payload = {"rate": self.faults.rate, "seed": self.faults.seed}
            elif path == "/__deny":
                self.faults.denied[query["bucket"]] = query.get("on", "*")
            elif path == "/__delete":
                self.faults.deleting[query["bucket"]] = query.get("on", "PutBucketCors")
            elif path == "/__clear":
                self.faults.denied.clear()
                self.faults.deleting.clear()
            elif path == "/__stats/reset":
                self.calls.clear()
                self.throttled.clear()
                self.injected.clear()
                self.quotas.reset()
            else:
                payload = {"calls": dict(self.calls), "throttled": dict(self.throttled),
                           "faults": dict(self.injected)}
        body = json.dumps(payload).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


def _bucket(environ: dict[str, Any]) -> str | None:
    """The bucket an S3 request names: path style (`/bucket/...`, as at a loopback endpoint) or
    virtual-hosted (`bucket.s3...`)."""
    host = environ.get("HTTP_HOST", "").split(":")[0]
    if ".s3." in f".{host}" and not host.startswith("s3."):
        return host.split(".s3.", 1)[0]
    first = unquote(environ.get("PATH_INFO", "")).lstrip("/").split("/", 1)[0]
    return first or None


def _fault(fault: str, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    """Answer with the fault, or for a dropped connection close the socket before any answer."""
    if fault == DROPPED:
        start_response("500 Internal Server Error", [("Content-Length", "0")])
        environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)  # the headers' write then fails: no reply
        return [b""]
    if fault == "AccessDenied":
        status, body, headers = "403 Forbidden", ACCESS_DENIED, [("Content-Type", "application/xml")]
    elif fault in S3_FAULTS:
        (status, body), headers = S3_FAULTS[fault], [("Content-Type", "application/xml")]
    else:
        status, body = "429 Too Many Requests", json.dumps({"message": "Too Many Requests"}).encode()
        headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", "TooManyRequestsException")]
    start_response(status, [*headers, ("Content-Length", str(len(body)))])
    return [body]


class KeepAliveHandler(WSGIRequestHandler):
    """Werkzeug's handler, but keeping the connection open between requests as AWS's endpoints do.

    Werkzeug's development server closes every connection after one answer, so each call would pay
    a TCP connect and a new server thread: an artefact no AWS endpoint has, which slows the sequential
    loop and corsdeploy alike and shifts CPU to the fake. Safe here because the request body is read
    whole before the application runs and every answer carries its Content-Length.
    """

    # Headers and body go out in two writes; with Nagle's algorithm the second waits for the client's
    # delayed ACK (40 ms on Linux) on a connection that stays open.
    disable_nagle_algorithm = True

    def run_wsgi(self) -> None:
        environ = self.make_environ()
        if environ.get("wsgi.input_terminated"):
            body = environ["wsgi.input"].read()
        else:
            body = self.rfile.read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            started[:] = [status, headers]
            return lambda data: None

        chunks = self.server.app(environ, start_response)
        try:
            payload = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        status, headers = started
        code, _, reason = status.partition(" ")
        try:
            self.send_response(int(code), reason)
            for key, value in headers:
                if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
        except OSError:  # a dropped-connection fault shut the socket: nothing more is sent
            self.close_connection = True

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """Quiet: a benchmark sends tens of thousands of requests."""


def control(url: str, path: str, method: str = "GET") -> dict[str, Any]:
    """Call one of the control paths (or moto's own) of a running fake."""
    request = urllib.request.Request(f"{url}{path}", method=method)
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.loads(reply.read() or b"{}")  # type: ignore[no-any-return]


def start(latency_ms: float = 0.0, quotas: bool = False, fault_rate: float = 0.0,
          seed: int = 0) -> tuple[subprocess.Popen[bytes], str]:
    """Run the fake in its own process on a free loopback port; returns it and its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    command = [sys.executable, __file__, str(port), "--latency-ms", str(latency_ms),
               "--fault-rate", str(fault_rate), "--seed", str(seed)]
    command += ["--quotas"] if quotas else []
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            control(url, "/__stats")
            break
        except OSError:
            time.sleep(0.1)
    else:
        server.kill()
        raise SystemExit("the fake AWS server did not start")
    _warm_up(url)
    return server, url


def _warm_up(url: str) -> None:
    """One call of each S3 operation the benchmarks time, then a clean moto. moto prepares each
    operation on its first call (about 50 ms), and 64 first calls at once each pay it under the GIL:
    4 s of a 100-bucket apply went to the first GetBucketTagging calls."""
    import boto3  # here: the server process itself never needs it

    latency = control(url, "/__latency?ms=0", "POST")["ms"]
    s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                      aws_secret_access_key="testing")
    s3.create_bucket(Bucket="fake-aws-warm-up")
    for call in (lambda: s3.get_bucket_cors(Bucket="fake-aws-warm-up"),
                 lambda: s3.get_bucket_tagging(Bucket="fake-aws-warm-up"),
                 lambda: s3.put_bucket_cors(Bucket="fake-aws-warm-up", CORSConfiguration={
                     "CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]}),
                 lambda: s3.get_bucket_cors(Bucket="fake-aws-warm-up"),
                 lambda: s3.delete_bucket_cors(Bucket="fake-aws-warm-up")):
        with contextlib.suppress(s3.exceptions.ClientError):  # no CORS or tags yet: answers warm it too
            call()
    control(url, "/moto-api/reset", "POST")
    control(url, "/__stats/reset", "POST")
    control(url, f"/__latency?ms={latency}", "POST")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--quotas", action="store_true", help="enforce API Gateway's quotas")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="fraction of calls that fail (0-1)")
    parser.add_argument("--seed", type=int, default=0, help="which calls fail, for repeatable runs")
    args = parser.parse_args()
    app = FakeAws(args.latency_ms / 1000.0, args.quotas, args.fault_rate, args.seed)
    server = make_server("127.0.0.1", args.port, app, threaded=True, request_handler=KeepAliveHandler)
    print(f"fake AWS on 127.0.0.1:{args.port}, {args.latency_ms:.0f} ms per request, "
          f"API Gateway quotas {'on' if args.quotas else 'off'}, fault rate {args.fault_rate}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
