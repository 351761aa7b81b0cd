"""The acceptance suite's helpers, offline: names, clean-up, request building, environment files,
the opt-in guard, and resource creation/deletion against moto. No network, no credentials."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from corsdeploy.config import load_file
from corsdeploy.config.services import s3_document_bytes
from corsdeploy.model import Kind
from tests.acceptance import guard
from tests.acceptance.cleanup import CleanupRegistry, cleaned_up, sigterm_raises_keyboard_interrupt
from tests.acceptance.experiments import ACCEPTED, outcome, s3_rules_of_size
from tests.acceptance.naming import (
    BUCKET_MAX,
    HTTP_MANUAL_STAGE,
    REST_STAGE,
    Names,
    bucket_name_problems,
    is_suite_name,
    new_names,
    new_prefix,
)
from tests.acceptance.probes import Answer, Probe, actual, build_request, eventually, preflight, send
from tests.acceptance.scenario import ABSENT, Phase, addresses, environment, render
from tests.acceptance.throwaway import (
    FUNCTION_SOURCE,
    INVOKED_HEADER,
    Aws,
    DeploymentPacer,
    Throwaway,
    create_bucket,
    create_function,
    create_function_url,
    create_rest_api,
    create_role,
    function_zip,
    ignoring,
)

ROOT = Path(__file__).resolve().parent.parent
MOMENT = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


# --- names -----------------------------------------------------------------------------------------


def test_prefix_is_utc_time_and_a_random_token() -> None:
    assert new_prefix(MOMENT, "0a1b2c3d") == "cdacc-20260304-050607-0a1b2c3d"
    later_elsewhere = MOMENT.astimezone(timezone(timedelta(hours=-5)))
    assert new_prefix(later_elsewhere, "0a1b2c3d") == "cdacc-20260304-050607-0a1b2c3d"


def test_prefixes_are_unique_within_one_second_and_across_seconds() -> None:
    same_second = {new_prefix(MOMENT) for _ in range(100)}
    assert len(same_second) == 100
    assert new_prefix(MOMENT, "0a1b2c3d") != new_prefix(MOMENT + timedelta(seconds=1), "0a1b2c3d")


def test_every_name_of_a_run_is_valid_for_every_service() -> None:
    names = new_names()
    assert names.problems() == []
    assert is_suite_name(names.bucket) and is_suite_name(names.function) and is_suite_name(names.role)
    assert names.bucket == names.bucket.lower() and len(names.bucket) <= BUCKET_MAX
    assert len(names.function) <= 64 and len(names.role) <= 64


def test_names_a_service_would_refuse_are_refused_before_any_call() -> None:
    with pytest.raises(ValueError, match="bucket name"):
        new_names(MOMENT, "UPPER_X")
    assert Names("cdacc-" + "x" * 60).problems()  # too long for a bucket, a function and a role


@pytest.mark.parametrize("name", ["a", "Bad_Bucket", "my bucket", "192.168.1.1", "xn--bucket", "b..b",
                                  "-bucket", "bucket-", "name-s3alias", "x" * 64])
def test_bucket_names_s3_refuses(name: str) -> None:
    assert bucket_name_problems(name)


def test_leftovers_of_a_killed_run_are_recognised_by_their_prefix() -> None:
    assert is_suite_name("cdacc-20260304-050607-0a1b2c3d-bucket")
    assert not is_suite_name("cdacc-prod-assets") and not is_suite_name("my-cdacc-20260304-050607-0a1b2c3d")


# --- clean-up --------------------------------------------------------------------------------------


def test_cleanup_runs_newest_first() -> None:
    done: list[str] = []
    registry = CleanupRegistry(log=lambda line: None)
    for name in ("role", "function", "api", "bucket"):
        registry.add(name, partial(done.append, name))
    assert registry.run() == []
    assert done == ["bucket", "api", "function", "role"]
    assert len(registry) == 0 and registry.run() == []  # each deletion runs once


def test_cleanup_tries_every_deletion_and_reports_the_failures() -> None:
    done: list[str] = []
    lines: list[str] = []
    registry = CleanupRegistry(log=lines.append)
    registry.add("role", lambda: done.append("role"))
    registry.add("function", lambda: (_ for _ in ()).throw(RuntimeError("AccessDenied")))
    registry.add("api", lambda: (_ for _ in ()).throw(KeyboardInterrupt()))  # a second Ctrl-C
    registry.add("bucket", lambda: done.append("bucket"))
    failures = registry.run()
    assert done == ["bucket", "role"]
    assert [failure.description for failure in failures] == ["api", "function"]
    assert registry.failures == failures
    assert "could NOT delete" in lines[0]
    assert lines[1:] == ["  - api: KeyboardInterrupt: ", "  - function: RuntimeError: AccessDenied"]


def test_cleanup_runs_when_the_block_is_interrupted() -> None:
    done: list[str] = []
    with pytest.raises(KeyboardInterrupt), cleaned_up(log=lambda line: None) as registry:
        registry.add("bucket", lambda: done.append("bucket"))
        raise KeyboardInterrupt
    assert done == ["bucket"]


def test_sigterm_unwinds_like_ctrl_c_and_the_old_handler_comes_back() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt, match="SIGTERM"), sigterm_raises_keyboard_interrupt():
        os.kill(os.getpid(), signal.SIGTERM)
        threading.Event().wait(5)  # the handler raises before this ends
    assert signal.getsignal(signal.SIGTERM) == before


SIGNALLED_RUN = textwrap.dedent('''
    import os, signal, threading
    from pathlib import Path
    import pytest
    from tests.acceptance.cleanup import cleaned_up

    MARK = Path(os.environ["MARK"])

    @pytest.fixture(scope="session")
    def resources():
        with cleaned_up() as registry:
            registry.add("throwaway", lambda: MARK.write_text("deleted"))
            if os.environ["WHEN"] == "setup":
                os.kill(os.getpid(), signal.SIGTERM)
                threading.Event().wait(5)
            yield

    def test_killed(resources):
        os.kill(os.getpid(), signal.SIGTERM)
        threading.Event().wait(5)
''')


@pytest.mark.parametrize("when", ["setup", "test"])
def test_a_run_killed_with_sigterm_still_deletes_its_resources(tmp_path: Path, when: str) -> None:
    """pytest tears the session fixture down after the interrupt, whether it came while resources
    were being made or during a test."""
    (tmp_path / "test_signalled.py").write_text(SIGNALLED_RUN)
    mark = tmp_path / "mark"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         str(tmp_path / "test_signalled.py")],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT), "MARK": str(mark), "WHEN": when},
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2, done.stdout + done.stderr  # pytest's "interrupted"
    assert mark.read_text() == "deleted", done.stdout + done.stderr


# --- the opt-in guard ------------------------------------------------------------------------------


def _never() -> guard.SessionFacts:
    raise AssertionError("credentials were looked at although the suite was not asked for")


def _facts(region: str | None = "eu-west-1", credentials: bool = True) -> Any:
    return lambda: guard.SessionFacts(region, credentials)


@pytest.mark.parametrize("value", [None, "", "0", "true", "yes"])
def test_not_asked_for_means_skipped_without_looking_at_credentials(value: str | None) -> None:
    environ = {} if value is None else {guard.OPT_IN_VARIABLE: value}
    refused = guard.refusal(environ, _never)
    assert refused is not None and not refused.fatal
    assert "CORSDEPLOY_ACCEPTANCE=1" in refused.message and "make acceptance" in refused.message


def test_asked_for_with_credentials_and_region_runs() -> None:
    assert guard.refusal({guard.OPT_IN_VARIABLE: "1"}, _facts()) is None


@pytest.mark.parametrize(("environ", "facts", "says"), [
    ({}, _facts(credentials=False), "no AWS credentials"),
    ({}, _facts(region=None), "no AWS region"),
    ({"AWS_ENDPOINT_URL": "http://127.0.0.1:4566"}, _facts(), "unset AWS_ENDPOINT_URL"),
    ({"AWS_ENDPOINT_URL_S3": "http://127.0.0.1:4566"}, _facts(), "unset AWS_ENDPOINT_URL_S3"),
    ({"PYTEST_XDIST_WORKER": "gw0"}, _facts(), "without -n"),
])
def test_asked_for_but_unable_stops_the_run(environ: dict[str, str], facts: Any, says: str) -> None:
    refused = guard.refusal({guard.OPT_IN_VARIABLE: "1", **environ}, facts)
    assert refused is not None and refused.fatal and says in refused.message


def _pytest_on_acceptance(extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environ = {name: value for name, value in os.environ.items()
               if not name.startswith(("AWS_", "CORSDEPLOY_", "PYTEST_"))}
    environ.update({"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                    "AWS_EC2_METADATA_DISABLED": "true", **extra_env})
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "-p", "no:xdist",
         "tests/acceptance"],
        cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120,
    )


def test_pytest_on_the_acceptance_folder_without_opt_in_skips_every_test_saying_why() -> None:
    done = _pytest_on_acceptance({})
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" not in done.stdout and " failed" not in done.stdout and " error" not in done.stdout
    assert " skipped" in done.stdout and "CORSDEPLOY_ACCEPTANCE=1" in done.stdout


def test_pytest_on_the_acceptance_folder_opted_in_without_credentials_fails_fast() -> None:
    done = _pytest_on_acceptance({guard.OPT_IN_VARIABLE: "1"})
    assert done.returncode == 1, done.stdout + done.stderr
    output = done.stdout + done.stderr
    assert "no AWS credentials" in output and "no AWS region" in output
    assert " passed" not in done.stdout and " skipped" not in done.stdout


# --- requests --------------------------------------------------------------------------------------


def _sent(probe: Probe) -> dict[str, str]:
    return {name.lower(): value for name, value in build_request(probe).header_items()}


def test_a_preflight_carries_origin_method_and_requested_headers() -> None:
    probe = preflight("https://x.example/p", "https://app.example", "PUT", ["content-type", "x-a"])
    request = build_request(probe)
    assert request.get_method() == "OPTIONS" and request.full_url == "https://x.example/p"
    assert _sent(probe) == {"origin": "https://app.example", "access-control-request-method": "PUT",
                            "access-control-request-headers": "content-type,x-a"}


def test_an_actual_request_carries_only_the_origin() -> None:
    assert build_request(actual("https://x.example/", "https://app.example")).get_method() == "GET"
    assert _sent(actual("https://x.example/", "https://app.example")) == {"origin": "https://app.example"}
    assert _sent(actual("https://x.example/", None)) == {}


class _Recorder(BaseHTTPRequestHandler):
    """Answers 403 with two Access-Control-Allow-Origin headers, and remembers what it was sent."""

    seen: ClassVar[list[dict[str, str]]] = []

    def do_OPTIONS(self) -> None:
        type(self).seen.append(dict(self.headers.items()))
        self.send_response(403)
        self.send_header("Access-Control-Allow-Origin", "https://one.example")
        self.send_header("Access-Control-Allow-Origin", "https://two.example")
        self.send_header("Content-Length", "6")
        self.end_headers()
        self.wfile.write(b"denied")

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def local_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/path"
    server.shutdown()
    server.server_close()


def test_send_puts_the_headers_on_the_wire_and_keeps_an_error_status_as_an_answer(local_server: str) -> None:
    _Recorder.seen.clear()
    answer = send(preflight(local_server, "https://app.example", "DELETE", ["x-a"]))
    (sent,) = _Recorder.seen
    assert sent["Origin"] == "https://app.example"
    assert sent["Access-Control-Request-Method"] == "DELETE"
    assert sent["Access-Control-Request-Headers"] == "x-a"
    assert answer.status == 403 and answer.body == b"denied"
    assert answer.all("access-control-allow-origin") == ["https://one.example", "https://two.example"]
    assert answer.allow_origin == "https://one.example, https://two.example"
    assert not answer.allows("https://one.example")  # two values: a browser refuses the answer


def test_allows_means_the_exact_origin_or_a_wildcard() -> None:
    echo = Answer(200, (("Access-Control-Allow-Origin", "https://app.example"),))
    assert echo.allows("https://app.example") and not echo.allows("https://evil.example")
    assert Answer(200, (("access-control-allow-origin", "*"),)).allows("https://evil.example")
    assert not Answer(200).allows("https://app.example")


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_eventually_retries_network_errors_and_not_yet_answers_until_the_expected_one() -> None:
    clock = _Clock()
    replies: list[Any] = [OSError("DNS not yet"), Answer(403), Answer(200)]

    def sender(probe: Probe) -> Answer:
        reply = replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply

    answer = eventually(actual("https://x.example/", None), lambda a: a.status == 200, "ready",
                        sender=sender, clock=clock, sleep=clock.sleep, interval=3)
    assert answer.status == 200 and clock.now == 6


def test_eventually_gives_up_after_its_timeout_saying_what_and_the_last_answer() -> None:
    clock = _Clock()
    with pytest.raises(AssertionError, match=r"CORS is live: not so after 10 s; last: .*-> 403"):
        eventually(actual("https://x.example/", None), lambda a: a.status == 200, "CORS is live",
                   sender=lambda probe: Answer(403, probe=probe), clock=clock, sleep=clock.sleep,
                   timeout=10, interval=3)
    assert clock.now == 12


# --- environment files -----------------------------------------------------------------------------


NAMES = Names(new_prefix(MOMENT, "0a1b2c3d"))


def _load(tmp_path: Path, phase: Phase, http_stage: bool = True) -> Any:
    document = environment(NAMES, "eu-west-1", "012345678901", phase, http_stage=http_stage)
    path = tmp_path / "environments" / "acc.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(render(document, NAMES.prefix))
    return load_file(path)


@pytest.mark.parametrize("phase", list(Phase))
def test_every_phase_is_a_file_corsdeploy_validates(tmp_path: Path, phase: Phase) -> None:
    loaded = _load(tmp_path, phase)
    assert {resource.address for resource in loaded.resources} == set(addresses(NAMES).values())
    assert loaded.aws.account_id == "012345678901" and loaded.aws.region == "eu-west-1"
    assert all((resource.cors is None) == (phase is Phase.ABSENT) for resource in loaded.resources)
    rest = next(resource for resource in loaded.resources if resource.kind is Kind.REST_API)
    assert rest.settings["stage"] == REST_STAGE and list(rest.settings["resources"]) == ["/items"]
    http = next(resource for resource in loaded.resources if resource.kind is Kind.HTTP_API)
    assert http.settings.get("stage") == HTTP_MANUAL_STAGE


def test_the_http_stage_setting_can_be_left_out(tmp_path: Path) -> None:
    loaded = _load(tmp_path, Phase.CHANGED, http_stage=False)
    http = next(resource for resource in loaded.resources if resource.kind is Kind.HTTP_API)
    assert not http.settings.get("stage")


def test_the_file_says_where_it_came_from() -> None:
    text = render(environment(NAMES, "eu-west-1", None, Phase.ABSENT), NAMES.prefix)
    assert text.startswith("# Written by corsdeploy's acceptance suite for throwaway resources named "
                           f"{NAMES.prefix}-*")
    assert f"cors: {ABSENT}" in text and "account_id" not in text


def test_s3_rules_of_an_exact_document_size() -> None:
    for size in (65536, 65537):
        rules = s3_rules_of_size(size, "https://a.example", 100)
        assert len(rules) == 100 and s3_document_bytes(rules) == size
    with pytest.raises(ValueError):
        s3_rules_of_size(100, "https://a.example", 100)


def test_outcome_says_what_the_service_answered() -> None:
    assert outcome(lambda: None) == ACCEPTED
    error = ClientError({"Error": {"Code": "InvalidRequest", "Message": "no"}}, "PutBucketCors")
    assert outcome(lambda: (_ for _ in ()).throw(error)) == "refused: InvalidRequest: no"


# --- resources -------------------------------------------------------------------------------------


def test_deployments_are_spaced_by_the_quota() -> None:
    clock = _Clock()
    pacer = DeploymentPacer(spacing=5, clock=clock, sleep=clock.sleep)
    pacer.wait()
    assert clock.now == 0
    clock.now += 2
    pacer.wait()
    assert clock.now == 5
    clock.now += 7
    pacer.wait()
    assert clock.now == 12


def test_the_function_answers_and_sends_its_own_header_on_request() -> None:
    namespace: dict[str, Any] = {}
    exec(compile(FUNCTION_SOURCE, "handler.py", "exec"), namespace)
    plain = namespace["handler"]({"queryStringParameters": None}, None)
    assert plain["statusCode"] == 200 and plain["headers"][INVOKED_HEADER] == "yes"
    assert "Access-Control-Allow-Origin" not in plain["headers"]
    own = namespace["handler"]({"queryStringParameters": {"acao": "https://f.example"}}, None)
    assert own["headers"]["Access-Control-Allow-Origin"] == "https://f.example"
    assert function_zip()[:2] == b"PK"


def test_endpoint_urls() -> None:
    made = Throwaway(NAMES, "eu-west-1", "arn", "https://u.lambda-url.eu-west-1.on.aws/", "h1", "r1", "root")
    assert made.s3_object_url == f"https://{NAMES.bucket}.s3.eu-west-1.amazonaws.com/probe.txt"
    assert made.http_url() == "https://h1.execute-api.eu-west-1.amazonaws.com/hello"
    assert made.http_url(HTTP_MANUAL_STAGE) == "https://h1.execute-api.eu-west-1.amazonaws.com/manual/hello"
    assert made.rest_url("/items") == "https://r1.execute-api.eu-west-1.amazonaws.com/acc/items"


def test_ignoring_swallows_only_the_named_codes() -> None:
    def fail(code: str) -> None:
        raise ClientError({"Error": {"Code": code, "Message": ""}}, "Delete")

    ignoring(["NoSuchBucket"], lambda: fail("NoSuchBucket"))
    with pytest.raises(ClientError):
        ignoring(["NoSuchBucket"], lambda: fail("AccessDenied"))


@mock_aws
def test_resources_are_made_and_every_one_is_deleted_also_after_a_failure() -> None:
    """Against moto: each create registers its deletion first; a failure after some creates leaves
    nothing once the registry has run (the REST API's and the bucket's deletions included)."""
    aws = Aws(boto3.Session(region_name="eu-west-1"), "eu-west-1", "123456789012", "aws",
              pacer=DeploymentPacer(spacing=0))
    names = new_names()
    registry = CleanupRegistry(log=lambda line: None)
    with pytest.raises(RuntimeError, match="stopped"):
        role = create_role(aws, names, registry)
        create_function(aws, names, registry, role)
        create_function_url(aws, names, "arn")
        create_rest_api(aws, names, registry)
        create_bucket(aws, names, registry)
        registry.add("the step that fails", lambda: None)
        raise RuntimeError("stopped")
    assert aws.client("lambda").get_function_url_config(FunctionName=names.function)["FunctionUrl"]
    assert [api["name"] for api in aws.client("apigateway").get_rest_apis()["items"]] == [names.rest_api]
    assert registry.run() == []
    assert aws.client("iam").list_roles()["Roles"] == []
    assert aws.client("lambda").list_functions()["Functions"] == []
    assert aws.client("apigateway").get_rest_apis()["items"] == []
    assert aws.client("s3").list_buckets()["Buckets"] == []
