"""A loopback stand-in for the API endpoints the sandbox cannot serve (moto runs no API Gateway or
Lambda URL data plane), for probe tests.

It is an endpoint override: AWS API calls are passed on to a moto server; requests whose Host is an
`execute-api` or `lambda-url` host are answered the way the service answers them for the
configuration stored in moto, built from the service's documented behaviour (facts §2-§4) and not
from corsdeploy's simulator. Where the behaviour is UNCONFIRMED, it plays the simulator's named
assumption (simulate/assumptions.py), as the only stand-in for AWS the tests have. `flaw` lets a
test make it answer one request wrongly, so a disagreement must be reported.
"""
from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.exceptions import ClientError

from corsdeploy.simulate.assumptions import FUNCTION_URL, HTTP_API, CorsObjectAssumptions

_EXECUTE_API = re.compile(r"([a-z0-9]+)\.execute-api\.([a-z0-9-]+)\.amazonaws\.com")
_LAMBDA_URL = re.compile(r"([a-z0-9]+)\.lambda-url\.([a-z0-9-]+)\.on\.aws")
_REGION = "eu-west-1"
# Statuses of the gateway responses the stand-in sends (facts §2.3, supported-gateway-response-types).
_GATEWAY_STATUS = {"MISSING_AUTHENTICATION_TOKEN": 403, "DEFAULT_4XX": 403}
_PROXIES = {"AWS_PROXY", "HTTP_PROXY"}


@dataclass(frozen=True)
class Request:
    method: str
    host: str
    path: str
    headers: Mapping[str, str]

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)


Flaw = Callable[[Request, Response], Response]


class Unsupported(Exception):
    """A configuration the stand-in does not model: it says so rather than answer like nothing."""


class ApiStandIn:
    def __init__(self, moto_url: str, flaw: Flaw | None = None) -> None:
        self.moto_url = moto_url
        self.flaw = flaw
        self.answered: list[tuple[Request, Response]] = []
        # (method, path) of every request passed on to moto.
        self.forwarded: list[tuple[str, str]] = []
        clients = {"region_name": _REGION, "endpoint_url": moto_url, "aws_access_key_id": "testing",
                   "aws_secret_access_key": "testing"}
        self._apigateway = boto3.client("apigateway", **clients)
        self._apigatewayv2 = boto3.client("apigatewayv2", **clients)
        self._lambda = boto3.client("lambda", **clients)
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                host = (self.headers.get("Host") or "").split(":")[0]
                if _EXECUTE_API.fullmatch(host) or _LAMBDA_URL.fullmatch(host):
                    stand_in._answer(self, Request(self.command, host, self.path, dict(self.headers.items())))
                else:
                    stand_in._forward(self, body)

            do_GET = do_HEAD = do_OPTIONS = do_PUT = do_POST = do_DELETE = do_PATCH = _handle

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}"
        threading.Thread(target=self._http.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    # --- the data plane ---------------------------------------------------------------------------

    def _answer(self, handler: BaseHTTPRequestHandler, request: Request) -> None:
        try:
            response = self.respond(request)
        except Unsupported as error:
            response = Response(599, {"X-Stand-In-Unsupported": str(error)})
        if self.flaw is not None:
            response = self.flaw(request, response)
        self.answered.append((request, response))
        handler.send_response(response.status)
        for name, value in response.headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def respond(self, request: Request) -> Response:
        api = _EXECUTE_API.fullmatch(request.host)
        if api is None:
            return _cors_object(self._function_url_cors(request.host), request, FUNCTION_URL, globs=())
        try:
            self._apigateway.get_rest_api(restApiId=api.group(1))
        except ClientError:
            cors = self._apigatewayv2.get_api(ApiId=api.group(1)).get("CorsConfiguration")
            # `https://*` and `http://*` are the documented wildcard origins (facts §3.2).
            return _cors_object(cors, request, HTTP_API, globs=("https://*", "http://*"))
        return self._rest_api(api.group(1), request)

    def _function_url_cors(self, host: str) -> Mapping[str, Any] | None:
        for function in self._lambda.list_functions()["Functions"]:
            config = self._lambda.get_function_url_config(FunctionName=function["FunctionName"])
            if urlsplit(config["FunctionUrl"]).hostname == host:
                return config.get("Cors")
        raise Unsupported(f"no function URL {host}")

    # REST APIs: API Gateway routes the request to a resource's method and runs its integration; it
    # evaluates no CORS itself (facts §2.1).

    def _rest_api(self, api_id: str, request: Request) -> Response:
        _stage, _, path = urlsplit(request.path).path.lstrip("/").partition("/")
        items = self._apigateway.get_resources(restApiId=api_id, embed=["methods"])["items"]
        resource = _route(items, "/" + path)
        methods = (resource or {}).get("resourceMethods") or {}
        method = methods.get(request.method) or methods.get("ANY")
        if method is None:
            # No such resource or method: API Gateway answers 403 "Missing Authentication Token".
            return self._gateway_response(api_id, "MISSING_AUTHENTICATION_TOKEN", request)
        if method.get("authorizationType", "NONE") != "NONE" or method.get("apiKeyRequired"):
            raise Unsupported("methods with authorization")
        integration = method["methodIntegration"]
        if integration["type"] in _PROXIES:
            # A proxy passes the backend's response through; this backend sends no CORS headers.
            return Response(200)
        if integration["type"] != "MOCK":
            raise Unsupported(f"{integration['type']} integrations")
        # A MOCK integration answers with the statusCode its request template yields (facts §2.2).
        status = str(json.loads(integration["requestTemplates"]["application/json"])["statusCode"])
        chosen = _select(integration.get("integrationResponses") or {}, status)
        declared = (method.get("methodResponses") or {}).get(chosen["statusCode"], {})
        for template in (chosen.get("responseTemplates") or {}).values():
            if "responseOverride" in template:
                raise Unsupported("response templates that override headers")
        headers = _mapped(chosen.get("responseParameters") or {}, "method.response.header.", request,
                          declared.get("responseParameters") or {})
        return Response(int(chosen["statusCode"]), headers)

    def _gateway_response(self, api_id: str, response_type: str, request: Request) -> Response:
        """A gateway response: the type's own if customised, else DEFAULT_4XX's (facts §2.3)."""
        customised = {item["responseType"]: item
                      for item in self._apigateway.get_gateway_responses(restApiId=api_id)["items"]}
        item = customised.get(response_type) or customised.get("DEFAULT_4XX") or {}
        headers = _mapped(item.get("responseParameters") or {}, "gatewayresponse.header.", request, None)
        return Response(int(item.get("statusCode") or _GATEWAY_STATUS[response_type]), headers)

    # --- everything else: moto ----------------------------------------------------------------------

    def _forward(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        self.forwarded.append((handler.command, handler.path))
        target = urlsplit(self.moto_url)
        connection = http.client.HTTPConnection(target.hostname or "", target.port, timeout=30)
        try:
            connection.request(handler.command, handler.path, body=body or None,
                               headers={k: v for k, v in handler.headers.items()
                                        if k.lower() not in ("connection", "transfer-encoding")})
            answer = connection.getresponse()
            content = answer.read()
        finally:
            connection.close()
        handler.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("connection", "transfer-encoding", "content-length", "server", "date"):
                handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(content)))
        handler.end_headers()
        handler.wfile.write(content)


def _cors_object(cors: Mapping[str, Any] | None, request: Request, unconfirmed: CorsObjectAssumptions,
                 globs: tuple[str, ...]) -> Response:
    """An HTTP API's or a function URL's answer: with CORS configured the service answers a preflight
    itself, and adds CORS headers to the backend's answer to an allowed origin (facts §3.3, §4.3).
    This backend answers 200 with no CORS headers of its own."""
    origin = request.header("Origin")
    wanted_method = request.header("Access-Control-Request-Method")
    preflight = request.method == "OPTIONS" and wanted_method is not None
    if not cors or origin is None:
        return Response(200)
    allowed_origin = _allowed_origin(cors.get("AllowOrigins") or [], origin, unconfirmed, globs)
    headers: dict[str, str] = {}
    if allowed_origin is not None:
        star = allowed_origin == "*" and unconfirmed.star_origin_sent_as_star.choice
        headers["Access-Control-Allow-Origin"] = "*" if star else origin
        if cors.get("AllowCredentials"):
            headers["Access-Control-Allow-Credentials"] = "true"
    vary = unconfirmed.vary.choice
    if not preflight:
        if allowed_origin is not None and cors.get("ExposeHeaders"):
            headers["Access-Control-Expose-Headers"] = _names(cors["ExposeHeaders"])
        return Response(200, {**headers, **({"Vary": str(vary)} if vary and headers else {})})
    status = int(str(unconfirmed.preflight_status.choice))
    if allowed_origin is None or not _allows(cors, wanted_method or "", request, unconfirmed):
        refused = unconfirmed.refused_preflight.choice
        return Response(refused if isinstance(refused, int) else status)
    headers["Access-Control-Allow-Methods"] = ",".join(cors.get("AllowMethods") or [])
    if cors.get("AllowHeaders"):
        headers["Access-Control-Allow-Headers"] = _names(cors["AllowHeaders"])
    if cors.get("MaxAge"):
        headers["Access-Control-Max-Age"] = str(cors["MaxAge"])
    return Response(status, {**headers, **({"Vary": str(vary)} if vary else {})})


def _names(names: list[str]) -> str:
    """Header names as the service stores them, lowercased (facts §3.4, §4.4)."""
    return ",".join(name.lower() for name in names)


def _allowed_origin(entries: list[str], origin: str, unconfirmed: CorsObjectAssumptions,
                    globs: tuple[str, ...]) -> str | None:
    """The entry allowing `origin`: one naming it, else `*` (or a documented scheme wildcard)."""
    sensitive = unconfirmed.origin_case_sensitive.choice

    def same(a: str, b: str) -> bool:
        return a == b if sensitive else a.lower() == b.lower()

    for entry in entries:
        if "*" not in entry and same(entry, origin):
            return entry
    for entry in entries:
        glob = entry in globs or ("*" in entry and unconfirmed.origin_patterns.choice == "glob")
        if entry == "*" or (glob and re.fullmatch(re.escape(entry).replace(r"\*", ".*"), origin,
                                                   0 if sensitive else re.IGNORECASE)):
            return entry
    return None


def _allows(cors: Mapping[str, Any], method: str, request: Request,
            unconfirmed: CorsObjectAssumptions) -> bool:
    """The method is listed (or `*`), and every requested header (names ignore case; or `*`)."""
    methods = cors.get("AllowMethods") or []
    sensitive = unconfirmed.method_case_sensitive.choice
    method_ok = "*" in methods or any(m == method if sensitive else m.upper() == method.upper()
                                      for m in methods)
    allowed = {name.lower() for name in cors.get("AllowHeaders") or []}
    listed = request.header("Access-Control-Request-Headers") or ""
    requested = [h.strip().lower() for h in listed.split(",") if h.strip()]
    return method_ok and ("*" in allowed or all(h in allowed for h in requested))


def _route(items: list[dict[str, Any]], path: str) -> dict[str, Any] | None:
    """The resource API Gateway routes `path` to: literal segments before {param}, {param+} last."""
    wanted = [s for s in path.split("/") if s]

    def rank(template: str) -> tuple[int, ...] | None:
        parts = [s for s in template.split("/") if s]
        ranks = []
        for index, part in enumerate(parts):
            if part.startswith("{") and part.endswith("+}"):
                return (*ranks, 0) if len(wanted) > index else None
            if index >= len(wanted):
                return None
            if part.startswith("{"):
                ranks.append(1)
            elif part == wanted[index]:
                ranks.append(2)
            else:
                return None
        return tuple(ranks) if len(parts) == len(wanted) else None

    ranked = [(r, item) for item in items if (r := rank(item["path"])) is not None]
    return max(ranked, key=lambda pair: pair[0])[1] if ranked else None


def _select(responses: Mapping[str, Any], status: str) -> dict[str, Any]:
    """The integration response whose selection pattern matches the status, else the default one."""
    ordered = sorted(responses.values(), key=lambda r: r["statusCode"])
    for response in ordered:
        pattern = response.get("selectionPattern")
        if pattern and re.fullmatch(pattern, status):
            return dict(response)
    default = next((r for r in ordered if not r.get("selectionPattern")), None)
    if default is None:
        raise Unsupported(f"no integration response for {status}")
    return dict(default)


def _mapped(parameters: Mapping[str, str], prefix: str, request: Request,
            declared: Mapping[str, Any] | None) -> dict[str, str]:
    """Header mappings: a 'quoted' static value, or a request header's value (facts §2.2, §2.3); a
    method response sends only the headers it declares."""
    headers = {}
    for key, value in parameters.items():
        if not key.startswith(prefix) or (declared is not None and key not in declared):
            continue
        name = key[len(prefix):]
        if len(value) >= 2 and value[0] == value[-1] == "'":
            headers[name] = value[1:-1]
        elif value.startswith("method.request.header."):
            sent = request.header(value.removeprefix("method.request.header."))
            if sent is not None:
                headers[name] = sent
        else:
            raise Unsupported(f"the mapping {value!r}")
    return headers


@contextmanager
def api_stand_in(moto_url: str, flaw: Flaw | None = None) -> Iterator[ApiStandIn]:
    stand_in = ApiStandIn(moto_url, flaw)
    try:
        yield stand_in
    finally:
        stand_in.stop()


def wrong_once(method: str, path: str, origin: str, header: str, value: str) -> Flaw:
    """A flaw: the answer to `method path` from `origin` also carries `header: value`."""
    def flaw(request: Request, response: Response) -> Response:
        if (request.method, urlsplit(request.path).path, request.header("Origin")) == (method, path, origin):
            return replace(response, headers={**response.headers, header: value})
        return response
    return flaw


def stalls_once(method: str, path: str, origin: str, seconds: float) -> Flaw:
    """A flaw: the answer to `method path` from `origin` comes `seconds` late."""
    def flaw(request: Request, response: Response) -> Response:
        if (request.method, urlsplit(request.path).path, request.header("Origin")) == (method, path, origin):
            time.sleep(seconds)
        return response
    return flaw
