"""Lambda function URL items of facts §7.7 and §8.4, settled on a real URL. Each test records what
Lambda did; where corsdeploy depends on an answer, the test checks it."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tests.acceptance.experiments import ACCEPTED, live_with_control, outcome, settled, verdict
from tests.acceptance.probes import actual, eventually, preflight, send
from tests.acceptance.scenario import fresh_origin
from tests.acceptance.throwaway import INVOKED_HEADER, Aws, Throwaway

Record = Callable[[str], str]
CLEAR_WAIT_SECONDS = 60


def update(aws: Aws, throwaway: Throwaway, cors: Mapping[str, Any] | None) -> None:
    """UpdateFunctionUrlConfig with this Cors (None: without the Cors parameter)."""
    extra = {} if cors is None else {"Cors": dict(cors)}
    aws.client("lambda").update_function_url_config(FunctionName=throwaway.names.function, **extra)


def live_cors(aws: Aws, throwaway: Throwaway) -> dict[str, Any] | None:
    cors = aws.client("lambda").get_function_url_config(FunctionName=throwaway.names.function).get("Cors")
    return None if cors is None else dict(cors)


def configure(aws: Aws, throwaway: Throwaway, **fields: Any) -> str:
    def write(control: str) -> None:
        origins = [control, *fields.get("AllowOrigins", [])]
        update(aws, throwaway, {"AllowMethods": ["GET"], "AllowHeaders": ["x-kept"], "MaxAge": 10,
                                **fields, "AllowOrigins": origins})

    return live_with_control(write, throwaway.function_url, "function URL")


def clears(aws: Aws, throwaway: Throwaway, cors: Mapping[str, Any], record: Record) -> bool:
    """Write `cors` over a configured URL; record what is left, read and served; whether it cleared."""
    from corsdeploy.services.function_url import SERVICE

    control = configure(aws, throwaway)
    update(aws, throwaway, cors)
    read = live_cors(aws, throwaway)
    try:
        eventually(preflight(throwaway.function_url, control, "GET"),
                   lambda answer: not answer.allows(control), "the old origin is no longer answered",
                   timeout=CLEAR_WAIT_SECONDS)
        served = False
    except AssertionError:
        served = True
    cleared = SERVICE.normalize(read) is None and not served
    record(f"Cors={dict(cors)!r} over a configured URL: GetFunctionUrlConfig then has Cors={read!r}; "
           f"preflights from the old origin {'still' if served else 'no longer'} answered; "
           f"{'clears' if cleared else 'does NOT clear'} CORS")
    return cleared


def corsdeploy_sends(cors: Mapping[str, Any]) -> bool:
    """Whether this is the Cors corsdeploy writes for `absent` (kept in one place)."""
    from corsdeploy.providers.function_url import NO_CORS

    return dict(NO_CORS) == dict(cors)


def test_unconfirmed_function_url_cors_allowcredentials_false_clears(aws: Aws, throwaway: Throwaway,
                                                                     record: Record) -> None:
    form = {"AllowCredentials": False}
    cleared = clears(aws, throwaway, form, record)
    if corsdeploy_sends(form):
        assert cleared, "corsdeploy writes this for `absent`, and it leaves CORS in place"


def test_unconfirmed_function_url_empty_cors_clears(aws: Aws, throwaway: Throwaway, record: Record) -> None:
    form: dict[str, Any] = {}
    cleared = clears(aws, throwaway, form, record)
    if corsdeploy_sends(form):
        assert cleared, "corsdeploy writes this for `absent`, and it leaves CORS in place"


def test_unconfirmed_function_url_update_without_cors_keeps_it(aws: Aws, throwaway: Throwaway,
                                                               record: Record) -> None:
    configure(aws, throwaway)
    before = live_cors(aws, throwaway)
    update(aws, throwaway, None)
    after = live_cors(aws, throwaway)
    record(f"UpdateFunctionUrlConfig without Cors: {'keeps' if after == before else 'changes'} it "
           f"(before {before!r}, after {after!r})")


def test_unconfirmed_function_url_preflight_answered_without_invoking(aws: Aws, throwaway: Throwaway,
                                                                      record: Record) -> None:
    control = configure(aws, throwaway)
    answer = settled(preflight(throwaway.function_url, control, "GET"), record)
    invoked = answer.header(INVOKED_HEADER) == "yes"
    who = "the function was invoked" if invoked else "answered by Lambda"
    record(f"preflight with CORS configured: {who} (status {answer.status}, headers {answer.cors_headers()})")


def test_unconfirmed_function_url_origin_matching(aws: Aws, throwaway: Throwaway, record: Record) -> None:
    pattern, exact = "https://*.wild.cdacc.example", "https://case.cdacc.example"
    control = fresh_origin("control")
    said = outcome(lambda: update(aws, throwaway, {"AllowOrigins": [control, pattern, exact],
                                                   "AllowMethods": ["GET"]}))
    if said != ACCEPTED:
        record(f"AllowOrigins with {pattern}: {said}")
        return
    url = throwaway.function_url
    eventually(preflight(url, control, "GET"), lambda answer: answer.allows(control),
               "function URL CORS is live")
    results = {origin: settled(preflight(url, origin, "GET"), record)
               for origin in ("https://a.wild.cdacc.example", "https://CASE.cdacc.example")}
    record("; ".join(f"Origin {origin}: {verdict(answer, origin)}" for origin, answer in results.items())
           + f" (AllowOrigins {pattern}, {exact})")


def test_unconfirmed_function_url_credentials_with_wildcard_origin(aws: Aws, throwaway: Throwaway,
                                                                   record: Record) -> None:
    said = outcome(lambda: update(aws, throwaway, {"AllowOrigins": ["*"], "AllowMethods": ["GET"],
                                                   "AllowCredentials": True}))
    record(f"AllowOrigins ['*'] with AllowCredentials true: {said}")
    assert said == ACCEPTED, record("Lambda refuses it, but validate accepts it")


def test_unconfirmed_function_url_read_back_case(aws: Aws, throwaway: Throwaway, record: Record) -> None:
    """corsdeploy compares what it wrote with what it reads after the service's own case folding."""
    from corsdeploy.services.function_url import SERVICE

    written = {"AllowOrigins": ["https://MiXeD.cdacc.example"], "AllowMethods": ["get", "Put"],
               "AllowHeaders": ["X-Mixed-Header"], "ExposeHeaders": ["X-Exposed-Header"]}
    update(aws, throwaway, written)
    read = live_cors(aws, throwaway)
    record(f"wrote {written}; read back {read}")
    assert SERVICE.normalize(read) == SERVICE.normalize(written), record(
        "corsdeploy's case folds do not cover what Lambda changed: a clean apply would re-plan")


def test_unconfirmed_function_url_conflicting_headers(aws: Aws, throwaway: Throwaway, record: Record) -> None:
    """The function sends its own Access-Control-Allow-Origin beside the URL's CORS."""
    control = configure(aws, throwaway)
    answer = send(actual(f"{throwaway.function_url}?acao=https://function.cdacc.example", control))
    values = answer.all("Access-Control-Allow-Origin")
    record(f"actual request, URL CORS allows {control}, function sends https://function.cdacc.example: "
           f"status {answer.status}, Access-Control-Allow-Origin values {values}")
    assert answer.status == 200, answer.describe()
