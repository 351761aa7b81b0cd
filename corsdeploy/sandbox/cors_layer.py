"""The sandbox answers browsers the way S3 does, not the way moto does (design note 6).

moto's S3 CORS is not S3's: it refuses a preflight as soon as one rule's origins differ (even when
a later rule would match), ignores the method and the requested headers, and matches origin
patterns as unanchored prefixes. This WSGI layer sits in front of moto's dispatcher in the sandbox's
emulator. For S3 requests carrying an Origin it answers preflights itself and replaces the CORS
headers of actual responses, both from `corsdeploy.simulate.s3.evaluate` over the bucket's stored
CORS, read from moto's in-process backend. Everything else passes through to moto untouched.

Facts §1.3-1.4: a failed preflight is 403 AccessForbidden with S3's XML body, OPTIONS without an
Origin is 400, an actual request is never refused for CORS reasons (it gets no CORS headers instead).
"""
from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from moto.s3.models import s3_backends
from moto.s3.responses import S3Response
from moto.s3.utils import bucket_name_from_url
from werkzeug.wrappers import Request

from corsdeploy.model import CorsConfig
from corsdeploy.probe.endpoints import API_HOSTS
from corsdeploy.sandbox import NOT_SERVED, NOT_SERVED_HEADER
from corsdeploy.shapes import rules_from_s3
from corsdeploy.simulate import s3 as s3_semantics
from corsdeploy.simulate.request import BrowserRequest

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]

# S3's answer to a preflight for a bucket that does not exist (facts §1.3; the others are the simulator's).
NO_BUCKET = "CORSResponse: Bucket not found"


class Dispatcher(Protocol):
    """moto's DomainDispatcherApplication, as far as this layer uses it."""

    def get_application(self, environ: Environ) -> Any: ...


@dataclass(frozen=True)
class Target:
    """The bucket (and object key, if any) an S3 request addresses."""

    bucket: str
    key: str


class S3CorsLayer:
    """WSGI: S3 requests with an Origin are answered for CORS by the simulator, the rest by moto."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if is_api_invoke_host(environ):
            return _not_served(start_response)
        app: WsgiApp = self.dispatcher.get_application(environ)
        if getattr(app, "service", None) != "s3":
            return app(environ, start_response)
        target = s3_target(environ)
        origin = environ.get("HTTP_ORIGIN")
        if target is None:
            return app(environ, _replacing_cors_headers(start_response, {}))
        if environ.get("REQUEST_METHOD") == "OPTIONS":
            return _preflight(origin, target, environ, start_response)
        headers = {} if origin is None else _actual_headers(origin, target, environ)
        return app(environ, _replacing_cors_headers(start_response, headers))


def is_api_invoke_host(environ: Environ) -> bool:
    """Whether a request names an API's or a function URL's invoke host (`probe` sends those to the
    sandbox with the AWS host name in the Host header)."""
    host = urlsplit(f"//{environ.get('HTTP_HOST', '')}").hostname or ""
    return any(pattern.fullmatch(host) for pattern in API_HOSTS)


def _not_served(start_response: StartResponse) -> Iterable[bytes]:
    body = (b"The corsdeploy sandbox serves S3 only: moto has no API Gateway or Lambda function URL "
            b"data plane. `corsdeploy check` predicts what AWS answers.\n")
    start_response("501 Not Implemented", [(NOT_SERVED_HEADER, NOT_SERVED), ("Content-Type", "text/plain"),
                                           ("Content-Length", str(len(body)))])
    return [body]


def s3_target(environ: Environ) -> Target | None:
    """The bucket and key, virtual-hosted (`BUCKET.localhost:PORT/KEY`) when moto reads the bucket
    from the host name, else path-style (`/BUCKET/KEY`); None for the service itself (`/`)."""
    request = Request(environ)
    path = request.path.lstrip("/")
    if S3Response.subdomain_based_buckets(request):
        bucket = bucket_name_from_url(request.url)
        if bucket:
            return Target(bucket, path)
    bucket, _, key = path.partition("/")
    return Target(bucket, key) if bucket else None


def stored_cors(bucket: str) -> CorsConfig | None:
    """The bucket's CORS as moto stores it, straight from its backend; None without any (or
    without the bucket)."""
    rules = moto_bucket(bucket).cors if bucket_exists(bucket) else []
    if not rules:
        return None
    return rules_from_s3([{
        "ID": rule.id_,
        "AllowedOrigins": rule.allowed_origins,
        "AllowedMethods": rule.allowed_methods,
        "AllowedHeaders": rule.allowed_headers,
        "ExposeHeaders": rule.exposed_headers,
        # moto keeps the XML text; S3 (and the model) has an integer.
        "MaxAgeSeconds": None if rule.max_age_seconds is None else int(rule.max_age_seconds),
    } for rule in rules])


def moto_bucket(name: str) -> Any:
    """moto's bucket object, whichever account owns it (bucket names are global, as on S3)."""
    partition, account = s3_backends.bucket_accounts[name]
    return s3_backends[account][partition].buckets[name]


def bucket_exists(name: str) -> bool:
    return name in s3_backends.bucket_accounts


def requested_headers(value: str | None) -> tuple[str, ...]:
    """The names of an Access-Control-Request-Headers value, in the browser's order."""
    return tuple(name.strip() for name in (value or "").split(",") if name.strip())


def _preflight(origin: str | None, target: Target, environ: Environ,
               start_response: StartResponse) -> Iterable[bytes]:
    method = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD", "")
    named = method or "OPTIONS"  # what S3's error names when no method was requested
    if origin is not None and not bucket_exists(target.bucket):
        return _forbidden(start_response, NO_BUCKET, named, "BUCKET")
    config = stored_cors(target.bucket)
    headers = requested_headers(environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"))
    answer = s3_semantics.evaluate(config, BrowserRequest(origin, method, headers))
    if answer.status == s3_semantics.PREFLIGHT_OK:
        start_response("200 OK", [*answer.headers.items(), ("Content-Length", "0")])
        return [b""]
    if answer.status == s3_semantics.BAD_REQUEST:
        return _error(start_response, "400 Bad Request", "BadRequest", s3_semantics.ORIGIN_NEEDED)
    if config is None:
        return _forbidden(start_response, s3_semantics.NOT_ENABLED, named, "BUCKET")
    return _forbidden(start_response, s3_semantics.NOT_ALLOWED, named, "OBJECT" if target.key else "BUCKET")


def _actual_headers(origin: str, target: Target, environ: Environ) -> Mapping[str, str]:
    """The CORS headers S3 adds to an actual request's response (evaluated before moto serves it,
    which may change the bucket). S3 evaluates an Access-Control-Request-Method on an actual request
    in place of the request's method (facts §1.3, `get-wrong-op`)."""
    method = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD") or str(environ.get("REQUEST_METHOD", "GET"))
    request = BrowserRequest(origin, method, preflight=False)
    return s3_semantics.evaluate(stored_cors(target.bucket), request).headers


def _replacing_cors_headers(start_response: StartResponse, cors: Mapping[str, str]) -> StartResponse:
    """moto's own CORS headers (and Vary, which S3 sends only for CORS) give way to S3's."""

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        kept = [(name, value) for name, value in headers if not _is_cors_header(name)]
        return start_response(status, [*kept, *cors.items()], exc_info)

    return start


def _is_cors_header(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("access-control-") or lowered == "vary"


def _forbidden(start_response: StartResponse, message: str, method: str,
               resource_type: str) -> Iterable[bytes]:
    return _error(start_response, "403 Forbidden", "AccessForbidden", message,
                  {"Method": method, "ResourceType": resource_type})


def _error(start_response: StartResponse, status: str, code: str, message: str,
           details: Mapping[str, str] | None = None) -> Iterable[bytes]:
    """An XML error document holding what S3's recorded ones hold (facts §1.3)."""
    request_id = secrets.token_hex(8).upper()
    fields = {"Code": code, "Message": message, **(details or {}), "RequestId": request_id,
              "HostId": secrets.token_urlsafe(48)}
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error>'
            + "".join(f"<{name}>{escape(value)}</{name}>" for name, value in fields.items())
            + "</Error>").encode()
    start_response(status, [("Content-Type", "application/xml"), ("Content-Length", str(len(body))),
                            ("x-amz-request-id", request_id)])
    return [body]
