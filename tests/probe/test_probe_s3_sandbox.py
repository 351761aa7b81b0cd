"""`corsdeploy probe` end to end against the sandbox's S3: real requests to the bucket URL on the
endpoint override, every answer compared with check's. The sandbox answers browsers like S3 (its
CORS layer in front of moto), so every answer must agree: rule order, wildcards, methods, requested
headers and the attack origins included."""
from __future__ import annotations

import json
from pathlib import Path

import boto3

from corsdeploy.aws import Clients
from corsdeploy.model import AwsSettings, Kind, Location, Resource
from corsdeploy.sandbox.seed_apis import seed_function_url, seed_http_api
from tests.cli_support import InProcessCli
from tests.conftest import MotoServer

ENVIRONMENT = """\
aws:
  region: eu-west-1
  endpoint_url: {url}
s3_buckets:
  assets:
    cors:
      - AllowedOrigins: ["https://app.example.com", "https://*.example.org"]
        AllowedMethods: [PUT, POST]
        AllowedHeaders: ["Content-Type", "x-amz-*"]
        ExposeHeaders: [ETag]
        MaxAgeSeconds: 600
      - AllowedOrigins: ["https://admin.example.com"]
        AllowedMethods: [GET]
      - AllowedOrigins: ["*"]
        AllowedMethods: [HEAD]
  private:
    cors: absent
"""


def _project(moto_server: MotoServer, tmp_path: Path) -> InProcessCli:
    s3 = boto3.client("s3", endpoint_url=moto_server.url, region_name="eu-west-1")
    for bucket in ("assets", "private"):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    cli = InProcessCli(tmp_path)
    cli.write_env("dev", ENVIRONMENT.format(url=moto_server.url))
    assert cli("apply", "--env", "dev", "--auto-approve").returncode == 0
    return cli


def test_the_sandbox_answers_every_probe_request_as_s3_does(moto_server: MotoServer, tmp_path: Path) -> None:
    cli = _project(moto_server, tmp_path)
    text = cli("probe", "--env", "dev")
    assert text.returncode == 0, text.stdout + text.stderr
    (summary,) = text.stdout.splitlines()
    assert summary.startswith("Probe of dev: ") and summary.endswith("every answer agrees with check.")

    document = json.loads(cli("probe", "--env", "dev", "--format", "json").stdout)
    urls = [r["url"] for r in document["resources"]]
    assert urls == [f"{moto_server.url}/assets/", f"{moto_server.url}/private/"]
    assets, private = (r["requests"] for r in document["resources"])
    assert document["summary"]["agree"] == document["summary"]["requests"] == len(assets) + len(private)
    # S3 goes on to rule 1 for admin's GET (moto alone stops at rule 0)...
    admin = next(r for r in assets if r["origin"] == "https://admin.example.com" and r["preflight"])
    assert admin["got"]["status"] == 200
    assert admin["got"]["headers"]["Access-Control-Allow-Origin"] == "https://admin.example.com"
    # ... and anchors origins (moto alone takes any origin that starts with an allowed one).
    attack = "https://app.example.com.evil.example"
    lookalike = next(r for r in assets if r["origin"] == attack and r["preflight"])
    assert lookalike["got"] == {"status": 403, "headers": {}}
    # The `*` rule allows HEAD only: anyone else's GET gets no CORS headers.
    head = next(r for r in assets if r["origin"] == "https://evil.example" and r["method"] == "GET")
    assert head["got"]["headers"] == {}
    # A bucket without CORS refuses every preflight.
    assert {r["got"]["status"] for r in private if r["preflight"]} == {403}


APIS = """\
http_apis:
  orders:
    cors:
      AllowOrigins: ["https://app.example.com"]
      AllowMethods: [GET]
function_urls:
  thumbnailer:
    cors:
      AllowOrigins: ["https://app.example.com"]
      AllowMethods: [GET]
"""


def test_apis_the_sandbox_cannot_serve_are_not_probed_and_do_not_fail_the_probe(
    moto_server: MotoServer, tmp_path: Path
) -> None:
    """moto has no API Gateway or function URL data plane: after one request each (which the sandbox
    answers as not served), they are reported as not probed, and the buckets' agreement decides."""
    clients = Clients(AwsSettings(region="eu-west-1", endpoint_url=moto_server.url))
    where = Location("environments/dev.yaml", 1, 1)
    seed_http_api(clients, Resource(Kind.HTTP_API, "orders", None, where))
    seed_function_url(clients, Resource(Kind.FUNCTION_URL, "thumbnailer", None, where))
    s3 = boto3.client("s3", endpoint_url=moto_server.url, region_name="eu-west-1")
    for bucket in ("assets", "private"):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    cli = InProcessCli(tmp_path)
    cli.write_env("dev", ENVIRONMENT.format(url=moto_server.url) + APIS)
    assert cli("apply", "--env", "dev", "--auto-approve").returncode == 0

    text = cli("probe", "--env", "dev")
    assert text.returncode == 0, text.stdout + text.stderr
    *skipped, summary = text.stdout.splitlines()
    addresses = [line.split(": not probed: ")[0] for line in skipped]
    assert addresses == ["http_api.orders", "function_url.thumbnailer"]
    assert all("the corsdeploy sandbox serves S3 only" in line for line in skipped)
    assert summary.endswith("every answer agrees with check; 2 not probed.")
    document = json.loads(cli("probe", "--env", "dev", "--format", "json").stdout)
    assert document["summary"]["not_probed"] == 2
    assert [r["requests"] for r in document["resources"] if r["not_probed"]] == [[], []]
