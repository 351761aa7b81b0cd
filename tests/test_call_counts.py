"""The fewest API calls: every AWS call a plan (and an apply) makes, counted by botocore's
`before-call` event on every client corsdeploy builds, against moto in-process.

One GetBucketCors per bucket and nothing else (no region look-up: the region is known); HTTP APIs
from their paged listing, shared by all of them (never a GetApi per API); REST APIs' structure from
GetResources with embedded methods, 500 a page.
"""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

import corsdeploy.aws
from corsdeploy.config import load_environment
from corsdeploy.engine import apply_run, plan_environment, write_session
from tests.rest_support import build_api

CORS = '{AllowedOrigins: ["https://app.example.com"], AllowedMethods: [GET]}'
API_CORS = '{AllowOrigins: ["https://app.example.com"], AllowMethods: [GET]}'


class Calls:
    """Every call's (service, operation), and the query of each REST GetResources."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.made: Counter[tuple[str, str]] = Counter()
        self.get_resources_queries: list[dict[str, Any]] = []

    def hook(self, client: Any) -> Any:
        service = client.meta.service_model.service_name

        def count(model: Any, params: dict[str, Any], **_: Any) -> None:
            with self._lock:
                self.made[(service, model.name)] += 1
                if (service, model.name) == ("apigateway", "GetResources"):
                    self.get_resources_queries.append(dict(params.get("query_string") or {}))

        client.meta.events.register("before-call", count)
        return client

    def of(self, service: str) -> dict[str, int]:
        return {name: n for (svc, name), n in self.made.items() if svc == service}

    def reset(self) -> None:
        self.made.clear()
        self.get_resources_queries.clear()


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Calls]:
    monkeypatch.chdir(tmp_path)
    counted = Calls()
    build = corsdeploy.aws._sandbox_aware_client
    monkeypatch.setattr(corsdeploy.aws, "_sandbox_aware_client", lambda *a: counted.hook(build(*a)))
    with mock_aws():
        yield counted


def environment(tmp_path: Path, body: str) -> Any:
    (tmp_path / "environments").mkdir(exist_ok=True)
    (tmp_path / "environments" / "count.yaml").write_text(f"aws:\n  region: eu-west-1\n{body}")
    return load_environment(tmp_path / "environments", "count")


def test_plan_reads_each_bucket_once_and_looks_up_no_region(calls: Calls, tmp_path: Path) -> None:
    s3 = boto3.client("s3", region_name="eu-west-1")
    entries = []
    for index in range(30):
        name = f"bucket-{index:02d}"
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        entries.append(f"  {name}:\n    cors: [{CORS}]\n")
    calls.reset()
    plan_environment(environment(tmp_path, "s3_buckets:\n" + "".join(entries)))
    assert calls.of("s3") == {"GetBucketCors": 30}


def test_http_apis_come_from_one_shared_listing(calls: Calls, tmp_path: Path) -> None:
    v2 = boto3.client("apigatewayv2", region_name="eu-west-1")
    for index in range(12):
        v2.create_api(Name=f"api-{index:02d}", ProtocolType="HTTP", CorsConfiguration={
            "AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET"]})
    calls.reset()
    entries = "".join(f"  api-{index:02d}:\n    cors: {API_CORS}\n" for index in range(12))
    plan_environment(environment(tmp_path, "http_apis:\n" + entries))
    made = calls.of("apigatewayv2")
    # The listing once (moto answers it in one page); per API only its routes (the authorizer check).
    assert made == {"GetApis": 1, "GetRoutes": 12}


def test_rest_apis_read_their_resources_with_methods_500_a_page(calls: Calls, tmp_path: Path) -> None:
    v1 = boto3.client("apigateway", region_name="eu-west-1")
    for index in range(4):
        build_api(v1, f"legacy-{index}")
    calls.reset()
    entries = "".join(f"  legacy-{index}:\n    stage: prod\n    cors: {API_CORS}\n" for index in range(4))
    plan_environment(environment(tmp_path, "rest_apis:\n" + entries))
    made = calls.of("apigateway")
    assert made.pop("GetRestApis") == 1
    assert made.pop("GetExport") == 4  # each would change: what else its redeploy ships
    assert made == {"GetStage": 4, "GetDeployments": 4, "GetResources": 4, "GetGatewayResponses": 4}
    assert all(query == {"embed": ["methods"], "limit": 500} for query in calls.get_resources_queries)


def test_apply_rereads_a_rest_api_without_asking_for_its_export_again(calls: Calls, tmp_path: Path) -> None:
    build_api(boto3.client("apigateway", region_name="eu-west-1"))
    env = environment(tmp_path, f"rest_apis:\n  legacy:\n    stage: prod\n    cors: {API_CORS}\n")
    with write_session(env) as session:
        run = plan_environment(env, (), session.clients)
        assert calls.of("apigateway")["GetExport"] == 1
        calls.reset()
        result = apply_run(run, session)
    assert result.ok
    made = calls.of("apigateway")
    assert "GetExport" not in made, made
