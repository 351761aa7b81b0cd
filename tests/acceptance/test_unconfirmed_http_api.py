"""HTTP API items of facts §7.2-7.4 and §8.3, settled on a real API (its `$default` stage deploys
itself, its `manual` stage does not). Each test records what API Gateway did; where corsdeploy
depends on an answer, the test checks it."""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from tests.acceptance.experiments import ACCEPTED, live_with_control, outcome, settled, verdict
from tests.acceptance.naming import HTTP_MANUAL_STAGE
from tests.acceptance.probes import eventually, preflight, samples, send
from tests.acceptance.scenario import fresh_origin
from tests.acceptance.throwaway import Aws, Throwaway, deploy_http_stage

Record = Callable[[str], str]
# Every field, unset ones empty: what corsdeploy sends on each write (UpdateApi merges, facts §7.2).
UNSET: dict[str, Any] = {"AllowOrigins": [], "AllowMethods": [], "AllowHeaders": [], "ExposeHeaders": [],
                         "MaxAge": 0, "AllowCredentials": False}
CORS_FIELDS = tuple(UNSET)


def whole(**fields: Any) -> dict[str, Any]:
    return {**UNSET, **fields}


def update(aws: Aws, throwaway: Throwaway, cors: dict[str, Any]) -> None:
    aws.client("apigatewayv2").update_api(ApiId=throwaway.http_api_id, CorsConfiguration=cors)


def live_cors(aws: Aws, throwaway: Throwaway) -> dict[str, Any] | None:
    cors = aws.client("apigatewayv2").get_api(ApiId=throwaway.http_api_id).get("CorsConfiguration")
    return None if cors is None else dict(cors)


def configure(aws: Aws, throwaway: Throwaway, **fields: Any) -> str:
    """All six fields (origins after a fresh control origin); the control once `$default` answers it."""
    def write(control: str) -> None:
        update(aws, throwaway, whole(**{"AllowMethods": ["GET"], **fields,
                                        "AllowOrigins": [control, *fields.get("AllowOrigins", [])]}))

    return live_with_control(write, throwaway.http_url(), "HTTP API $default stage")


def delete_cors(aws: Aws, throwaway: Throwaway) -> str:
    return outcome(lambda: aws.client("apigatewayv2").delete_cors_configuration(ApiId=throwaway.http_api_id))


def set_fields(cors: dict[str, Any] | None) -> dict[str, Any]:
    """The fields of a read that hold a value (empty lists, false and 0 are unset)."""
    return {field: value for field, value in (cors or {}).items() if value}


# --- writes -----------------------------------------------------------------------------------------


def test_unconfirmed_http_api_update_api_merges_partial_cors(aws: Aws, throwaway: Throwaway,
                                                             record: Record) -> None:
    full = whole(AllowOrigins=["https://merge.cdacc.example"], AllowMethods=["GET"], AllowHeaders=["x-a"],
                 ExposeHeaders=["x-b"], MaxAge=100, AllowCredentials=True)
    update(aws, throwaway, full)
    update(aws, throwaway, {"AllowOrigins": ["https://partial.cdacc.example"]})
    after_partial = live_cors(aws, throwaway)
    kept = sorted(set(set_fields(after_partial)) - {"AllowOrigins"})
    how = f"merges, keeping {', '.join(kept)}" if kept else "replaces the object"
    record(f"UpdateApi with only AllowOrigins after all six fields: {how} (read: {after_partial})")
    # What corsdeploy depends on: all six fields, unset ones empty, leave nothing of the old object.
    update(aws, throwaway, whole(AllowOrigins=["https://partial.cdacc.example"]))
    after_whole = live_cors(aws, throwaway)
    left = sorted(set(set_fields(after_whole)) - {"AllowOrigins"})
    assert not left, record(f"fields still set after sending all six with []/false/0: {left} ({after_whole})")


def test_unconfirmed_http_empty_cors_configuration_is_cors(aws: Aws, throwaway: Throwaway,
                                                           record: Record) -> None:
    """Facts §7.3: `absent` means the key is missing; an empty configuration is still CORS."""
    delete_cors(aws, throwaway)
    listed = _listed(aws, throwaway)
    assert live_cors(aws, throwaway) is None and "CorsConfiguration" not in listed, record(
        f"after DeleteCorsConfiguration GetApi/GetApis still show CORS: {listed.get('CorsConfiguration')}")
    said = outcome(lambda: update(aws, throwaway, {}))
    after_empty = live_cors(aws, throwaway)
    origin = fresh_origin("empty")
    answers = samples(preflight(throwaway.http_url(), origin, "GET"))
    in_listing = _listed(aws, throwaway).get("CorsConfiguration")
    record(f"UpdateApi(CorsConfiguration={{}}) on an API without CORS: {said}; GetApi then has "
           f"CorsConfiguration={after_empty!r}; GetApis lists {in_listing!r}; "
           f"a preflight is answered {[(a.status, a.cors_headers()) for a in answers]}")


def _listed(aws: Aws, throwaway: Throwaway) -> dict[str, Any]:
    """This API as the GetApis listing shows it (corsdeploy reads HTTP APIs from the listing)."""
    for page in aws.client("apigatewayv2").get_paginator("get_apis").paginate():
        for api in page.get("Items", []):
            if api["ApiId"] == throwaway.http_api_id:
                return dict(api)
    raise AssertionError(f"GetApis does not list {throwaway.http_api_id}")


def test_unconfirmed_http_delete_cors_without_cors(aws: Aws, throwaway: Throwaway, record: Record) -> None:
    delete_cors(aws, throwaway)
    said = delete_cors(aws, throwaway)
    record(f"DeleteCorsConfiguration on an API without CORS: {said}")
    assert said == ACCEPTED or "NotFoundException" in said, said


def test_unconfirmed_http_case_normalized_on_read(aws: Aws, throwaway: Throwaway, record: Record) -> None:
    """corsdeploy compares what it wrote with what it reads after the service's own case folding."""
    from corsdeploy.services.http_api import SERVICE

    written = whole(AllowOrigins=["https://MiXeD.cdacc.example"], AllowMethods=["get", "Put"],
                    AllowHeaders=["X-Mixed-Header"], ExposeHeaders=["X-Exposed-Header"])
    update(aws, throwaway, written)
    read = live_cors(aws, throwaway)
    record(f"wrote {set_fields(written)}; read back {set_fields(read)}")
    assert SERVICE.normalize(read) == SERVICE.normalize(written), record(
        "corsdeploy's case folds do not cover what the service changed: a clean apply would re-plan")


def test_unconfirmed_http_max_age_limits(aws: Aws, throwaway: Throwaway, record: Record) -> None:
    from corsdeploy.limits import HTTP_MAX_MAX_AGE, HTTP_MIN_MAX_AGE

    said = {age: outcome(partial(update, aws, throwaway,
                                 whole(AllowOrigins=["https://a.example"], MaxAge=age)))
            for age in (HTTP_MIN_MAX_AGE, HTTP_MAX_MAX_AGE, HTTP_MAX_MAX_AGE + 1)}
    record(f"MaxAge -> {said}")
    assert said[HTTP_MIN_MAX_AGE] == ACCEPTED and said[HTTP_MAX_MAX_AGE] == ACCEPTED, said


def test_unconfirmed_http_method_length_limit(aws: Aws, throwaway: Throwaway, record: Record) -> None:
    """limits.py: 1-64 characters comes from the shape's name, not a model rule."""
    from corsdeploy.limits import HTTP_MAX_METHOD_LENGTH

    said = {length: outcome(partial(update, aws, throwaway,
                                    whole(AllowOrigins=["https://a.example"], AllowMethods=["M" * length])))
            for length in (HTTP_MAX_METHOD_LENGTH, HTTP_MAX_METHOD_LENGTH + 1)}
    record(f"AllowMethods of one method this long -> {said}")
    assert said[HTTP_MAX_METHOD_LENGTH] == ACCEPTED, record(
        f"API Gateway refuses a {HTTP_MAX_METHOD_LENGTH}-character method, which validate accepts")


def test_unconfirmed_http_credentials_with_scheme_wildcard(aws: Aws, throwaway: Throwaway,
                                                           record: Record) -> None:
    said = outcome(lambda: update(aws, throwaway, whole(AllowOrigins=["https://*"], AllowCredentials=True)))
    record(f"AllowOrigins ['https://*'] with AllowCredentials true: {said}")
    assert said == ACCEPTED, record("API Gateway refuses it, but validate accepts it")


# --- answers to browsers -----------------------------------------------------------------------------


def test_unconfirmed_http_preflight_status_code(aws: Aws, throwaway: Throwaway, record: Record) -> None:
    control = configure(aws, throwaway)
    answer = settled(preflight(throwaway.http_url(), control, "GET"), record)
    record(f"successful preflight: status {answer.status}, headers {answer.cors_headers()}")
    assert 200 <= answer.status < 300, answer.describe()


def test_unconfirmed_http_disallowed_preflight_response(aws: Aws, throwaway: Throwaway,
                                                        record: Record) -> None:
    control = configure(aws, throwaway, AllowHeaders=["x-allowed"])
    url = throwaway.http_url()
    other = fresh_origin("other")
    cases = {
        "origin not allowed": (preflight(url, other, "GET"), other),
        "method not allowed": (preflight(url, control, "DELETE"), control),
        "header not allowed": (preflight(url, control, "GET", ["x-other"]), control),
    }
    seen = {what: settled(probe, record) for what, (probe, _) in cases.items()}
    record("; ".join(f"{what}: status {answer.status}, {answer.cors_headers() or 'no CORS headers'}"
                     for what, answer in seen.items()))
    assert not seen["origin not allowed"].allows(other), seen["origin not allowed"].describe()


def test_unconfirmed_http_origin_case_sensitive(aws: Aws, throwaway: Throwaway, record: Record) -> None:
    configure(aws, throwaway, AllowOrigins=["https://case.cdacc.example"])
    url = throwaway.http_url()
    assert send(preflight(url, "https://case.cdacc.example", "GET")).allows("https://case.cdacc.example")
    upper = "https://CASE.cdacc.example"
    answer = settled(preflight(url, upper, "GET"), record)
    record(f"Origin {upper} against AllowOrigins https://case.cdacc.example: {verdict(answer, upper)}")


def test_unconfirmed_http_subdomain_wildcard_origin(aws: Aws, throwaway: Throwaway, record: Record) -> None:
    pattern = "https://*.wild.cdacc.example"
    control = fresh_origin("control")
    cors = whole(AllowOrigins=[control, pattern], AllowMethods=["GET"])
    said = outcome(lambda: update(aws, throwaway, cors))
    if said != ACCEPTED:
        record(f"AllowOrigins [{pattern}]: {said}")
        return
    url = throwaway.http_url()
    eventually(preflight(url, control, "GET"), lambda answer: answer.allows(control), "HTTP API CORS is live")
    origin = "https://a.wild.cdacc.example"
    answer = settled(preflight(url, origin, "GET"), record)
    record(f"AllowOrigins [{pattern}] accepted; Origin {origin}: {verdict(answer, origin)}")


def test_unconfirmed_http_max_age_minus_one(aws: Aws, throwaway: Throwaway, record: Record) -> None:
    control = configure(aws, throwaway, MaxAge=-1)
    answer = settled(preflight(throwaway.http_url(), control, "GET"), record)
    record(f"MaxAge -1 -> Access-Control-Max-Age {answer.header('Access-Control-Max-Age')!r}")


def test_unconfirmed_http_non_auto_deploy_stage_needs_deployment(aws: Aws, throwaway: Throwaway,
                                                                 record: Record) -> None:
    """Facts §7.4: corsdeploy deploys a `stage:` after a change, and warns about other such stages."""
    manual = throwaway.http_url(HTTP_MANUAL_STAGE)
    old = configure(aws, throwaway)
    deploy_http_stage(aws, throwaway.http_api_id, HTTP_MANUAL_STAGE, "cdacc: serve the old CORS")
    eventually(preflight(manual, old, "GET"), lambda answer: answer.allows(old),
               "the manual stage serves the configuration it was deployed with")
    new = configure(aws, throwaway)  # $default now answers only the new control origin
    before = settled(preflight(manual, new, "GET"), record)
    still_old = send(preflight(manual, old, "GET"))
    record(f"after UpdateApi, without a deployment the manual stage: new origin {verdict(before, new)}, "
           f"old origin {verdict(still_old, old)}")
    deploy_http_stage(aws, throwaway.http_api_id, HTTP_MANUAL_STAGE, "cdacc: serve the new CORS")
    eventually(preflight(manual, new, "GET"), lambda answer: answer.allows(new),
               "after CreateDeployment the manual stage serves the new configuration")
