"""Meta-tests for permissions as data: every AWS call corsdeploy makes goes through a declared
operation, and the policy `permissions` prints for an environment allows every call that plan (with
the read-only policy), apply and rollback (with the full one) really make for it.

Calls are recorded from botocore itself (`before-parameter-build` on every client the client factory
builds), so a call that bypassed the declarations would be seen here with no declared operation."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from corsdeploy import aws
from corsdeploy.aws import Clients
from corsdeploy.config import load_environment
from corsdeploy.engine import environment_permissions
from corsdeploy.live import providers_for, read_live
from corsdeploy.model import Environment, Kind
from corsdeploy.plan import Action, plan_resource
from corsdeploy.providers import PROVIDERS, operations_of
from corsdeploy.providers.operations import ArnContext, Operation, Phase, Principal, current
from corsdeploy.providers.rest_api import RestApiProvider
from corsdeploy.sandbox.seed import seed_environment
from tests.rest_support import build_api

ACCOUNT = "123456789012"  # moto's
PROVIDERS_DIR = Path(__file__).resolve().parent.parent / "corsdeploy" / "providers"


@dataclass
class Call:
    service: str
    name: str
    params: dict[str, Any]
    declared: Operation | None
    phase: Phase


@dataclass
class Recorder:
    """Every API call of every client `Clients` builds, with the declared operation it was made as."""

    phase: Phase = Phase.PLAN
    calls: list[Call] = field(default_factory=list)

    def record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append(Call(model.service_model.service_name, model.name, dict(params), current(),
                               self.phase))


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    build = Clients._create_client

    def recording(clients: Clients, service: str, region: str) -> Any:
        client = build(clients, service, region)
        client.meta.events.register("before-parameter-build", recorder.record)
        return client

    monkeypatch.setattr(Clients, "_create_client", recording)
    return recorder


ENVIRONMENT = """\
aws: {{region: eu-west-1, account_id: "{account}"}}
s3_buckets:
  assets-meta: {{cors: {s3}}}
http_apis:
  orders: {{cors: {cors}}}
rest_apis:
  legacy: {{stage: prod, cors: {cors}}}
function_urls:
  thumbnailer:live: {{cors: {cors}}}
"""
CORS = '{AllowOrigins: ["https://app.example.com"], AllowMethods: [GET], ExposeHeaders: [ETag]}'
S3_RULES = '[{AllowedOrigins: ["https://app.example.com"], AllowedMethods: [GET]}]'


def environment(tmp_path: Path, name: str, cors: str, s3: str) -> Environment:
    folder = tmp_path / "environments"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yaml").write_text(ENVIRONMENT.format(account=ACCOUNT, cors=cors, s3=s3))
    return load_environment(folder, name)


@pytest.fixture
def live_aws() -> Iterator[None]:
    with mock_aws():
        yield


def allowed(policy: dict[str, Any], action: str, arn: str) -> bool:
    return any(s["Effect"] == "Allow" and s["Action"] == action and arn in s["Resource"]
               for s in policy["Statement"])


def run(env: Environment, recorder: Recorder) -> dict[str, Any]:
    """Plan, then write every change and read it back (as apply does); returns the pre-apply backups."""
    providers = providers_for(env.resources, Clients(env.aws))
    recorder.phase = Phase.PLAN
    lives = read_live(env.resources, providers)
    recorder.phase = Phase.APPLY
    for resource in env.resources:
        change = plan_resource(resource, lives[resource.address])
        if change.action is not Action.NOOP:
            providers[resource.kind].write(resource, lives[resource.address], change.after)
            providers[resource.kind].read(resource)
    return {address: live for address, live in lives.items()}


def check(env: Environment, calls: list[Call], read_only: dict[str, Any], full: dict[str, Any]) -> None:
    context = ArnContext("aws", "eu-west-1", lambda: ACCOUNT)
    for call in calls:
        declared = call.declared
        assert declared is not None, f"{call.service}:{call.name} was called without a declared operation"
        assert (declared.service, declared.name) == (call.service, call.name), call
        if declared.principal is not Principal.WORKER:
            continue
        arn = declared.arn(context, call.params)
        policy = read_only if call.phase is Phase.PLAN else full
        assert allowed(policy, declared.action, arn), (
            f"{env.name}: {call.phase} called {call.name} ({declared.action} on {arn}), "
            f"which the {'read-only' if call.phase is Phase.PLAN else 'full'} policy does not allow")


def test_every_call_of_plan_apply_and_rollback_is_declared_and_allowed(
        tmp_path: Path, live_aws: None, recorder: Recorder) -> None:
    wanted = environment(tmp_path, "meta", CORS, S3_RULES)
    absent = environment(tmp_path, "gone", "absent", "absent")
    setup = Clients(wanted.aws)
    seed_environment(setup, Environment(wanted.name, wanted.path, wanted.aws,
                                        tuple(r for r in wanted.resources if r.kind is not Kind.REST_API)))
    build_api(boto3.client("apigateway", region_name="eu-west-1"))
    made: set[str] = set()
    for env in (wanted, absent, wanted):
        read_only = environment_permissions(env, read_only=True).document
        full = environment_permissions(env).document
        recorder.calls.clear()
        before = run(env, recorder)
        if env is wanted:
            # Rollback: the REST API put back from its backup, through the same provider.
            recorder.phase = Phase.APPLY
            rest = next(r for r in env.resources if r.kind is Kind.REST_API)
            provider = RestApiProvider(Clients(env.aws))
            provider.restore(rest, provider.read(rest), before[rest.address].backup_document or {})
        check(env, recorder.calls, read_only, full)
        made |= {call.name for call in recorder.calls}
    # Every kind read, written both ways, its co-management checked, and a REST API restored.
    assert {"GetBucketCors", "PutBucketCors", "DeleteBucketCors", "GetBucketTagging", "GetApis", "UpdateApi",
            "DeleteCorsConfiguration", "GetRestApis", "GetExport", "PutMethod", "DeleteMethod",
            "PutGatewayResponse", "DeleteGatewayResponse", "CreateDeployment", "GetFunctionUrlConfig",
            "UpdateFunctionUrlConfig", "ListTags", "GetCallerIdentity"} <= made


def test_http_api_deployment_calls_are_declared_and_allowed(recorder: Recorder, tmp_path: Path) -> None:
    """moto has no HTTP API deployments: the `stage:` path runs against botocore's Stubber."""
    folder = tmp_path / "environments"
    folder.mkdir()
    (folder / "stubbed.yaml").write_text(
        f'aws: {{region: eu-west-1, account_id: "{ACCOUNT}"}}\n'
        f"http_apis:\n  orders: {{id: a1b2c3, stage: live, cors: {CORS}}}\n")
    env = load_environment(folder, "stubbed")
    clients = Clients(env.aws)
    api = {"ApiId": "a1b2c3", "Name": "orders", "ProtocolType": "HTTP", "ApiEndpoint": "https://x",
           "RouteSelectionExpression": "$request.method $request.path"}
    read_only = environment_permissions(env, read_only=True).document
    full = environment_permissions(env).document
    recorder.calls.clear()
    with Stubber(clients.client("sts")) as sts, Stubber(clients.client("apigatewayv2")) as stub:
        sts.add_response("get_caller_identity", {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/d"})
        stub.add_response("get_apis", {"Items": [api]})
        stub.add_response("get_stages", {"Items": [{"StageName": "live", "AutoDeploy": False}]})
        stub.add_response("get_deployments", {"Items": []})
        stub.add_response("get_routes", {"Items": []})
        stub.add_response("update_api", {})
        stub.add_response("create_deployment", {})
        providers = providers_for(env.resources, clients)
        recorder.phase = Phase.PLAN
        (resource,) = env.resources
        live = read_live(env.resources, providers)[resource.address]
        recorder.phase = Phase.APPLY
        providers[Kind.HTTP_API].write(resource, live, plan_resource(resource, live).after)
        stub.assert_no_pending_responses()
    check(env, recorder.calls, read_only, full)
    assert {"GetDeployments", "CreateDeployment", "UpdateApi"} <= {c.name for c in recorder.calls}


def test_only_the_declared_call_path_touches_a_client() -> None:
    """No provider module reaches a boto3 client but through providers/calls.py."""
    offenders = []
    for path in sorted(PROVIDERS_DIR.rglob("*.py")):
        if path.name in {"calls.py"}:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in {"client", "get_paginator", "_make_api_call"}:
                offenders.append(f"{path.relative_to(PROVIDERS_DIR)}:{node.lineno}: .{node.attr}")
    assert offenders == []


def test_every_provider_declares_operations_of_its_own_services() -> None:
    services = {Kind.S3_BUCKET: {"s3"}, Kind.HTTP_API: {"apigatewayv2"}, Kind.REST_API: {"apigateway"},
                Kind.FUNCTION_URL: {"lambda"}}
    assert set(PROVIDERS) == set(Kind)
    for kind in Kind:
        declared = operations_of(kind)
        assert declared and {op.service for op in declared} == services[kind]
        assert len({op.name for op in declared}) == len(declared)
        # Every pattern names a resource: an ARN, never a wildcard.
        assert all(op.resource and "*" not in op.resource for op in declared)
    assert {op.name for op in aws.OPERATIONS} == {"GetCallerIdentity", "AssumeRole"}
