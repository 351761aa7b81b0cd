"""`corsdeploy check --from-browser-error`: from a pasted console message to check's answer and the
smallest change to the file, offline in-process, and with --live end to end against the moto server
(API ids and function URLs the file does not hold are looked up in AWS)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from corsdeploy.aws import Clients
from corsdeploy.cli import cli
from corsdeploy.model import AwsSettings, Kind, Location, Resource
from corsdeploy.sandbox.seed_apis import seed_function_url, seed_http_api
from tests.cli_support import InProcessCli
from tests.conftest import MotoServer

ENVIRONMENT = """\
aws:
  region: eu-west-1
s3_buckets:
  uploads-prod:
    cors:
      - AllowedOrigins: ["https://admin.example.com"]
        AllowedMethods: [GET]
      - AllowedOrigins: ["https://app.example.com"]
        AllowedMethods: [GET, PUT]
        AllowedHeaders: [content-type]
http_apis:
  orders:
    id: a1b2c3d4e5
    cors:
      AllowOrigins: ["https://app.example.com"]
      AllowMethods: [GET, POST]
"""
APP = "https://app.example.com"
S3_URL = "https://uploads-prod.s3.eu-west-1.amazonaws.com/in/photo.jpg"
VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
# S3 refuses a preflight whole (403, no CORS headers) whatever does not match, so Chrome says this...
CHROME_PREFLIGHT = (f"upload.js:41 Access to fetch at '{S3_URL}' from origin '{APP}' has been blocked by "
                    "CORS policy: Response to preflight request doesn't pass access control check: No "
                    "'Access-Control-Allow-Origin' header is present on the requested resource.\n"
                    f"upload.js:41  PUT {S3_URL} net::ERR_FAILED")
# ...and never this, which needs an answer that allowed the origin.
CHROME_HEADER = (f"Access to fetch at '{S3_URL}' from origin '{APP}' has been blocked by CORS policy: "
                 "Request header field x-amz-meta-owner is not allowed by Access-Control-Allow-Headers in "
                 f"preflight response.\nPUT {S3_URL} net::ERR_FAILED")
FIREFOX_PREFLIGHT = ("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote "
                     f"resource at {S3_URL}. (Reason: CORS preflight response did not succeed). Status "
                     "code: 403.")
SAFARI_METHOD = ("[Error] Method DELETE is not allowed by Access-Control-Allow-Methods.\n[Error] Fetch API "
                 "cannot load https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/orders/7 due to "
                 "access control checks.")


@pytest.fixture
def project(tmp_path: Path) -> InProcessCli:
    runner = InProcessCli(tmp_path)
    runner.write_env("prod", ENVIRONMENT)
    return runner


def check(runner: InProcessCli, message: str, *args: str) -> subprocess.CompletedProcess[str]:
    return runner("check", "--env", "prod", "--from-browser-error", message, *args)


def test_json_adds_the_request_and_the_suggestion(project: InProcessCli) -> None:
    done = check(project, CHROME_PREFLIGHT, "--header", "x-amz-meta-owner", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "address": "s3_bucket.uploads-prod", "allowed": False, "status": 403, "matched_rule": None,
        "headers": {},
        "reason": "CORSResponse: This CORS request is not allowed. This is usually because the evalution of "
                  "Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers "
                  "are not whitelisted by the resource's CORS spec.",
        "request": {"url": S3_URL, "origin": APP, "method": "PUT", "headers": ["x-amz-meta-owner"],
                    "preflight": True},
        "suggestion": "environments/prod.yaml:10:25: add 'x-amz-meta-owner' to AllowedHeaders of rule 1 "
                      "(lint: nothing new)",
    }


def test_text_says_what_the_browser_said_then_checks_answer_then_the_change(project: InProcessCli) -> None:
    done = check(project, CHROME_HEADER)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:5] == [
        "Chromium says: a header is not in Access-Control-Allow-Headers",
        f"  url: {S3_URL}",
        "  note: the browser's answer allowed the origin, but the file's configuration does not: the browser "
        "met another configuration",
        "s3_bucket.uploads-prod: blocked",
        "  request: preflight (OPTIONS) for PUT from https://app.example.com, requesting headers "
        "x-amz-meta-owner, to /in/photo.jpg",
    ]
    assert lines[-2:] == [
        "suggestion: environments/prod.yaml:10:25: add 'x-amz-meta-owner' to AllowedHeaders of rule 1 "
        "(lint: nothing new)",
        "  with it, check allows the request (status 200, rule 1)",
    ]


def test_what_the_message_leaves_out_comes_from_the_options(project: InProcessCli) -> None:
    missing = check(project, FIREFOX_PREFLIGHT)
    assert missing.returncode == 1 and missing.stdout == ""
    assert missing.stderr == ("Error: the Firefox message does not name the page's origin: give --origin "
                              "(the scheme, host and port of the page that made the request)\n")
    no_method = check(project, FIREFOX_PREFLIGHT, "--origin", APP)
    assert no_method.returncode == 1 and "give --method" in no_method.stderr
    done = check(project, FIREFOX_PREFLIGHT, "--origin", "http://localhost:5173", "--method", "put",
                 "--header", "Content-Type", "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["request"] == {"url": S3_URL, "origin": "http://localhost:5173", "method": "PUT",
                                   "headers": ["content-type"], "preflight": True}
    assert document["suggestion"].startswith(
        "environments/prod.yaml:8:25: add 'http://localhost:5173' to AllowedOrigins of rule 1 (lint would "
        "report CD109 warning:")


def test_an_api_url_is_matched_by_the_files_id(project: InProcessCli) -> None:
    done = check(project, SAFARI_METHOD, "--origin", APP)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Safari says: the method is not in Access-Control-Allow-Methods"
    assert "http_api.orders: blocked" in lines
    assert lines[-2] == ("suggestion: environments/prod.yaml:16:21: add 'DELETE' to AllowMethods "
                         "(lint: nothing new)")


def test_a_request_the_file_allows_points_at_the_deployed_configuration(project: InProcessCli) -> None:
    message = CHROME_PREFLIGHT
    done = check(project, message, "--header", "content-type", "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert (document["allowed"], document["suggestion"]) == (True, None)
    text = check(project, message, "--header", "content-type").stdout.splitlines()
    assert ("suggestion: none: the file's configuration allows this request, so the browser met another one: "
            "compare with the live configuration (the same command with --live)") in text


def test_the_message_is_read_from_stdin_with_a_dash(project: InProcessCli,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project.project)
    args = ["check", "--env", "prod", "--from-browser-error", "-", "--format", "json"]
    done = CliRunner().invoke(cli, args, input=CHROME_HEADER.replace(" ", "\n"))
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["request"]["headers"] == ["x-amz-meta-owner"]



def test_stdin_that_is_not_utf8_is_read_with_the_bad_bytes_replaced(project: InProcessCli,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A console copied in another encoding (found by benchmarks/fuzz_loader.py): the message is still
    read, each byte that is not UTF-8 shown as U+FFFD, never an internal error."""
    monkeypatch.chdir(project.project)
    args = ["check", "--env", "prod", "--from-browser-error", "-", "--format", "json"]
    done = CliRunner().invoke(cli, args, input=b"\xc8\x85 " + CHROME_HEADER.encode() + b" \xff")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["request"]["headers"] == ["x-amz-meta-owner"]
    garbage = CliRunner().invoke(cli, args, input=b"\xc8\x85\xff\xfe")
    assert garbage.exit_code == 1
    assert garbage.stderr.startswith("Error: no CORS error found in the text")

@pytest.mark.parametrize(("message", "error"), [
    ("TypeError: Failed to fetch", "Error: no CORS error found in the text"),
    (CHROME_HEADER.replace("uploads-prod.s3", "other-bucket.s3"),
     f"Error: '{S3_URL.replace('uploads-prod', 'other-bucket')}': no resource of environment 'prod' serves "
     "it; the S3 bucket 'other-bucket' (an s3_buckets entry named 'other-bucket') would\n"),
    (SAFARI_METHOD.replace("a1b2c3d4e5", "zzzzzzzzzz"),
     "the API with id 'zzzzzzzzzz' (an http_apis or rest_apis entry with `id: zzzzzzzzzz`, or one that "
     "--live finds by name) would; run with --live to look the ids up in AWS\n"),
    (CHROME_HEADER.replace(S3_URL, "https://cdn.example.com/in/photo.jpg"),
     "is not an endpoint corsdeploy manages"),
])
def test_errors_are_one_line_and_exit_1(project: InProcessCli, message: str, error: str) -> None:
    done = check(project, message, "--origin", APP)
    assert done.returncode == 1 and done.stdout == ""
    assert error in done.stderr and done.stderr.count("\n") == 1


def test_resource_names_what_a_custom_domain_serves(project: InProcessCli) -> None:
    message = SAFARI_METHOD.replace("https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod",
                                    "https://api.example.com")
    done = check(project, message, "--origin", APP, "--resource", "http_api.orders", "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert (document["address"], document["request"]["method"]) == ("http_api.orders", "DELETE")


def test_a_sandbox_url_is_path_style_s3_on_the_endpoint(tmp_path: Path) -> None:
    runner = InProcessCli(tmp_path)
    runner.write_env("dev", ENVIRONMENT.replace("  region: eu-west-1\n",
                                                "  region: eu-west-1\n  endpoint_url: http://127.0.0.1:47123\n"))
    message = CHROME_PREFLIGHT.replace(S3_URL, "http://127.0.0.1:47123/uploads-prod/in/photo.jpg")
    done = runner("check", "--env", "dev", "--from-browser-error", message, "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert (document["address"], document["allowed"], document["suggestion"]) == (
        "s3_bucket.uploads-prod", True, None)


def test_a_url_on_the_moved_sandbox_is_found(tmp_path: Path) -> None:
    """CORSDEPLOY_SANDBOX_URL moves a loopback endpoint_url for every command (`make demo
    SANDBOX_PORT=...`); the browser then names the moved URL."""
    runner = InProcessCli(tmp_path)
    runner.write_env("dev", ENVIRONMENT.replace("  region: eu-west-1\n",
                                                "  region: eu-west-1\n  endpoint_url: http://127.0.0.1:4566\n"))
    message = CHROME_PREFLIGHT.replace(S3_URL, "http://127.0.0.1:47124/uploads-prod/in/photo.jpg")
    done = runner("check", "--env", "dev", "--from-browser-error", message, "--format", "json",
                  env={"CORSDEPLOY_SANDBOX_URL": "http://127.0.0.1:47124"})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["address"] == "s3_bucket.uploads-prod"


@pytest.mark.parametrize("args", [
    ("--origin", APP),
    ("--from-browser-error", CHROME_HEADER, "--path", "/items"),
])
def test_usage_errors_exit_1(project: InProcessCli, args: tuple[str, ...]) -> None:
    done = project("check", "--env", "prod", *args)
    assert done.returncode == 1 and "Usage:" in done.stderr


def test_control_characters_from_the_message_are_escaped(project: InProcessCli) -> None:
    message = CHROME_HEADER.replace("/in/photo.jpg", "/in/photo\x07\x1b.jpg")
    done = check(project, message)
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert "photo\\x07\\x1b.jpg" in done.stdout


def test_without_live_nothing_imports_boto3(project: InProcessCli) -> None:
    program = (
        "import json, sys\n"
        "from click.testing import CliRunner\n"
        "from corsdeploy.cli import cli\n"
        f"import os; os.chdir({str(project.project)!r})\n"
        f"args = ['check', '--env', 'prod', '--from-browser-error', {CHROME_HEADER!r}]\n"
        "done = CliRunner().invoke(cli, args)\n"
        "print(json.dumps([done.exit_code, sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', "
        "'botocore'))]))\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == [0, []]


# --- --live, against the moto server ---------------------------------------------------------------

LIVE_ENVIRONMENT = """\
aws:
  region: eu-west-1
  endpoint_url: {url}
s3_buckets:
  uploads-prod:
    cors:
      - AllowedOrigins: ["https://app.example.com"]
        AllowedMethods: [GET]
http_apis:
  orders:
    cors:
      AllowOrigins: ["https://app.example.com"]
      AllowMethods: [GET]
{more}function_urls:
  thumbnailer:
    cors:
      AllowOrigins: ["https://app.example.com"]
      AllowMethods: [GET]
"""


def live_project(tmp_path: Path, moto_server: MotoServer,
                 more: str = "") -> tuple[InProcessCli, dict[str, Any]]:
    """The environment on the moto server, with the bucket's live CORS other than the file's; returns
    the URLs AWS gave the API and the function."""
    runner = InProcessCli(tmp_path)
    runner.write_env("prod", LIVE_ENVIRONMENT.format(url=moto_server.url, more=more))
    clients = Clients(AwsSettings(region="eu-west-1", endpoint_url=moto_server.url))
    s3 = boto3.client("s3", endpoint_url=moto_server.url, region_name="eu-west-1")
    s3.create_bucket(Bucket="uploads-prod", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_cors(Bucket="uploads-prod", CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET", "PUT"]}]})
    where = Location("environments/prod.yaml", 1, 1)
    seed_http_api(clients, Resource(Kind.HTTP_API, "orders", None, where))
    seed_function_url(clients, Resource(Kind.FUNCTION_URL, "thumbnailer", None, where))
    api_id = clients.client("apigatewayv2").get_apis()["Items"][0]["ApiId"]
    function_url = clients.client("lambda").get_function_url_config(FunctionName="thumbnailer")["FunctionUrl"]
    return runner, {"api": f"https://{api_id}.execute-api.eu-west-1.amazonaws.com/items",
                    "function": function_url.rstrip("/") + "/thumb"}


def chrome(url: str, reason: str = "Method PUT is not allowed by Access-Control-Allow-Methods in preflight "
                                   "response.") -> str:
    return f"Access to fetch at '{url}' from origin '{APP}' has been blocked by CORS policy: {reason}"


def test_live_answers_with_the_live_configuration_and_suggests_for_the_file(
        tmp_path: Path, moto_server: MotoServer) -> None:
    runner, _ = live_project(tmp_path, moto_server)
    message = chrome(S3_URL)
    offline = json.loads(check(runner, message, "--format", "json").stdout)
    assert (offline["allowed"], offline["status"]) == (False, 403)
    done = check(runner, message, "--live", "--format", "json")
    assert done.returncode == 0, done.stderr
    live = json.loads(done.stdout)
    assert (live["allowed"], live["status"], live["matched_rule"]) == (True, 200, 0)
    assert live["headers"]["Access-Control-Allow-Methods"] == "GET, PUT"
    # The file is what would be applied: it still needs PUT.
    assert live["suggestion"] == ("environments/prod.yaml:8:25: add 'PUT' to AllowedMethods of rule 0 "
                                  "(lint: nothing new)")
    text = check(runner, message, "--live").stdout.splitlines()
    assert "  the file's configuration blocks it; the live one is answered below" in text


@pytest.mark.parametrize(("which", "address"), [("api", "http_api.orders"),
                                                ("function", "function_url.thumbnailer")])
def test_live_finds_apis_and_function_urls_the_file_names_by_name(
        tmp_path: Path, moto_server: MotoServer, which: str, address: str) -> None:
    runner, urls = live_project(tmp_path, moto_server)
    message = chrome(urls[which])
    offline = check(runner, message)
    assert offline.returncode == 1 and "run with --live" in offline.stderr
    done = check(runner, message, "--live", "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert (document["address"], document["request"]["method"]) == (address, "PUT")
    assert document["suggestion"].endswith("add 'PUT' to AllowMethods (lint: nothing new)")


def test_live_names_the_reads_that_failed_when_nothing_serves_the_url(
        tmp_path: Path, moto_server: MotoServer) -> None:
    more = "  missing-api:\n    cors: {AllowOrigins: [\"https://app.example.com\"], AllowMethods: [GET]}\n"
    runner, _ = live_project(tmp_path, moto_server, more=more)
    done = check(runner, chrome("https://zzzzzzzzzz.execute-api.eu-west-1.amazonaws.com/items"), "--live")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "Error: 'https://zzzzzzzzzz.execute-api.eu-west-1.amazonaws.com/items': no resource of environment "
        "'prod' serves it; the API with id 'zzzzzzzzzz' (an http_apis or rest_apis entry with "
        "`id: zzzzzzzzzz`, or one that --live finds by name) would",
        "Error: http_api.missing-api: no HTTP API is named 'missing-api'",
    ]
