"""Lambda function URLs: read, write, `absent`, normalization, qualifiers and seeding."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber
from moto import mock_aws

from corsdeploy.aws import Clients
from corsdeploy.errors import AwsError, PlanError
from corsdeploy.model import AwsSettings, Kind, Live, Location, Resource
from corsdeploy.providers.function_url import FunctionUrlHandle, FunctionUrlProvider
from corsdeploy.sandbox.seed_apis import seed_function_url
from corsdeploy.services.function_url import SERVICE, split_function_name
from corsdeploy.shapes import rule_from_cors

WANTED = {
    "AllowOrigins": ["https://app.example.com"],
    "AllowMethods": ["GET", "POST"],
    "AllowHeaders": ["Content-Type", "X-Request-Id"],
    "ExposeHeaders": ["ETag"],
    "MaxAge": 300,
    "AllowCredentials": True,
}


def function_url(name: str, cors: dict[str, Any] | None = WANTED) -> Resource:
    return Resource(
        kind=Kind.FUNCTION_URL, name=name, cors=rule_from_cors(cors) if cors is not None else None,
        location=Location("environments/test.yaml", 9, 3),
    )


@pytest.fixture
def clients() -> Iterator[Clients]:
    with mock_aws():
        yield Clients(AwsSettings(region="eu-west-1"))


def url_config(clients: Clients, function_name: str) -> dict[str, Any]:
    return dict(clients.client("lambda").get_function_url_config(FunctionName=function_name))


def count_calls(clients: Clients, operation: str) -> list[str]:
    calls: list[str] = []
    clients.client("lambda").meta.events.register(
        f"before-call.lambda.{operation}", lambda **_: calls.append(operation)
    )
    return calls


def test_write_read_absent_round_trip(clients: Clients) -> None:
    resource = function_url("thumbnailer")
    seed_function_url(clients, resource)
    provider = FunctionUrlProvider(clients)
    deletes = count_calls(clients, "DeleteFunctionUrlConfig")

    live = provider.read(resource)
    assert live.wire is None
    url = url_config(clients, "thumbnailer")["FunctionUrl"]
    function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:thumbnailer"
    assert live.handle == FunctionUrlHandle("thumbnailer", None, url, function_arn)

    provider.write(resource, live, SERVICE.desired(resource, live))
    written = provider.read(resource)
    assert written.wire == url_config(clients, "thumbnailer")["Cors"]
    assert SERVICE.normalize(written.wire) == SERVICE.normalize(SERVICE.desired(resource, written))

    absent = function_url("thumbnailer", cors=None)
    provider.write(absent, written, SERVICE.desired(absent, written))
    after = url_config(clients, "thumbnailer")
    # The URL itself survives `absent`: same address, never deleted.
    assert after["FunctionUrl"] == url
    assert deletes == []
    # moto 5.2.5 ignores `Cors={}` (facts §7.7) and keeps the old CORS, so moto cannot show `absent`
    # taking effect; test_function_url_absent.py shows it against AWS's documented behaviour.
    assert after["Cors"] == written.wire


@pytest.mark.parametrize(("live", "desired"), [
    ({"AllowOrigins": ["*"], "AllowHeaders": ["content-type", "x-request-id"]},
     {"AllowOrigins": ["*"], "AllowHeaders": ["X-Request-Id", "Content-Type"]}),
    ({"AllowOrigins": ["*"], "ExposeHeaders": ["etag"]}, {"AllowOrigins": ["*"], "ExposeHeaders": ["ETag"]}),
    ({"AllowOrigins": ["https://b.example", "https://a.example"], "AllowMethods": ["POST", "GET"]},
     {"AllowOrigins": ["https://a.example", "https://b.example"], "AllowMethods": ["GET", "POST"]}),
    ({"AllowOrigins": ["*"]}, {"AllowOrigins": ["*"], "AllowCredentials": False}),
    ({"AllowOrigins": ["*"]}, {"AllowOrigins": ["*"], "MaxAge": 0}),
])
def test_normalization_equal(live: dict[str, Any], desired: dict[str, Any]) -> None:
    assert SERVICE.normalize(live) == SERVICE.normalize(desired)


@pytest.mark.parametrize(("live", "desired"), [
    ({"AllowOrigins": ["https://a.example"]}, {"AllowOrigins": ["https://b.example"]}),
    ({"AllowOrigins": ["*"], "AllowHeaders": ["content-type"]},
     {"AllowOrigins": ["*"], "AllowHeaders": ["Content-Type", "Authorization"]}),
    ({"AllowOrigins": ["*"], "MaxAge": 300}, {"AllowOrigins": ["*"], "MaxAge": 600}),
    ({"AllowOrigins": ["*"]}, {"AllowOrigins": ["*"], "AllowCredentials": True}),
    # Function URLs echo methods back verbatim, so their case is kept.
    ({"AllowOrigins": ["*"], "AllowMethods": ["get"]}, {"AllowOrigins": ["*"], "AllowMethods": ["GET"]}),
])
def test_normalization_keeps_real_changes(live: dict[str, Any], desired: dict[str, Any]) -> None:
    assert SERVICE.normalize(live) != SERVICE.normalize(desired)


@pytest.mark.parametrize("wire", [
    None, {}, {"AllowCredentials": False}, {"MaxAge": 0},
    {"AllowOrigins": [], "AllowMethods": [], "AllowHeaders": [], "ExposeHeaders": [], "MaxAge": 0,
     "AllowCredentials": False},
])
def test_empty_configuration_is_none(wire: dict[str, Any] | None) -> None:
    assert SERVICE.normalize(wire) is None


def test_service_lowercased_headers_read_back_equal(clients: Clients) -> None:
    resource = function_url("thumbnailer")
    seed_function_url(clients, resource)
    # What the service stores for WANTED: header names lowercased.
    stored = {**WANTED, "AllowHeaders": ["content-type", "x-request-id"], "ExposeHeaders": ["etag"]}
    clients.client("lambda").update_function_url_config(FunctionName="thumbnailer", Cors=stored)
    live = FunctionUrlProvider(clients).read(resource)
    assert live.wire == stored
    assert SERVICE.normalize(live.wire) == SERVICE.normalize(SERVICE.desired(resource, live))


def test_function_without_url_is_a_plan_error(clients: Clients) -> None:
    seed_function_url(clients, function_url("thumbnailer"))
    clients.client("lambda").delete_function_url_config(FunctionName="thumbnailer")
    expected = r"function_url\.thumbnailer: function 'thumbnailer' has no function URL"
    with pytest.raises(PlanError, match=expected):
        FunctionUrlProvider(clients).read(function_url("thumbnailer"))


def test_missing_function_is_a_plan_error(clients: Clients) -> None:
    with pytest.raises(PlanError, match=r"function_url\.ghost: function 'ghost' .*does not exist"):
        FunctionUrlProvider(clients).read(function_url("ghost"))


def test_alias_qualifier_is_passed_to_every_call() -> None:
    clients = Clients(AwsSettings(region="eu-west-1"))
    resource = function_url("thumbnailer:live")
    target: dict[str, Any] = {"FunctionName": "thumbnailer", "Qualifier": "live"}
    url = "https://abc.lambda-url.eu-west-1.on.aws/"
    reply = {"FunctionUrl": url, "AuthType": "NONE",
             "FunctionArn": "arn:aws:lambda:eu-west-1:123456789012:function:thumbnailer:live",
             "CreationTime": "2026-01-01T00:00:00Z", "LastModifiedTime": "2026-01-01T00:00:00Z"}
    provider = FunctionUrlProvider(clients)
    # Tags belong to the function: ListTags names it without the alias.
    function = {"Resource": "arn:aws:lambda:eu-west-1:123456789012:function:thumbnailer"}
    with Stubber(clients.client("lambda")) as stub:
        stub.add_response("get_function_url_config", reply, target)
        stub.add_response("list_tags", {"Tags": {}}, function)
        stub.add_response("update_function_url_config", reply, {**target, "Cors": WANTED})
        stub.add_response("list_tags", {"Tags": {}}, function)
        stub.add_response("update_function_url_config", reply, {**target, "Cors": {}})
        live = provider.read(resource)
        provider.write(resource, live, SERVICE.desired(resource, live))
        provider.write(resource, live, None)
        stub.assert_no_pending_responses()
    assert live.handle == FunctionUrlHandle("thumbnailer", "live", url, function["Resource"])


def test_missing_alias_url_names_the_alias() -> None:
    clients = Clients(AwsSettings(region="eu-west-1"))
    with Stubber(clients.client("lambda")) as stub:
        stub.add_client_error("get_function_url_config", "ResourceNotFoundException", "gone", 404,
                              expected_params={"FunctionName": "thumbnailer", "Qualifier": "live"})
        with pytest.raises(PlanError, match="function 'thumbnailer' \\(alias 'live'\\) has no function URL"):
            FunctionUrlProvider(clients).read(function_url("thumbnailer:live"))


def test_split_function_name() -> None:
    assert split_function_name("thumbnailer") == ("thumbnailer", None)
    assert split_function_name("thumbnailer:live") == ("thumbnailer", "live")


def test_update_refused_names_the_iam_action() -> None:
    clients = Clients(AwsSettings(region="eu-west-1"))
    resource = function_url("thumbnailer")
    arn = "arn:aws:lambda:eu-west-1:123456789012:function:thumbnailer"
    live = Live(resource.address, None, FunctionUrlHandle("thumbnailer", None, "https://x.example", arn))
    with Stubber(clients.client("lambda")) as stub:
        stub.add_response("list_tags", {"Tags": {}}, {"Resource": arn})
        stub.add_client_error("update_function_url_config", "AccessDeniedException", "no", 403)
        with pytest.raises(AwsError, match=r"function_url\.thumbnailer: .*lambda:UpdateFunctionUrlConfig"):
            FunctionUrlProvider(clients).write(resource, live, WANTED)


def test_declared_iam_actions() -> None:
    actions = {op.name: (op.action, op.phase.value) for op in FunctionUrlProvider.operations}
    assert actions == {"GetFunctionUrlConfig": ("lambda:GetFunctionUrlConfig", "plan"),
                       "UpdateFunctionUrlConfig": ("lambda:UpdateFunctionUrlConfig", "apply"),
                       "ListTags": ("lambda:ListTags", "apply")}


def test_seed_with_alias_is_idempotent(clients: Clients) -> None:
    resource = function_url("thumbnailer:live")
    seed_function_url(clients, resource)
    first = url_config(clients, "thumbnailer")["FunctionUrl"]
    seed_function_url(clients, resource)
    lam = clients.client("lambda")
    assert lam.get_alias(FunctionName="thumbnailer", Name="live")["Name"] == "live"
    assert [f["FunctionName"] for f in lam.list_functions()["Functions"]] == ["thumbnailer"]
    assert url_config(clients, "thumbnailer")["FunctionUrl"] == first
    assert FunctionUrlProvider(clients).read(resource).wire is None
