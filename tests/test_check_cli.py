"""`corsdeploy check`: text and contract JSON in-process, usage errors, escaping, no boto3 without
--live, and --live end to end against the moto server."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from tests.cli_support import InProcessCli
from tests.conftest import MotoServer

ENVIRONMENT = """\
aws:
  region: eu-west-1
s3_buckets:
  assets:
    cors:
      - ID: admin
        AllowedOrigins: ["https://admin.example.com"]
        AllowedMethods: [GET]
      - AllowedOrigins: ["https://app.example.com"]
        AllowedMethods: [GET, PUT]
        AllowedHeaders: [content-type]
        MaxAgeSeconds: 3000
  public-data:
    public: true
    cors:
      - AllowedOrigins: ["*"]
        AllowedMethods: [GET]
http_apis:
  orders:
    cors: {AllowOrigins: ["https://app.example.com"], AllowMethods: [GET, POST], AllowCredentials: true}
function_urls:
  thumbnailer:
    cors: {AllowOrigins: ["*"], AllowMethods: [GET]}
"""
APP = "https://app.example.com"
VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"


@pytest.fixture
def project(tmp_path: Path) -> InProcessCli:
    runner = InProcessCli(tmp_path)
    runner.write_env("dev", ENVIRONMENT)
    return runner


def check(runner: InProcessCli, *args: str) -> subprocess.CompletedProcess[str]:
    return runner("check", "--env", "dev", *args)


def test_json_is_the_contracts_check_document(project: InProcessCli) -> None:
    done = check(project, "--resource", "s3_bucket.assets", "--origin", APP, "--method", "PUT",
                 "--header", "Content-Type", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "address": "s3_bucket.assets", "allowed": True, "status": 200, "matched_rule": 1,
        "headers": {"Access-Control-Allow-Origin": APP, "Access-Control-Allow-Credentials": "true",
                    "Access-Control-Allow-Methods": "GET, PUT",
                    "Access-Control-Allow-Headers": "content-type",
                    "Access-Control-Max-Age": "3000", "Vary": VARY},
        "reason": "rule 1 matches origin, method and every requested header"}


def test_an_s3_actual_request_no_rule_matches_is_200_and_not_allowed(project: InProcessCli) -> None:
    # The contract's words: "status: 200, allowed: false, headers: {}, matched_rule: null".
    done = check(project, "--resource", "s3_bucket.assets", "--origin", "https://evil.example",
                 "--method", "GET", "--actual", "--format", "json")
    assert done.returncode == 0
    document = json.loads(done.stdout)
    assert (document["status"], document["allowed"], document["headers"], document["matched_rule"]) == (
        200, False, {}, None)


def test_text_gives_verdict_status_headers_then_each_rule(project: InProcessCli) -> None:
    done = check(project, "--resource", "s3_bucket.assets", "--origin", APP, "--method", "put",
                 "--header", "content-type,x-trace")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "s3_bucket.assets: blocked",
        "  request: preflight (OPTIONS) for PUT from https://app.example.com, requesting headers "
        "content-type, x-trace",
        "  status: 403",
        "  headers: none (no CORS headers)",
        "  reason: CORSResponse: This CORS request is not allowed. This is usually because the evalution of "
        "Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not "
        "whitelisted by the resource's CORS spec.",
        "  steps:",
        "    rule 0 (ID 'admin'): origin 'https://app.example.com' matches none of AllowedOrigins "
        "[\"https://admin.example.com\"]; method PUT is not one of AllowedMethods [\"GET\"]; "
        "no AllowedHeaders, so no requested header is allowed (content-type, x-trace)",
        "    rule 1: requested header x-trace matches no AllowedHeaders entry [\"content-type\"]",
        "    browser: the browser blocks it: the response has no Access-Control-Allow-Origin header",
    ]


def test_text_lists_the_headers_and_unconfirmed_notes_on_lines_of_their_own(project: InProcessCli) -> None:
    done = check(project, "--resource", "http_api.orders", "--origin", APP, "--method", "POST",
                 "--credentials")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:7] == [
        "http_api.orders: allowed",
        "  request: preflight (OPTIONS) for POST from https://app.example.com, with credentials",
        "  status: 204",
        "  headers:",
        "    Access-Control-Allow-Origin: https://app.example.com",
        "    Access-Control-Allow-Credentials: true",
        "    Access-Control-Allow-Methods: GET,POST",
    ]
    assert "  reason: origin, method and every requested header are allowed" in lines
    assert "    UNCONFIRMED: API Gateway answers an allowed preflight with 204 (facts §3.3, §8.3)" in lines


@pytest.mark.parametrize(("address", "args", "allowed"), [
    # `*` with credentials: the browser refuses what S3 sends.
    ("s3_bucket.public-data", ("--actual", "--credentials"), False),
    ("s3_bucket.public-data", ("--actual",), True),
    ("function_url.thumbnailer", (), True),
    ("http_api.orders", ("--actual",), True),
])
def test_every_kind_is_checked_and_the_exit_status_is_0_whatever_the_verdict(
        project: InProcessCli, address: str, args: tuple[str, ...], allowed: bool) -> None:
    done = check(project, "--resource", address, "--origin", APP, "--method", "GET", *args,
                 "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["allowed"] is allowed


def test_an_unknown_resource_is_one_line_naming_the_addresses(project: InProcessCli) -> None:
    done = check(project, "--resource", "s3_bucket.nope", "--origin", APP, "--method", "GET")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == ("Error: --resource s3_bucket.nope: no such resource in environment 'dev' "
                           "(addresses: function_url.thumbnailer, http_api.orders, s3_bucket.assets, "
                           "s3_bucket.public-data)\n")


@pytest.mark.parametrize("args", [
    ("--resource", "s3_bucket.assets", "--method", "GET"),
    ("--resource", "s3_bucket.assets", "--origin", APP),
    ("--origin", APP, "--method", "GET"),
    ("--resource", "s3_bucket.assets", "--origin", APP, "--method", "GET", "--format", "yaml"),
])
def test_usage_errors_exit_1(project: InProcessCli, args: tuple[str, ...]) -> None:
    done = check(project, *args)
    assert done.returncode == 1 and "Usage:" in done.stderr


def test_control_characters_are_escaped_in_text_and_json(project: InProcessCli) -> None:
    origin = "https://app.example.com\x1b[2J\nInjected: line"
    text = check(project, "--resource", "s3_bucket.assets", "--origin", origin, "--method", "GET")
    assert text.returncode == 0
    assert "\x1b" not in text.stdout and "\nInjected" not in text.stdout
    assert "\\x1b[2J\\x0aInjected: line" in text.stdout
    as_json = check(project, "--resource", "s3_bucket.assets", "--origin", origin, "--method", "GET",
                    "--format", "json")
    assert "\x1b" not in as_json.stdout
    assert "Injected" not in json.loads(as_json.stdout)["reason"]  # S3's message, not the origin


def test_an_emoji_code_in_a_request_prints_as_written(project: InProcessCli) -> None:
    """Text may hold colons: rich would print `:smile:` as an emoji (and `:cd:` as a disc)."""
    text = check(project, "--resource", "s3_bucket.assets", "--origin", "https://app.example.com",
                 "--method", "GET", "--header", "x-a:smile:b")
    assert "x-a:smile:b" in text.stdout and "\U0001f604" not in text.stdout, text.stdout


def test_check_without_live_imports_no_boto3(project: InProcessCli) -> None:
    program = (
        "import json, os, sys\n"
        "from click.testing import CliRunner\n"
        "from corsdeploy.cli import cli\n"
        f"os.chdir({str(project.project)!r})\n"
        "done = CliRunner().invoke(cli, ['check', '--env', 'dev', '--resource', 'http_api.orders',"
        f" '--origin', {APP!r}, '--method', 'GET', '--format', 'json'])\n"
        "print(json.dumps([done.exit_code, sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', "
        "'botocore'))]))\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == [0, []]


LIVE_ENVIRONMENT = """\
aws:
  region: eu-west-1
  endpoint_url: {url}
{account}s3_buckets:
  uploads:
    cors:
      - AllowedOrigins: ["https://app.example.com"]
        AllowedMethods: [GET]
"""


def _live_project(tmp_path: Path, moto_server: MotoServer, account: str = "") -> InProcessCli:
    runner = InProcessCli(tmp_path)
    runner.write_env("dev", LIVE_ENVIRONMENT.format(url=moto_server.url, account=account))
    s3 = boto3.client("s3", endpoint_url=moto_server.url, region_name="eu-west-1")
    s3.create_bucket(Bucket="uploads", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_cors(Bucket="uploads", CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": ["https://other.example.com"], "AllowedMethods": ["GET", "PUT"]}]})
    return runner


def test_live_evaluates_the_buckets_live_rules(tmp_path: Path, moto_server: MotoServer) -> None:
    runner = _live_project(tmp_path, moto_server)
    args = ("check", "--env", "dev", "--resource", "s3_bucket.uploads", "--origin", "https://other.example.com",
            "--method", "PUT", "--format", "json")
    desired = json.loads(runner(*args).stdout)
    assert (desired["status"], desired["allowed"]) == (403, False)
    live = runner(*args, "--live")
    assert live.returncode == 0, live.stderr
    assert json.loads(live.stdout) == {
        "address": "s3_bucket.uploads", "allowed": True, "status": 200, "matched_rule": 0,
        "headers": {"Access-Control-Allow-Origin": "https://other.example.com",
                    "Access-Control-Allow-Credentials": "true", "Access-Control-Allow-Methods": "GET, PUT",
                    "Vary": VARY},
        "reason": "rule 0 matches origin, method and every requested header"}


def test_live_runs_the_account_guard_first(tmp_path: Path, moto_server: MotoServer) -> None:
    runner = _live_project(tmp_path, moto_server, account='  account_id: "111111111111"\n')
    done = runner("check", "--env", "dev", "--resource", "s3_bucket.uploads", "--origin", APP,
                  "--method", "GET", "--live")
    assert done.returncode == 1 and done.stdout == ""
    assert "111111111111" in done.stderr


def test_live_refuses_an_untrusted_endpoint(tmp_path: Path) -> None:
    runner = InProcessCli(tmp_path)
    runner.write_env("dev", LIVE_ENVIRONMENT.format(url="https://collector.example.net", account=""))
    done = runner("check", "--env", "dev", "--resource", "s3_bucket.uploads", "--origin", APP,
                  "--method", "GET", "--live")
    assert done.returncode == 1 and "CORSDEPLOY_TRUSTED_ENDPOINTS" in done.stderr
    # Without --live nothing is sent, so the file's endpoint does not matter.
    assert runner("check", "--env", "dev", "--resource", "s3_bucket.uploads", "--origin", APP,
                  "--method", "GET").returncode == 0


def test_engine_check_request_without_live_reads_nothing(tmp_path: Path) -> None:
    from corsdeploy.config import load_environment
    from corsdeploy.engine import check_request
    from corsdeploy.simulate.request import BrowserRequest

    untrusted = LIVE_ENVIRONMENT.format(url="https://collector.example.net", account="")
    (tmp_path / "dev.yaml").write_text(untrusted)
    environment = load_environment(tmp_path, "dev")
    answer = check_request(environment, "s3_bucket.uploads", BrowserRequest(APP, "GET"))
    assert (answer.allowed, answer.matched_rule) == (True, 0)
