"""Where each resource is probed, from its live read only: stages, resources, the function URL."""
from __future__ import annotations

from collections.abc import Sequence

import pytest

from corsdeploy.errors import CorsdeployError
from corsdeploy.model import CorsConfig, CorsRule, Kind, Live, Location, Resource, frozen
from corsdeploy.probe.endpoints import Endpoint
from corsdeploy.probe.locate import Context, configurations, locate
from corsdeploy.probe.requests import Target
from corsdeploy.providers.function_url import FunctionUrlHandle
from corsdeploy.providers.http_api import HttpApiHandle
from corsdeploy.services.rest_api.state import Method, RestApiState, RestResource

HERE = Location("environments/dev.yaml", 3, 3)
SANDBOX = "http://127.0.0.1:4566"


def _context(override: str | None = None, stages: Sequence[str] = ()) -> Context:
    return Context("eu-west-1", lambda kind: override, lambda resource, api_id: stages)


def _resource(kind: Kind, name: str, **settings: object) -> Resource:
    cors = CorsConfig((CorsRule(("https://app.example.com",), ("GET",)),))
    return Resource(kind, name, cors, HERE, frozen(settings))


@pytest.mark.parametrize(("settings", "stages", "url"), [
    ({"stage": "prod"}, (), "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/"),
    ({}, ("$default", "beta"), "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/"),
    ({}, ("beta",), "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/beta/"),
])
def test_an_http_api_is_probed_at_its_stage(settings: dict[str, object], stages: tuple[str, ...],
                                            url: str) -> None:
    resource = _resource(Kind.HTTP_API, "orders", **settings)
    live = Live(resource.address, None, HttpApiHandle("a1b2c3d4e5"))
    assert locate(resource, live, _context(stages=stages)).endpoint == Endpoint(url)


def test_an_http_api_with_several_stages_and_no_default_needs_stage() -> None:
    resource = _resource(Kind.HTTP_API, "orders")
    live = Live(resource.address, None, HttpApiHandle("a1b2c3d4e5"))
    with pytest.raises(CorsdeployError, match=r"no \$default stage \(its stages: 'a', 'b'\); set `stage:`"):
        locate(resource, live, _context(stages=("a", "b")))


def test_a_rest_api_is_probed_on_each_managed_resource_at_its_stage() -> None:
    resource = _resource(Kind.REST_API, "legacy", stage="prod", resources=["/items", "/items/{id}"])
    state = RestApiState("a1b2c3d4e5", "prod", (
        RestResource("r0", "/"), RestResource("r1", "/items", frozen({"GET": Method("GET")})),
        RestResource("r2", "/items/{id}"), RestResource("r3", "/{proxy+}")), frozen())
    location = locate(resource, Live(resource.address, None, state), _context(SANDBOX))
    stage_url = "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/"
    assert location.endpoint == Endpoint(stage_url, SANDBOX)
    assert location.targets == (Target("/items", "items"), Target("/items/{id}", "items/corsdeploy-probe"))


def test_a_function_url_is_the_one_lambda_returned_and_only_in_lambdas_form() -> None:
    resource = _resource(Kind.FUNCTION_URL, "thumbnailer")

    def live(url: str) -> Live:
        return Live(resource.address, None, FunctionUrlHandle("thumbnailer", None, url, "arn"))

    url = "https://abc123.lambda-url.eu-west-1.on.aws/"
    assert locate(resource, live(url), _context()).endpoint == Endpoint(url)
    with pytest.raises(CorsdeployError, match="is not of the form"):
        locate(resource, live("http://169.254.169.254/latest/"), _context())


def test_a_bucket_is_followed_to_its_region_on_aws_only() -> None:
    resource = _resource(Kind.S3_BUCKET, "assets")
    on_aws = locate(resource, Live(resource.address, None), _context())
    assert on_aws.relocate is not None
    assert on_aws.relocate("us-east-2") == Endpoint("https://assets.s3.us-east-2.amazonaws.com/")
    in_sandbox = locate(resource, Live(resource.address, None), _context(SANDBOX))
    assert (in_sandbox.endpoint, in_sandbox.relocate) == (Endpoint(f"{SANDBOX}/assets/"), None)


def test_requests_come_from_the_file_and_from_the_live_configuration_when_it_differs() -> None:
    resource = _resource(Kind.HTTP_API, "orders")
    same = Live(resource.address, {"AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET"]})
    assert configurations(resource, same) == (resource.cors,)
    other = Live(resource.address, {"AllowOrigins": ["https://old.example.com"], "AllowMethods": ["GET"]})
    assert configurations(resource, other) == (
        resource.cors, CorsConfig((CorsRule(("https://old.example.com",), ("GET",)),)))
    assert configurations(resource, Live(resource.address, None)) == (resource.cors, None)
