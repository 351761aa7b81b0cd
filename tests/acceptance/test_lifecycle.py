"""The real command against real AWS, as a user runs it: validate, plan, apply, a clean re-plan, a
changed file, then `cors: absent` for each resource; after each apply, real browser requests to
every endpoint. The tests run in file order and build on each other (one set of resources)."""
from __future__ import annotations

from typing import Any

import pytest

from tests.acceptance.naming import HTTP_MANUAL_STAGE
from tests.acceptance.probes import Answer, actual, eventually, preflight, send
from tests.acceptance.runner import Corsdeploy, Run
from tests.acceptance.scenario import (
    ADMIN,
    APP,
    EVIL,
    EXPOSED_HEADER,
    PROBE_HEADER,
    REST_PATH,
    Phase,
    addresses,
    environment,
    render,
)
from tests.acceptance.throwaway import INVOKED_HEADER, Aws, Throwaway, presigned_object_url

ENV = "acc"
NO_STAGE_ENV = "acc-nostage"
REQUESTED_HEADERS = ("content-type", PROBE_HEADER)


@pytest.fixture(scope="module")
def done() -> set[str]:
    """The steps that passed: a later step fails at once, saying which one it needs."""
    return set()


def needs(done: set[str], step: str) -> None:
    assert step in done, f"this step builds on {step!r}, which failed or did not run"


def write(cli: Corsdeploy, aws: Aws, throwaway: Throwaway, phase: Phase, *, name: str = ENV,
          http_stage: bool = True) -> None:
    document = environment(throwaway.names, aws.region, aws.account_id, phase, http_stage=http_stage)
    cli.write_env(name, render(document, throwaway.names.prefix))


def plan(cli: Corsdeploy, expected_exit: int, *args: str) -> dict[str, Any]:
    run = cli("plan", "--env", ENV, "--format", "json", "--detailed-exitcode", *args)
    assert run.returncode == expected_exit, run.describe()
    document: dict[str, Any] = run.json()
    for change in document["changes"]:
        assert isinstance(change.get("warnings"), list), f"no warnings list in {change}"
    return document


def actions(document: dict[str, Any]) -> dict[str, str]:
    return {change["address"]: change["action"] for change in document["changes"]}


def apply(cli: Corsdeploy) -> Run:
    run = cli("apply", "--env", ENV, "--auto-approve", "--format", "json")
    assert run.returncode == 0, run.describe()
    outcomes = {result["address"]: result["outcome"] for result in run.json()["results"]}
    assert "failed" not in outcomes.values(), run.describe()
    return run


def every(throwaway: Throwaway, action: str) -> dict[str, str]:
    return dict.fromkeys(addresses(throwaway.names).values(), action)


def is_allowed(origin: str) -> Any:
    return lambda answer: answer.allows(origin)


def is_refused(origin: str) -> Any:
    return lambda answer: not answer.allows(origin)


# --- first apply ---------------------------------------------------------------------------------


def test_validate_accepts_the_environment(cli: Corsdeploy, aws: Aws, throwaway: Throwaway,
                                          done: set[str]) -> None:
    write(cli, aws, throwaway, Phase.INITIAL)
    run = cli("validate", "--env", ENV)
    assert run.returncode == 0, run.describe()
    done.add("validate")


def test_first_plan_creates_cors_on_every_resource(cli: Corsdeploy, throwaway: Throwaway,
                                                   done: set[str]) -> None:
    needs(done, "validate")
    document = plan(cli, 2)
    assert actions(document) == every(throwaway, "create")
    assert all(change["before"] is None for change in document["changes"])
    done.add("plan")


def test_apply_then_plan_shows_no_changes(cli: Corsdeploy, throwaway: Throwaway, done: set[str]) -> None:
    needs(done, "plan")
    run = apply(cli)
    assert {result["outcome"] for result in run.json()["results"]} == {"applied"}, run.describe()
    assert actions(plan(cli, 0)) == every(throwaway, "no-op")
    done.add("apply")


def test_s3_answers_as_applied(aws: Aws, throwaway: Throwaway, done: set[str]) -> None:
    needs(done, "apply")
    url = throwaway.s3_object_url
    answer = eventually(preflight(url, APP, "PUT", REQUESTED_HEADERS), is_allowed(APP),
                        "S3 answers the allowed origin's preflight")
    assert answer.status == 200, answer.describe()
    assert answer.header("Access-Control-Allow-Methods") == "GET, PUT", answer.describe()
    assert answer.header("Access-Control-Max-Age") == "300", answer.describe()
    refused = send(preflight(url, EVIL, "PUT"))
    assert refused.status == 403 and refused.allow_origin is None, refused.describe()

    signed = presigned_object_url(aws, throwaway.names)
    allowed = send(actual(signed, APP))
    assert allowed.status == 200 and allowed.allow_origin == APP, allowed.describe()
    assert allowed.header("Access-Control-Expose-Headers") == "ETag", allowed.describe()
    other = send(actual(signed, EVIL))  # actual requests are served; only the CORS headers are missing
    assert other.status == 200 and other.allow_origin is None, other.describe()


def test_http_api_auto_deploy_stage_answers_as_applied(throwaway: Throwaway, done: set[str]) -> None:
    needs(done, "apply")
    url = throwaway.http_url()
    answer = eventually(preflight(url, APP, "PUT", REQUESTED_HEADERS), is_allowed(APP),
                        "the HTTP API answers the allowed origin's preflight")
    assert 200 <= answer.status < 300, answer.describe()
    assert answer.header("Access-Control-Allow-Credentials") == "true", answer.describe()
    assert not send(preflight(url, EVIL, "PUT")).allows(EVIL)
    served = send(actual(url, ADMIN))
    assert served.status == 200 and served.allow_origin == ADMIN, served.describe()
    assert EXPOSED_HEADER in (served.header("Access-Control-Expose-Headers") or "").lower(), served.describe()
    other = send(actual(url, EVIL))
    assert other.status == 200 and not other.allows(EVIL), other.describe()


def test_http_api_manual_stage_is_deployed_by_corsdeploy(throwaway: Throwaway, done: set[str]) -> None:
    """With `stage:`, corsdeploy deploys the stage that does not deploy itself."""
    needs(done, "apply")
    url = throwaway.http_url(HTTP_MANUAL_STAGE)
    eventually(preflight(url, ADMIN, "PUT", REQUESTED_HEADERS), is_allowed(ADMIN),
               f"the {HTTP_MANUAL_STAGE!r} stage (AutoDeploy false) serves the applied CORS")
    served = send(actual(url, APP))
    assert served.status == 200 and served.allow_origin == APP, served.describe()


def test_rest_api_answers_as_applied(throwaway: Throwaway, done: set[str]) -> None:
    """On an API with binary media types `*/*` (MOCK preflights need CONVERT_TO_TEXT, facts §7.5)."""
    needs(done, "apply")
    url = throwaway.rest_url(REST_PATH)
    answer = eventually(preflight(url, APP, "PUT", REQUESTED_HEADERS), is_allowed(APP),
                        "the REST stage answers the allowed origin's preflight")
    assert answer.status == 200, answer.describe()
    assert "PUT" in (answer.header("Access-Control-Allow-Methods") or ""), answer.describe()
    assert not send(preflight(url, EVIL, "PUT")).allows(EVIL)
    served = send(actual(url, APP))
    assert served.status == 200 and served.allow_origin == APP, served.describe()
    # A missing resource is answered by a gateway response (DEFAULT_4XX): it carries CORS too.
    missing = send(actual(throwaway.rest_url("/no-such-resource"), APP))
    assert 400 <= missing.status < 500 and missing.allow_origin == APP, missing.describe()


def test_function_url_answers_as_applied(throwaway: Throwaway, done: set[str]) -> None:
    needs(done, "apply")
    url = throwaway.function_url
    answer = eventually(preflight(url, APP, "PUT", REQUESTED_HEADERS), is_allowed(APP),
                        "the function URL answers the allowed origin's preflight")
    assert 200 <= answer.status < 300, answer.describe()
    assert not send(preflight(url, EVIL, "PUT")).allows(EVIL)
    served = send(actual(url, APP))
    assert served.status == 200 and served.allow_origin == APP, served.describe()
    assert served.header(INVOKED_HEADER) == "yes", served.describe()
    other = send(actual(url, EVIL))
    assert other.status == 200 and not other.allows(EVIL), other.describe()


def test_plan_warns_for_a_stage_without_auto_deploy(cli: Corsdeploy, aws: Aws, throwaway: Throwaway,
                                                    done: set[str]) -> None:
    """Without `stage:`, a change to an HTTP API warns that its non-auto-deploy stage serves the old CORS."""
    needs(done, "apply")
    write(cli, aws, throwaway, Phase.CHANGED, name=NO_STAGE_ENV, http_stage=False)
    address = addresses(throwaway.names)["http"]
    run = cli("plan", "--env", NO_STAGE_ENV, "--format", "json", "--target", address)
    assert run.returncode == 0, run.describe()
    (change,) = run.json()["changes"]
    assert change["action"] == "update", run.describe()
    assert any(HTTP_MANUAL_STAGE in warning for warning in change["warnings"]), run.describe()


# --- a changed file ------------------------------------------------------------------------------


def test_changed_file_applies_and_removed_fields_are_removed_live(
    cli: Corsdeploy, aws: Aws, throwaway: Throwaway, done: set[str]
) -> None:
    """UpdateApi keeps every CORS field a request leaves out (facts §7.2): corsdeploy sends them all."""
    needs(done, "apply")
    write(cli, aws, throwaway, Phase.CHANGED)
    kinds = addresses(throwaway.names)
    assert actions(plan(cli, 2)) == {kinds["s3"]: "no-op", kinds["http"]: "update",
                                     kinds["rest"]: "update", kinds["function"]: "update"}
    apply(cli)
    assert actions(plan(cli, 0)) == every(throwaway, "no-op")
    live = aws.client("apigatewayv2").get_api(ApiId=throwaway.http_api_id).get("CorsConfiguration", {})
    removed = ("AllowHeaders", "ExposeHeaders", "MaxAge", "AllowCredentials")
    left = {field: live.get(field) for field in removed if live.get(field)}
    assert not left, f"fields removed from the file are still live: {left} (whole: {live})"
    assert [origin.lower() for origin in live.get("AllowOrigins", [])] == [APP], live
    done.add("changed")


def test_http_api_serves_the_narrowed_cors(throwaway: Throwaway, done: set[str]) -> None:
    needs(done, "changed")
    url = throwaway.http_url()
    eventually(preflight(url, ADMIN, "GET"), is_refused(ADMIN), "the removed origin is refused")
    answer = eventually(preflight(url, APP, "GET"), is_allowed(APP), "the kept origin is answered")
    assert answer.header("Access-Control-Allow-Credentials") is None, answer.describe()


def test_rest_api_template_echoes_each_listed_origin(throwaway: Throwaway, done: set[str]) -> None:
    """Two origins: the preflight's response template echoes whichever listed origin asks."""
    needs(done, "changed")
    url = throwaway.rest_url(REST_PATH)
    for origin in (ADMIN, APP):
        answer = eventually(preflight(url, origin, "GET"), is_allowed(origin),
                            f"the REST preflight echoes {origin}")
        assert answer.allow_origin == origin, answer.describe()
    refused = send(preflight(url, EVIL, "GET"))
    assert not refused.allows(EVIL), refused.describe()
    # Gateway responses cannot run templates: with several origins they map the caller's Origin.
    missing = send(actual(throwaway.rest_url("/no-such-resource"), ADMIN))
    assert missing.allow_origin == ADMIN, missing.describe()


def test_function_url_serves_the_changed_origins(throwaway: Throwaway, done: set[str]) -> None:
    needs(done, "changed")
    url = throwaway.function_url
    eventually(preflight(url, ADMIN, "GET"), is_allowed(ADMIN), "the added origin is answered")
    eventually(preflight(url, APP, "GET"), is_refused(APP), "the removed origin is refused")


# --- absent --------------------------------------------------------------------------------------


def test_absent_removes_cors_everywhere(cli: Corsdeploy, aws: Aws, throwaway: Throwaway,
                                        done: set[str]) -> None:
    needs(done, "apply")
    write(cli, aws, throwaway, Phase.ABSENT)
    assert cli("validate", "--env", ENV).returncode == 0
    document = plan(cli, 2)
    assert actions(document) == every(throwaway, "delete")
    assert all(change["after"] is None for change in document["changes"])
    apply(cli)
    assert actions(plan(cli, 0)) == every(throwaway, "no-op")
    assert "CorsConfiguration" not in aws.client("apigatewayv2").get_api(ApiId=throwaway.http_api_id)
    done.add("absent")


def _no_cors(answer: Answer) -> bool:
    return answer.allow_origin is None


def test_endpoints_send_no_cors_headers_after_absent(throwaway: Throwaway, done: set[str]) -> None:
    needs(done, "absent")
    s3 = eventually(preflight(throwaway.s3_object_url, APP, "GET"), _no_cors, "S3 stops answering CORS")
    assert s3.status == 403, s3.describe()
    eventually(preflight(throwaway.http_url(), APP, "GET"), _no_cors, "the HTTP API stops answering CORS")
    eventually(preflight(throwaway.http_url(HTTP_MANUAL_STAGE), APP, "GET"), _no_cors,
               f"the {HTTP_MANUAL_STAGE!r} stage stops answering CORS once corsdeploy deploys it")
    eventually(preflight(throwaway.rest_url(REST_PATH), APP, "GET"), is_refused(APP),
               "the REST stage stops answering CORS")
    eventually(preflight(throwaway.function_url, APP, "GET"), _no_cors,
               "the function URL stops answering CORS")
