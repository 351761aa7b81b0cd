"""Function URL `absent` as AWS does it (facts §7.7): `UpdateFunctionUrlConfig(Cors={})` clears the
CORS and GetFunctionUrlConfig then omits `Cors`. moto ignores `Cors={}`, so this is shown with
botocore's Stubber answering as AWS does."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber

from corsdeploy.aws import Clients
from corsdeploy.model import AwsSettings, Kind, Location, Resource
from corsdeploy.plan import Action, plan_resource
from corsdeploy.providers.function_url import FunctionUrlProvider
from corsdeploy.services.function_url import SERVICE
from corsdeploy.shapes import rule_from_cors

URL = "https://abc.lambda-url.eu-west-1.on.aws/"
CONFIG = {"FunctionUrl": URL, "AuthType": "NONE",
          "FunctionArn": "arn:aws:lambda:eu-west-1:123456789012:function:thumbnailer",
          "CreationTime": "2026-01-01T00:00:00Z", "LastModifiedTime": "2026-01-01T00:00:00Z"}
LIVE_CORS = {"AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET"], "MaxAge": 300}


def function_url(cors: dict[str, Any] | None) -> Resource:
    return Resource(Kind.FUNCTION_URL, "thumbnailer", rule_from_cors(cors) if cors is not None else None,
                    Location("environments/test.yaml", 9, 3))


@pytest.fixture
def clients() -> Clients:
    return Clients(AwsSettings(region="eu-west-1"))


@pytest.fixture
def stub(clients: Clients) -> Iterator[Stubber]:
    with Stubber(clients.client("lambda")) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def test_absent_clears_cors_with_an_empty_object(clients: Clients, stub: Stubber) -> None:
    target = {"FunctionName": "thumbnailer"}
    stub.add_response("get_function_url_config", {**CONFIG, "Cors": LIVE_CORS}, target)
    stub.add_response("list_tags", {"Tags": {}}, {"Resource": CONFIG["FunctionArn"]})
    stub.add_response("update_function_url_config", CONFIG, {**target, "Cors": {}})
    # What AWS answers once the CORS is cleared: no `Cors` at all.
    stub.add_response("get_function_url_config", CONFIG, target)
    resource = function_url(None)
    provider = FunctionUrlProvider(clients)
    live = provider.read(resource)
    change = plan_resource(resource, live)
    assert change.action is Action.DELETE
    provider.write(resource, live, change.after)
    assert plan_resource(resource, provider.read(resource)).action is Action.NOOP


@pytest.mark.parametrize("empty", [{}, {"AllowCredentials": False}, {"MaxAge": 0, "AllowOrigins": []}])
def test_an_empty_or_missing_cors_is_no_cors(clients: Clients, stub: Stubber, empty: dict[str, Any]) -> None:
    """Unlike HTTP APIs, a function URL's `Cors` absent is the same as `{}` (facts §4.4)."""
    target = {"FunctionName": "thumbnailer"}
    stub.add_response("get_function_url_config", {**CONFIG, "Cors": empty}, target)
    stub.add_response("get_function_url_config", CONFIG, target)
    provider = FunctionUrlProvider(clients)
    assert provider.read(function_url(None)).wire is None
    assert provider.read(function_url(None)).wire is None
    assert SERVICE.normalize(empty) is None
