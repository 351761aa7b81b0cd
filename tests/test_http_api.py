"""HTTP APIs (apigatewayv2): lookup, read, write, delete, normalization and the authorizer warning."""
from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.stub import Stubber
from moto import mock_aws

from corsdeploy.aws import Clients
from corsdeploy.errors import AwsError, PlanError
from corsdeploy.model import AwsSettings, Kind, Location, Resource, frozen
from corsdeploy.plan import Action, plan_resource
from corsdeploy.providers.http_api import HttpApiProvider
from corsdeploy.sandbox.seed_apis import seed_http_api
from corsdeploy.services.http_api import SERVICE
from corsdeploy.shapes import rule_from_cors

WANTED = {
    "AllowOrigins": ["https://app.example.com"],
    "AllowMethods": ["GET", "POST"],
    "AllowHeaders": ["Content-Type", "Authorization"],
    "ExposeHeaders": ["ETag"],
    "MaxAge": 300,
    "AllowCredentials": True,
}


def http_api(name: str, cors: dict[str, Any] | None = WANTED, **settings: Any) -> Resource:
    return Resource(
        kind=Kind.HTTP_API, name=name, cors=rule_from_cors(cors) if cors is not None else None,
        location=Location("environments/test.yaml", 3, 3), settings=frozen(settings),
    )


@pytest.fixture
def clients() -> Iterator[Clients]:
    with mock_aws():
        yield Clients(AwsSettings(region="eu-west-1"))


def create_api(clients: Clients, name: str, protocol: str = "HTTP") -> str:
    api = clients.client("apigatewayv2").create_api(Name=name, ProtocolType=protocol)
    return str(api["ApiId"])


def live_cors(clients: Clients, api_id: str) -> Any:
    return clients.client("apigatewayv2").get_api(ApiId=api_id).get("CorsConfiguration")


def test_write_read_delete_round_trip(clients: Clients) -> None:
    api_id = create_api(clients, "orders")
    resource = http_api("orders")
    provider = HttpApiProvider(clients)

    live = provider.read(resource)
    assert (live.wire, live.handle.api_id, live.warnings) == (None, api_id, ())

    provider.write(resource, live, SERVICE.desired(resource, live))
    written = provider.read(resource)
    assert written.wire == live_cors(clients, api_id)
    assert SERVICE.normalize(written.wire) == SERVICE.normalize(SERVICE.desired(resource, written))

    provider.write(resource, written, None)
    assert live_cors(clients, api_id) is None
    assert provider.read(resource).wire is None


def test_service_lowercased_headers_read_back_equal(clients: Clients) -> None:
    api_id = create_api(clients, "orders")
    # What the service stores for WANTED: header names lowercased.
    stored = {**WANTED, "AllowHeaders": ["authorization", "content-type"], "ExposeHeaders": ["etag"]}
    clients.client("apigatewayv2").update_api(ApiId=api_id, CorsConfiguration=stored)
    resource = http_api("orders")
    live = HttpApiProvider(clients).read(resource)
    assert live.wire == stored
    assert SERVICE.normalize(live.wire) == SERVICE.normalize(SERVICE.desired(resource, live))


@pytest.mark.parametrize(("live", "desired"), [
    ({"AllowOrigins": ["https://a.example"], "AllowHeaders": ["content-type"]},
     {"AllowOrigins": ["https://a.example"], "AllowHeaders": ["Content-Type"]}),
    ({"AllowOrigins": ["https://a.example"], "ExposeHeaders": ["x-b", "x-a"]},
     {"AllowOrigins": ["https://a.example"], "ExposeHeaders": ["X-A", "X-B", "x-a"]}),
    ({"AllowOrigins": ["https://b.example", "https://a.example"], "AllowMethods": ["get", "POST"]},
     {"AllowOrigins": ["HTTPS://A.EXAMPLE", "https://b.example"], "AllowMethods": ["POST", "GET"]}),
    ({"AllowOrigins": ["*"]}, {"AllowOrigins": ["*"], "AllowCredentials": False}),
    ({"AllowOrigins": ["*"]}, {"AllowOrigins": ["*"], "MaxAge": 0}),
])
def test_normalization_equal(live: dict[str, Any], desired: dict[str, Any]) -> None:
    assert SERVICE.normalize(live) == SERVICE.normalize(desired)


@pytest.mark.parametrize(("live", "desired"), [
    ({"AllowOrigins": ["https://a.example"]}, {"AllowOrigins": ["https://b.example"]}),
    ({"AllowOrigins": ["*"], "AllowHeaders": ["content-type"]},
     {"AllowOrigins": ["*"], "AllowHeaders": ["Content-Type", "X-Api-Key"]}),
    ({"AllowOrigins": ["*"]}, {"AllowOrigins": ["*"], "MaxAge": -1}),
    ({"AllowOrigins": ["https://a.example"]},
     {"AllowOrigins": ["https://a.example"], "AllowCredentials": True}),
])
def test_normalization_keeps_real_changes(live: dict[str, Any], desired: dict[str, Any]) -> None:
    assert SERVICE.normalize(live) != SERVICE.normalize(desired)


def test_only_a_missing_configuration_is_none() -> None:
    assert SERVICE.normalize(None) is None


@pytest.mark.parametrize("wire", [{}, {"AllowOrigins": [], "AllowCredentials": False, "MaxAge": 0}])
def test_an_empty_configuration_is_cors(wire: dict[str, Any]) -> None:
    """API Gateway answers preflights itself for a present but empty CorsConfiguration (facts §7.3)."""
    assert SERVICE.normalize(wire) is not None
    assert SERVICE.normalize(wire) == SERVICE.normalize({})


@pytest.mark.parametrize("empty", [{}, {"MaxAge": 0}])
def test_absent_deletes_an_empty_live_configuration(clients: Clients, empty: dict[str, Any]) -> None:
    api_id = create_api(clients, "orders")
    clients.client("apigatewayv2").update_api(ApiId=api_id, CorsConfiguration=empty)
    assert live_cors(clients, api_id) == empty
    resource = http_api("orders", cors=None)
    provider = HttpApiProvider(clients)
    live = provider.read(resource)
    assert live.wire == empty
    change = plan_resource(resource, live)
    assert change.action is Action.DELETE
    provider.write(resource, live, change.after)
    assert live_cors(clients, api_id) is None
    assert plan_resource(resource, provider.read(resource)).action is Action.NOOP


def test_desired_absent_is_none(clients: Clients) -> None:
    resource = http_api("orders", cors=None)
    create_api(clients, "orders")
    assert SERVICE.desired(resource, HttpApiProvider(clients).read(resource)) is None


def test_absent_on_api_without_cors_sends_nothing(clients: Clients) -> None:
    create_api(clients, "orders")
    resource = http_api("orders", cors=None)
    provider = HttpApiProvider(clients)
    live = provider.read(resource)
    with Stubber(clients.client("apigatewayv2")) as stub:
        provider.write(resource, live, None)
        stub.assert_no_pending_responses()


def test_an_unset_id_from_the_config_layer_selects_by_name(clients: Clients) -> None:
    """The config layer always fills settings["id"], with None when the file gives no `id:`."""
    api_id = create_api(clients, "orders")
    assert HttpApiProvider(clients).read(http_api("orders", id=None)).handle.api_id == api_id


def test_no_api_by_that_name(clients: Clients) -> None:
    create_api(clients, "other")
    with pytest.raises(PlanError, match=r"http_api\.orders: no HTTP API is named 'orders'"):
        HttpApiProvider(clients).read(http_api("orders"))


def test_several_apis_by_that_name_lists_their_ids(clients: Clients) -> None:
    ids = {create_api(clients, "orders"), create_api(clients, "orders")}
    with pytest.raises(PlanError) as caught:
        HttpApiProvider(clients).read(http_api("orders"))
    message = str(caught.value)
    assert "2 HTTP APIs are named 'orders'" in message
    assert all(api_id in message for api_id in ids)


def test_websocket_apis_do_not_count_as_name_matches(clients: Clients) -> None:
    create_api(clients, "orders", protocol="WEBSOCKET")
    api_id = create_api(clients, "orders")
    assert HttpApiProvider(clients).read(http_api("orders")).handle.api_id == api_id


def test_lookup_by_id_picks_one_of_several(clients: Clients) -> None:
    create_api(clients, "orders")
    chosen = create_api(clients, "orders")
    clients.client("apigatewayv2").update_api(ApiId=chosen, CorsConfiguration=WANTED)
    live = HttpApiProvider(clients).read(http_api("orders", id=chosen))
    assert live.handle.api_id == chosen
    assert live.wire == live_cors(clients, chosen)


def test_lookup_by_unknown_id(clients: Clients) -> None:
    with pytest.raises(PlanError, match="no HTTP API has id 'nope123'"):
        HttpApiProvider(clients).read(http_api("orders", id="nope123"))


def test_lookup_by_id_of_websocket_api(clients: Clients) -> None:
    api_id = create_api(clients, "chat", protocol="WEBSOCKET")
    with pytest.raises(PlanError, match=f"no HTTP API has id '{api_id}'"):
        HttpApiProvider(clients).read(http_api("chat", id=api_id))


def test_one_listing_shared_by_threads(clients: Clients) -> None:
    names = [f"api-{n}" for n in range(8)]
    ids = {name: create_api(clients, name) for name in names}
    client = clients.client("apigatewayv2")
    listings: list[str] = []
    client.meta.events.register("before-call.apigatewayv2.GetApis", lambda **_: listings.append("GetApis"))
    provider = HttpApiProvider(clients)
    with ThreadPoolExecutor(max_workers=8) as pool:
        handles = list(pool.map(lambda name: provider.read(http_api(name, cors=None)).handle.api_id, names))
    assert handles == [ids[name] for name in names]
    assert listings == ["GetApis"]


def api_item(api_id: str, name: str) -> dict[str, Any]:
    return {"ApiId": api_id, "Name": name, "ProtocolType": "HTTP", "RouteSelectionExpression": "x"}


def test_get_routes_is_paginated() -> None:
    clients = Clients(AwsSettings(region="eu-west-1"))
    provider = HttpApiProvider(clients)
    with Stubber(clients.client("apigatewayv2")) as stub:
        stub.add_response("get_apis", {"Items": [api_item("aaa", "orders")]}, {})
        stub.add_response("get_stages", {"Items": []}, {"ApiId": "aaa"})
        stub.add_response("get_routes", {"Items": [{"RouteKey": "GET /items", "AuthorizationType": "JWT"}],
                                         "NextToken": "page2"}, {"ApiId": "aaa"})
        stub.add_response("get_routes", {"Items": [{"RouteKey": "$default", "AuthorizationType": "JWT"}]},
                          {"ApiId": "aaa", "NextToken": "page2"})
        live = provider.read(http_api("orders", id="aaa"))
        stub.assert_no_pending_responses()
    assert len(live.warnings) == 1
    assert "'$default'" in live.warnings[0]


def add_route(clients: Clients, api_id: str, key: str, authorization: str = "NONE") -> None:
    extra = {} if authorization == "NONE" else {"AuthorizerId": "auth123"}
    clients.client("apigatewayv2").create_route(
        ApiId=api_id, RouteKey=key, AuthorizationType=authorization, **extra
    )


def test_authorizer_on_routes_that_catch_preflights_warns(clients: Clients) -> None:
    api_id = create_api(clients, "orders")
    add_route(clients, api_id, "$default", "JWT")
    add_route(clients, api_id, "ANY /{proxy+}", "CUSTOM")
    add_route(clients, api_id, "OPTIONS /admin", "AWS_IAM")
    add_route(clients, api_id, "GET /items", "JWT")
    add_route(clients, api_id, "OPTIONS /items")
    warnings = HttpApiProvider(clients).read(http_api("orders")).warnings
    assert len(warnings) == 3
    assert [w.split("'")[1] for w in warnings] == ["$default", "ANY /{proxy+}", "OPTIONS /admin"]
    assert "JWT authorizer" in warnings[0] and "preflights" in warnings[0]


def test_open_options_route_silences_the_warning(clients: Clients) -> None:
    api_id = create_api(clients, "orders")
    add_route(clients, api_id, "$default", "JWT")
    add_route(clients, api_id, "ANY /{proxy+}", "JWT")
    add_route(clients, api_id, "OPTIONS /{proxy+}")
    assert HttpApiProvider(clients).read(http_api("orders")).warnings == ()


def test_no_authorizer_warning_when_cors_is_absent(clients: Clients) -> None:
    api_id = create_api(clients, "orders")
    add_route(clients, api_id, "$default", "JWT")
    assert HttpApiProvider(clients).read(http_api("orders", cors=None)).warnings == ()


def test_access_denied_names_the_iam_action() -> None:
    clients = Clients(AwsSettings(region="eu-west-1"))
    with Stubber(clients.client("apigatewayv2")) as stub:
        stub.add_client_error("get_apis", "AccessDeniedException", "not allowed", 403)
        with pytest.raises(AwsError, match=r"http_api\.orders: AccessDeniedException: .*apigateway:GET"):
            HttpApiProvider(clients).read(http_api("orders"))


def test_update_refused_names_the_iam_action(clients: Clients) -> None:
    create_api(clients, "orders")
    resource = http_api("orders")
    provider = HttpApiProvider(clients)
    live = provider.read(resource)
    with Stubber(clients.client("apigatewayv2")) as stub:
        stub.add_client_error("update_api", "AccessDeniedException", "not allowed", 403)
        with pytest.raises(AwsError, match="apigateway:PATCH"):
            provider.write(resource, live, SERVICE.desired(resource, live))


def test_declared_iam_actions() -> None:
    # IAM knows API Gateway v2 calls by HTTP verb on the resource path.
    actions = {op.name: op.action for op in HttpApiProvider.operations}
    assert actions == {"GetApis": "apigateway:GET", "GetApi": "apigateway:GET", "GetStages": "apigateway:GET",
                       "GetDeployments": "apigateway:GET", "GetRoutes": "apigateway:GET",
                       "UpdateApi": "apigateway:PATCH", "DeleteCorsConfiguration": "apigateway:DELETE",
                       "CreateDeployment": "apigateway:POST"}


def test_seed_creates_the_api_once(clients: Clients) -> None:
    resource = http_api("orders")
    seed_http_api(clients, resource)
    seed_http_api(clients, resource)
    apis = clients.client("apigatewayv2").get_apis()["Items"]
    assert [(api["Name"], api["ProtocolType"]) for api in apis] == [("orders", "HTTP")]
    live = HttpApiProvider(clients).read(resource)
    assert (live.wire, live.warnings) == (None, ())


def test_seed_gives_the_api_an_auto_deploy_default_stage(clients: Clients) -> None:
    seed_http_api(clients, http_api("orders"))
    (api,) = clients.client("apigatewayv2").get_apis()["Items"]
    stages = clients.client("apigatewayv2").get_stages(ApiId=api["ApiId"])["Items"]
    assert [(stage["StageName"], stage.get("AutoDeploy")) for stage in stages] == [("$default", True)]


def add_stage(clients: Clients, api_id: str, name: str, auto_deploy: bool) -> None:
    clients.client("apigatewayv2").create_stage(ApiId=api_id, StageName=name, AutoDeploy=auto_deploy)


def test_a_change_warns_about_each_stage_without_auto_deploy(clients: Clients) -> None:
    api_id = create_api(clients, "orders")
    add_stage(clients, api_id, "$default", True)
    add_stage(clients, api_id, "prod", False)
    (warning,) = HttpApiProvider(clients).read(http_api("orders")).warnings
    assert warning.startswith("CD304: stage 'prod' does not deploy automatically: it serves the old CORS")
    assert "set `stage: <name>`" in warning


def test_a_stage_setting_naming_no_stage_is_a_plan_error(clients: Clients) -> None:
    api_id = create_api(clients, "orders")
    add_stage(clients, api_id, "$default", True)
    expected = r"`stage:` 'prod' is not a stage of this HTTP API \(its stages: '\$default'\)"
    with pytest.raises(PlanError, match=expected):
        HttpApiProvider(clients).read(http_api("orders", stage="prod"))
