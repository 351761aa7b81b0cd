"""Plans of every kind, computed by the real planner from a file's resource and a live state built in
memory (no AWS): what the render tests and their snapshots show."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from corsdeploy.model import Kind, Live, Location, Resource, frozen
from corsdeploy.plan import Change, Plan, Target, plan_resource
from corsdeploy.services.deployments import Deployment
from corsdeploy.services.rest_api import live_from_state
from corsdeploy.services.rest_api.pattern import (
    GATEWAY_HEADER,
    METHOD_HEADER,
    gateway_headers,
    method_headers,
    preflight_method,
)
from corsdeploy.services.rest_api.state import (
    GatewayResponse,
    Integration,
    IntegrationResponse,
    Method,
    MethodResponse,
    RestApiState,
    RestResource,
)
from corsdeploy.services.rest_api.view import deployment_description, live_view
from corsdeploy.shapes import rule_from_cors, rules_from_s3

TARGET = Target(account="123456789012", region="eu-west-1")
LOCATION = Location("environments/dev.yaml", 3, 3)

# S3 rules as `get-bucket-cors` prints them.
APP = {"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET", "PUT"],
       "AllowedHeaders": ["Content-Type"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 3000}
ADMIN = {"AllowedOrigins": ["https://admin.example.com"], "AllowedMethods": ["GET", "POST", "DELETE"]}
CDN = {"AllowedOrigins": ["https://cdn.example.com", "https://static.example.com", "https://img.example.com"],
       "AllowedMethods": ["GET", "HEAD"]}
PARTNER = {"AllowedOrigins": ["https://partner.example.org"], "AllowedMethods": ["GET"]}

# The `Cors` object of HTTP APIs, function URLs and (in the file) REST APIs.
ONE_ORIGIN = {"AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET", "POST"],
              "AllowHeaders": ["Content-Type", "Authorization"], "ExposeHeaders": ["ETag"], "MaxAge": 600,
              "AllowCredentials": True}
TWO_ORIGINS = {"AllowOrigins": ["https://app.example.com", "https://admin.example.com"],
               "AllowMethods": ["GET"], "AllowHeaders": ["Content-Type"]}


def s3_change(name: str, live: Sequence[Mapping[str, Any]] | None,
              wanted: Sequence[Mapping[str, Any]] | None) -> Change:
    resource = Resource(Kind.S3_BUCKET, name, None if wanted is None else rules_from_s3(wanted), LOCATION)
    wire = None if live is None else {"CORSRules": [dict(rule) for rule in live]}
    return plan_resource(resource, Live(resource.address, wire))


def cors_change(kind: Kind, name: str, live: Mapping[str, Any] | None, wanted: Mapping[str, Any] | None,
                pending: str | None = None) -> Change:
    resource = Resource(kind, name, None if wanted is None else rule_from_cors(wanted), LOCATION)
    return plan_resource(resource, Live(resource.address, live, pending_deployment=pending))


def rest_resource(cors: Mapping[str, Any] | None, name: str = "catalog") -> Resource:
    settings = {"id": None, "stage": "prod", "resources": None,
                "gateway_responses": ["DEFAULT_4XX", "DEFAULT_5XX"], "adopt_preflights": False}
    return Resource(Kind.REST_API, name, None if cors is None else rule_from_cors(cors), LOCATION,
                    frozen(settings))


def rest_state(written: Mapping[str, Any] | None, deployed: bool = True,
               preflight: Method | None = None) -> RestApiState:
    """An API with GET /items and GET /items/{id} (HTTP integrations answering 200), carrying the
    pattern corsdeploy writes for `written` (none when None); its stage serves it when `deployed`."""
    rule = rest_resource(written).cors.rules[0] if written else None  # type: ignore[union-attr]
    on_methods = {METHOD_HEADER + k: v for k, v in (method_headers(rule) if rule else {}).items()}
    declared = MethodResponse("200", frozen(dict.fromkeys(on_methods, False)))
    answer = IntegrationResponse("200", frozen(on_methods))
    get = Method("GET", "NONE", responses=frozen({"200": declared}),
                 integration=Integration("HTTP", responses=frozen({"200": answer})))
    options = preflight or (preflight_method(rule) if rule else None)
    methods = {"GET": get, **({"OPTIONS": options} if options else {})}
    gateway = {}
    if rule:
        parameters = {GATEWAY_HEADER + k: v for k, v in gateway_headers(rest_resource(written), rule).items()}
        gateway = {t: GatewayResponse(t, parameters=frozen(parameters), default=False)
                   for t in ("DEFAULT_4XX", "DEFAULT_5XX")}
    state = RestApiState("a1b2c3", "prod", (
        RestResource("r1", "/items", frozen(methods)), RestResource("r2", "/items/{id}", frozen(methods))),
        frozen(gateway))
    if not deployed or written is None:
        return state
    description = deployment_description(live_view(rest_resource(written), state))
    return RestApiState(state.api_id, state.stage, state.resources, state.gateway_responses, "d1",
                        (Deployment("d1", description, 1_700_000_000),))


def rest_change(state: RestApiState, wanted: Mapping[str, Any] | None) -> Change:
    resource = rest_resource(wanted)
    return plan_resource(resource, live_from_state(resource, state))


def plan_of(*changes: Change, environment: str = "dev") -> Plan:
    return Plan(environment, changes, TARGET)
