"""HTTP APIs where moto is not AWS (facts §7.1-7.4), shown with botocore's Stubber: UpdateApi merges,
so every write carries all six fields; the listing carries each API's CORS; stages without
auto-deploy are deployed when `stage:` names them, and warned about otherwise."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import Stubber

from corsdeploy.aws import Clients
from corsdeploy.errors import AwsError, PlanError
from corsdeploy.model import AwsSettings, Kind, Location, Resource, frozen
from corsdeploy.plan import Action, FieldChange, plan_resource
from corsdeploy.providers.http_api import HttpApiProvider
from corsdeploy.services.http_api import SERVICE, deployment_description
from corsdeploy.shapes import rule_from_cors

ORIGINS_ONLY = {"AllowOrigins": ["https://app.example.com"]}
# What AWS would have kept from an earlier write if a field were left out of the request.
ALL_UNSET = {"AllowCredentials": False, "AllowHeaders": [], "AllowMethods": [], "AllowOrigins": [],
             "ExposeHeaders": [], "MaxAge": 0}


def http_api(name: str = "orders", cors: dict[str, Any] | None = ORIGINS_ONLY, **settings: Any) -> Resource:
    return Resource(
        kind=Kind.HTTP_API, name=name, cors=rule_from_cors(cors) if cors is not None else None,
        location=Location("environments/test.yaml", 3, 3), settings=frozen(settings),
        field_locations=frozen({("stage",): Location("environments/test.yaml", 5, 12)}),
    )


def api_item(api_id: str = "a1", name: str = "orders", cors: dict[str, Any] | None = None) -> dict[str, Any]:
    item = {"ApiId": api_id, "Name": name, "ProtocolType": "HTTP", "RouteSelectionExpression": "x"}
    return {**item, "CorsConfiguration": cors} if cors is not None else item


def stage(name: str, auto_deploy: bool | None, deployment: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"StageName": name, **({} if auto_deploy is None else {"AutoDeploy": auto_deploy})}
    return {**item, "DeploymentId": deployment} if deployment else item


@pytest.fixture
def clients() -> Clients:
    return Clients(AwsSettings(region="eu-west-1"))


@pytest.fixture
def stub(clients: Clients) -> Iterator[Stubber]:
    with Stubber(clients.client("apigatewayv2")) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def list_apis(stub: Stubber, *items: dict[str, Any]) -> None:
    stub.add_response("get_apis", {"Items": list(items)}, {})


def no_routes(stub: Stubber, api_id: str = "a1") -> None:
    stub.add_response("get_routes", {"Items": []}, {"ApiId": api_id})


def stages(stub: Stubber, *items: dict[str, Any], api_id: str = "a1") -> None:
    stub.add_response("get_stages", {"Items": list(items)}, {"ApiId": api_id})


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def deployment(deployment_id: str, seconds: int, description: str | None = None) -> dict[str, Any]:
    item = {"DeploymentId": deployment_id, "CreatedDate": at(seconds), "DeploymentStatus": "DEPLOYED"}
    return {**item, "Description": description} if description is not None else item


def deployments(stub: Stubber, *items: dict[str, Any], api_id: str = "a1") -> None:
    stub.add_response("get_deployments", {"Items": list(items)}, {"ApiId": api_id})


def deploys(stub: Stubber, cors: dict[str, Any] | None, deployment_id: str = "d2") -> None:
    stub.add_response("create_deployment", {"DeploymentId": deployment_id}, {
        "ApiId": "a1", "StageName": "prod", "Description": deployment_description(cors)})


# --- 1. UpdateApi merges: all six fields on every write ----------------------------------------


def test_a_field_removed_from_the_file_is_sent_empty(clients: Clients, stub: Stubber) -> None:
    live_cors = {**ORIGINS_ONLY, "AllowHeaders": ["x-old"], "MaxAge": 600, "AllowCredentials": True}
    resource = http_api()
    list_apis(stub, api_item(cors=live_cors))
    stages(stub, stage("$default", True))
    no_routes(stub)
    stub.add_response("update_api", {}, {"ApiId": "a1", "CorsConfiguration": {**ALL_UNSET, **ORIGINS_ONLY}})
    provider = HttpApiProvider(clients)
    live = provider.read(resource)
    provider.write(resource, live, SERVICE.desired(resource, live))


def test_every_field_the_file_gives_is_sent_as_written(clients: Clients, stub: Stubber) -> None:
    full = {"AllowOrigins": ["https://a.example"], "AllowMethods": ["GET"], "AllowHeaders": ["Content-Type"],
            "ExposeHeaders": ["ETag"], "MaxAge": 300, "AllowCredentials": True}
    resource = http_api(cors=full)
    list_apis(stub, api_item())
    stages(stub)
    no_routes(stub)
    stub.add_response("update_api", {}, {"ApiId": "a1", "CorsConfiguration": full})
    provider = HttpApiProvider(clients)
    live = provider.read(resource)
    provider.write(resource, live, SERVICE.desired(resource, live))


# --- 2. A present but empty CorsConfiguration is CORS ------------------------------------------


@pytest.mark.parametrize("empty", [{}, ALL_UNSET, {"MaxAge": 0}])
def test_absent_against_an_empty_configuration_deletes_it(
    clients: Clients, stub: Stubber, empty: dict[str, Any]
) -> None:
    resource = http_api(cors=None)
    list_apis(stub, api_item(cors=empty))
    stages(stub)
    stub.add_response("delete_cors_configuration", {}, {"ApiId": "a1"})
    provider = HttpApiProvider(clients)
    live = provider.read(resource)
    assert live.wire == empty
    change = plan_resource(resource, live)
    assert change.action is Action.DELETE
    provider.write(resource, live, change.after)


def test_a_configuration_of_only_defaults_is_not_no_cors() -> None:
    wanted = http_api(cors={"AllowCredentials": False})
    assert SERVICE.desired(wanted) == {"AllowCredentials": False}
    assert SERVICE.normalize(SERVICE.desired(wanted)) is not None
    assert SERVICE.changes(wanted, None)
    assert not SERVICE.changes(http_api(cors=None), None)


# --- 3. Stages without auto-deploy --------------------------------------------------------------


def test_stage_setting_deploys_that_stage_after_a_change(clients: Clients, stub: Stubber) -> None:
    resource = http_api(stage="prod")
    list_apis(stub, api_item())
    stages(stub, stage("$default", True), stage("prod", None, "d1"))
    deployments(stub, deployment("d1", 100))
    no_routes(stub)
    stub.add_response("update_api", {}, {"ApiId": "a1", "CorsConfiguration": {**ALL_UNSET, **ORIGINS_ONLY}})
    deploys(stub, ORIGINS_ONLY)
    provider = HttpApiProvider(clients)
    live = provider.read(resource)
    assert live.warnings == ()
    provider.write(resource, live, SERVICE.desired(resource, live))


def test_stage_setting_deploys_after_absent_too(clients: Clients, stub: Stubber) -> None:
    resource = http_api(cors=None, stage="prod")
    list_apis(stub, api_item(cors=ORIGINS_ONLY))
    stages(stub, stage("prod", False, "d1"))
    deployments(stub, deployment("d1", 100, deployment_description(ORIGINS_ONLY)))
    stub.add_response("delete_cors_configuration", {}, {"ApiId": "a1"})
    deploys(stub, None)
    provider = HttpApiProvider(clients)
    live = provider.read(resource)
    provider.write(resource, live, SERVICE.desired(resource, live))


def test_stage_setting_without_a_change_deploys_nothing(clients: Clients, stub: Stubber) -> None:
    resource = http_api(stage="prod")
    list_apis(stub, api_item(cors=ORIGINS_ONLY))
    stages(stub, stage("prod", False, "d1"))
    deployments(stub, deployment("d1", 100, deployment_description(ORIGINS_ONLY)))
    no_routes(stub)
    live = HttpApiProvider(clients).read(resource)
    assert live.pending_deployment is None
    assert plan_resource(resource, live).action is Action.NOOP


def test_a_missing_stage_is_a_plan_error_naming_the_stages(clients: Clients, stub: Stubber) -> None:
    list_apis(stub, api_item())
    stages(stub, stage("$default", True), stage("dev", False))
    with pytest.raises(PlanError) as raised:
        HttpApiProvider(clients).read(http_api(stage="prod"))
    (problem,) = raised.value.problems
    assert str(problem) == ("environments/test.yaml:5:12: http_api.orders: `stage:` 'prod' is not a stage "
                            "of this HTTP API (its stages: '$default', 'dev')")


def test_without_stage_each_manual_stage_is_warned_about_once(clients: Clients, stub: Stubber) -> None:
    list_apis(stub, api_item())
    stages(stub, stage("$default", True), stage("prod", False), stage("dev", None))
    no_routes(stub)
    live = HttpApiProvider(clients).read(http_api())
    assert [w.split("'")[1] for w in live.warnings] == ["prod", "dev"]
    assert all("serves the old CORS until" in w and "set `stage: <name>`" in w for w in live.warnings)
    assert live.handle.deploy_stage is None


def test_with_stage_other_manual_stages_are_still_warned_about(clients: Clients, stub: Stubber) -> None:
    list_apis(stub, api_item())
    stages(stub, stage("prod", False), stage("qa", False))
    deployments(stub)
    no_routes(stub)
    live = HttpApiProvider(clients).read(http_api(stage="prod"))
    (warning,) = live.warnings
    assert warning.startswith("CD304: stage 'qa' does not deploy automatically")
    assert live.handle.deploy_stage == "prod"


def test_no_stage_read_and_no_warning_when_nothing_changes(clients: Clients, stub: Stubber) -> None:
    list_apis(stub, api_item(cors=ORIGINS_ONLY))
    no_routes(stub)
    assert HttpApiProvider(clients).read(http_api()).warnings == ()


def test_stage_naming_an_auto_deploy_stage_warns_and_deploys_nothing(clients: Clients, stub: Stubber) -> None:
    resource = http_api(stage="$default")
    list_apis(stub, api_item())
    stages(stub, stage("$default", True))
    no_routes(stub)
    stub.add_response("update_api", {}, {"ApiId": "a1", "CorsConfiguration": {**ALL_UNSET, **ORIGINS_ONLY}})
    provider = HttpApiProvider(clients)
    live = provider.read(resource)
    (warning,) = live.warnings
    assert "'$default' deploys automatically" in warning and "not needed" in warning
    provider.write(resource, live, SERVICE.desired(resource, live))


# --- 4. One GetApis listing carries every API's CORS --------------------------------------------


def test_reads_come_from_one_paginated_listing_without_get_api(clients: Clients, stub: Stubber) -> None:
    stub.add_response("get_apis", {"Items": [api_item("aaa", "first")], "NextToken": "page2"}, {})
    second_page = {"Items": [api_item("bbb", "second", ORIGINS_ONLY)]}
    stub.add_response("get_apis", second_page, {"NextToken": "page2"})
    stages(stub, api_id="bbb")
    provider = HttpApiProvider(clients)
    second = provider.read(http_api("second", cors=None))
    first = provider.read(http_api("first", cors=None))
    assert (second.handle.api_id, second.wire) == ("bbb", ORIGINS_ONLY)
    assert (first.handle.api_id, first.wire) == ("aaa", None)


def test_id_is_looked_up_in_the_listing(clients: Clients, stub: Stubber) -> None:
    list_apis(stub, api_item("aaa", "orders"), api_item("bbb", "orders", ORIGINS_ONLY))
    stages(stub, api_id="bbb")
    live = HttpApiProvider(clients).read(http_api(cors=None, id="bbb"))
    assert (live.handle.api_id, live.wire) == ("bbb", ORIGINS_ONLY)


def test_an_id_whose_name_differs_from_the_key_is_a_plan_error(clients: Clients, stub: Stubber) -> None:
    list_apis(stub, api_item("aaa", "orders-v2"))
    with pytest.raises(PlanError) as raised:
        HttpApiProvider(clients).read(http_api("orders", id="aaa"))
    message = str(raised.value)
    assert "'orders-v2'" in message and "'orders'" in message and "http_api.orders" in message


def test_an_id_not_in_the_listing_is_a_plan_error(clients: Clients, stub: Stubber) -> None:
    list_apis(stub, api_item("aaa", "orders"))
    with pytest.raises(PlanError, match=r"http_api\.orders: no HTTP API has id 'zzz'"):
        HttpApiProvider(clients).read(http_api(id="zzz"))


# --- 5. Whether the `stage:` stage serves the live CORS, from AWS alone (issue 6, items 3 and 7) ---


EARLIER = {"AllowOrigins": ["https://old.example.com"]}


def test_a_deployment_that_failed_after_update_api_is_planned_again(clients: Clients, stub: Stubber) -> None:
    resource = http_api(stage="prod")
    list_apis(stub, api_item(cors=EARLIER))
    stages(stub, stage("prod", False, "d1"))
    deployments(stub, deployment("d1", 100, deployment_description(EARLIER)))
    no_routes(stub)
    stub.add_response("update_api", {}, {"ApiId": "a1", "CorsConfiguration": {**ALL_UNSET, **ORIGINS_ONLY}})
    # A refusal: throttling (429) would be retried until the deployment went through.
    stub.add_client_error("create_deployment", "BadRequestException", "Deployment refused", 400)
    provider = HttpApiProvider(clients)
    live = provider.read(resource)
    with pytest.raises(AwsError):
        provider.write(resource, live, SERVICE.desired(resource, live))
    # The next plan (a fresh process): the draft has the file's CORS, the stage does not serve it.
    list_apis(stub, api_item(cors=ORIGINS_ONLY))
    stages(stub, stage("prod", False, "d1"))
    deployments(stub, deployment("d1", 100, deployment_description(EARLIER)))
    no_routes(stub)
    again = HttpApiProvider(clients).read(resource)
    change = plan_resource(resource, again)
    assert change.action is Action.UPDATE
    assert change.fields == (FieldChange("deployment", "pending", "current"),)
    assert (change.before, change.after) == (ORIGINS_ONLY, ORIGINS_ONLY)
    assert again.pending_deployment in change.warnings
    assert again.pending_deployment is not None and again.pending_deployment.startswith("stage 'prod' ")


def test_a_pending_stage_is_deployed_and_then_read_as_current(clients: Clients, stub: Stubber) -> None:
    resource = http_api(stage="prod")
    list_apis(stub, api_item(cors=ORIGINS_ONLY))
    stages(stub, stage("prod", False, "p1"))
    deployments(stub, deployment("p1", 100, "pipeline build 7"))
    no_routes(stub)
    stub.add_response("update_api", {}, {"ApiId": "a1", "CorsConfiguration": {**ALL_UNSET, **ORIGINS_ONLY}})
    deploys(stub, ORIGINS_ONLY, "d2")
    # apply's verification re-reads the API it wrote.
    stub.add_response("get_api", api_item(cors=ORIGINS_ONLY), {"ApiId": "a1"})
    stages(stub, stage("prod", False, "d2"))
    deployments(stub, deployment("p1", 100, "pipeline build 7"),
                deployment("d2", 200, deployment_description(ORIGINS_ONLY)))
    no_routes(stub)
    provider = HttpApiProvider(clients)
    live = provider.read(resource)
    change = plan_resource(resource, live)
    assert change.action is Action.UPDATE
    provider.write(resource, live, change.after)
    verified = provider.read(resource)
    assert verified.pending_deployment is None
    assert plan_resource(resource, verified).action is Action.NOOP


def test_absent_with_no_cors_and_a_pending_stage_only_deploys(clients: Clients, stub: Stubber) -> None:
    resource = http_api(cors=None, stage="prod")
    list_apis(stub, api_item())
    stages(stub, stage("prod", False, "d1"))
    deployments(stub, deployment("d1", 100, deployment_description(ORIGINS_ONLY)))
    deploys(stub, None)
    provider = HttpApiProvider(clients)
    live = provider.read(resource)
    change = plan_resource(resource, live)
    assert (change.action, change.before, change.after) == (Action.UPDATE, None, None)
    provider.write(resource, live, change.after)


def test_a_pipeline_deployment_after_corsdeploys_is_not_drift(clients: Clients, stub: Stubber) -> None:
    resource = http_api(stage="prod")
    list_apis(stub, api_item(cors=ORIGINS_ONLY))
    stages(stub, stage("prod", False, "p9"))
    deployments(stub, deployment("d1", 100, deployment_description(ORIGINS_ONLY)), deployment("p9", 900))
    no_routes(stub)
    live = HttpApiProvider(clients).read(resource)
    assert (live.pending_deployment, live.warnings) == (None, ())
    assert plan_resource(resource, live).action is Action.NOOP


def test_deployments_are_read_page_by_page(clients: Clients, stub: Stubber) -> None:
    resource = http_api(stage="prod")
    list_apis(stub, api_item(cors=ORIGINS_ONLY))
    stages(stub, stage("prod", False, "d2"))
    first_page = {"Items": [deployment("d1", 100)], "NextToken": "n"}
    second_page = {"Items": [deployment("d2", 200, deployment_description(ORIGINS_ONLY))]}
    stub.add_response("get_deployments", first_page, {"ApiId": "a1"})
    stub.add_response("get_deployments", second_page, {"ApiId": "a1", "NextToken": "n"})
    no_routes(stub)
    assert HttpApiProvider(clients).read(resource).pending_deployment is None


def test_deployments_are_not_read_for_an_auto_deploy_stage_or_without_stage(
    clients: Clients, stub: Stubber
) -> None:
    # The Stubber fails on any call not queued here: no get_deployments in either read.
    list_apis(stub, api_item(cors=ORIGINS_ONLY), api_item("a2", "billing", ORIGINS_ONLY))
    stages(stub, stage("$default", True, "auto1"))
    no_routes(stub)
    no_routes(stub, "a2")
    provider = HttpApiProvider(clients)
    assert provider.read(http_api(stage="$default")).pending_deployment is None
    assert provider.read(http_api("billing")).pending_deployment is None
