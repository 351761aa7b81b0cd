"""HTTP APIs, REST APIs and function URLs: the `Cors` object verbatim, settings, each service's limits."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from corsdeploy import limits
from corsdeploy.config import load_file
from corsdeploy.model import CorsRule, Kind
from tests.test_config_support import at, problem, problems, where, write


def api(tmp_path: Path, section: str, cors: str, extra: str = "") -> Path:
    """An environment with one entry `svc` in `section`, `cors` written in flow style."""
    lines = [f"{section}:", "  svc:", f"    cors: {cors}", *(f"    {line}" for line in extra.splitlines())]
    return write(tmp_path, "prod.yaml", "\n".join(lines) + "\n")


def rest(tmp_path: Path, cors: str, extra: str = "") -> Path:
    return api(tmp_path, "rest_apis", cors, "stage: prod\n" + extra)


FULL = ('{AllowOrigins: ["https://b.example.com", "https://a.example.com"], AllowMethods: [GET, POST], '
        "AllowHeaders: [Authorization], ExposeHeaders: [X-Id], MaxAge: 300, AllowCredentials: true}")


@pytest.mark.parametrize(("section", "kind"), [
    ("http_apis", Kind.HTTP_API), ("function_urls", Kind.FUNCTION_URL)])
def test_cors_object_is_kept_verbatim(tmp_path: Path, section: str, kind: Kind) -> None:
    path = api(tmp_path, section, FULL, "lint_ignore: {CD201: 'partners need it'}")
    (svc,) = load_file(path).resources
    assert svc.kind is kind and svc.address == f"{kind.value}.svc"
    assert svc.cors is not None and svc.cors.rules == (CorsRule(
        ("https://b.example.com", "https://a.example.com"), ("GET", "POST"), ("Authorization",),
        ("X-Id",), 300, True),)
    assert svc.lint_ignore == {"CD201": "partners need it"}
    post = svc.location_of("cors", "AllowMethods", 1)
    assert (post.line, post.column) == at(path, "POST")


@pytest.mark.parametrize("section", ["http_apis", "rest_apis", "function_urls"])
def test_absent_and_required_cors(tmp_path: Path, section: str) -> None:
    path = api(tmp_path, section, "absent", "stage: prod" if section == "rest_apis" else "")
    (svc,) = load_file(path).resources
    assert svc.cors is None
    path.write_text(path.read_text().replace("cors: absent", "lint_ignore: {}"))
    found = problem(path, "'cors' is required")
    assert where(found) == at(path, "svc")


def test_settings(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        http_apis:
          by-name: {cors: absent}
          by-id: {id: a1b2c3d4e5, cors: absent}
        rest_apis:
          minimal: {stage: prod, cors: absent}
          full:
            id: r1s2t3
            stage: v1
            resources: ["/items", "/items/{id}"]
            gateway_responses: []
            adopt_preflights: true
            cors: absent
        function_urls:
          thumbnailer:live: {cors: absent}
    """)
    resources = load_file(path).resources
    assert [dict(r.settings) for r in resources] == [
        {"id": None, "stage": None},
        {"id": "a1b2c3d4e5", "stage": None},
        {"id": None, "stage": "prod", "resources": None,
         "gateway_responses": list(limits.REST_DEFAULT_GATEWAY_RESPONSES), "adopt_preflights": False},
        {"id": "r1s2t3", "stage": "v1", "resources": ["/items", "/items/{id}"], "gateway_responses": [],
         "adopt_preflights": True},
        {},
    ]
    assert resources[-1].address == "function_url.thumbnailer:live"


@pytest.mark.parametrize(("section", "extra", "message"), [
    ("http_apis", "", "cors: an empty Cors object is not allowed: on an HTTP API it still enables CORS "
                      "(API Gateway answers preflights itself); write `cors: absent` for no CORS"),
    ("function_urls", "", "cors: an empty Cors object is not allowed; write `cors: absent` for no CORS"),
    ("rest_apis", "stage: prod",
     "cors: an empty Cors object is not allowed; write `cors: absent` for no CORS"),
])
def test_empty_cors_object_says_to_write_absent(
    tmp_path: Path, section: str, extra: str, message: str
) -> None:
    """An HTTP API's empty CorsConfiguration is still CORS (facts §7.3): `{}` never means none."""
    path = api(tmp_path, section, "{}", extra)
    (found,) = problems(path)
    line, column = at(path, "{}")
    kind = Kind.from_section(section).value
    assert str(found) == f"{path}:{line}:{column}: {kind}.svc: {message}"


@pytest.mark.parametrize(("section", "extra"), [
    ("http_apis", ""), ("function_urls", ""), ("rest_apis", "stage: prod")])
def test_empty_list_says_to_write_absent(tmp_path: Path, section: str, extra: str) -> None:
    path = api(tmp_path, section, "[]", extra)
    (found,) = problems(path)
    assert found.message == ("cors: an empty list is not CORS: write a Cors object, "
                             "or `cors: absent` for no CORS")
    assert where(found) == at(path, "[]")


def test_http_stage_reaches_the_provider(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        http_apis:
          staged: {stage: prod, cors: absent}
          auto: {cors: absent}
    """)
    staged, auto = load_file(path).resources
    assert staged.settings["stage"] == "prod" and auto.settings["stage"] is None


@pytest.mark.parametrize(("value", "needle", "message"), [
    ("''", "''", "stage: must not be empty"),
    ("3", "3", "stage: expected a string, got 3 (quote the value)"),
    ("[prod]", "[prod]", "stage: expected a string, got ['prod']"),
])
def test_http_stage_is_a_stage_name(tmp_path: Path, value: str, needle: str, message: str) -> None:
    path = api(tmp_path, "http_apis", "absent", f"stage: {value}")
    (found,) = problems(path)
    assert found.message == message and found.address == "http_api.svc" and where(found) == at(path, needle)


def test_resources_come_in_section_order_then_file_order(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        function_urls: {f: {cors: absent}}
        rest_apis: {r: {stage: p, cors: absent}}
        http_apis: {h2: {cors: absent}, h1: {cors: absent}}
        s3_buckets: {bkt: {cors: absent}}
    """)
    assert [r.address for r in load_file(path).resources] == [
        "s3_bucket.bkt", "http_api.h2", "http_api.h1", "rest_api.r", "function_url.f"]


@pytest.mark.parametrize(("key", "hint"), [
    ("AllowedOrigins", "unknown key 'AllowedOrigins' (S3's spelling); use 'AllowOrigins'"),
    ("MaxAgeSeconds", "unknown key 'MaxAgeSeconds' (S3's spelling); use 'MaxAge'"),
    ("ExposedHeaders", "use 'ExposeHeaders'"),
    ("allowOrigins", "did you mean 'AllowOrigins'?"),
    ("allow_headers", "did you mean 'AllowHeaders'?"),
    ("AllowOrigin", "did you mean 'AllowOrigins'?"),
])
@pytest.mark.parametrize("section", ["http_apis", "function_urls"])
def test_other_spellings_get_a_hint(tmp_path: Path, section: str, key: str, hint: str) -> None:
    path = api(tmp_path, section, f"{{{key}: [x]}}")
    found = problem(path, "unknown key")
    assert hint in found.message and where(found) == at(path, key)


def test_policy_name_is_not_a_cors_object(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", """
        policies:
          web: [{AllowedOrigins: ["*"], AllowedMethods: [GET]}]
        http_apis:
          orders: {cors: web}
    """)
    found = problem(path, "not allowed here")
    assert "policies hold S3 rules" in found.message and where(found) == at(path, "web}")


def test_entry_keys_have_hints(tmp_path: Path) -> None:
    path = rest(tmp_path, "absent", "gateway_response: []\nstages: x")
    assert "did you mean 'gateway_responses'?" in problem(path, "'gateway_response'").message
    assert where(problem(path, "'stages'")) == at(path, "stages")


def test_lint_ignore_needs_a_reason(tmp_path: Path) -> None:
    path = api(tmp_path, "http_apis", "absent", "lint_ignore: {CD101: '  ', CD102: 3, CD103: ok}")
    blank = problem(path, "CD101")
    assert blank.message == "lint_ignore.CD101: '  ' is not a reason: say why the rule does not apply"
    assert where(blank) == at(path, "'  '")
    assert where(problem(path, "CD102")) == at(path, "3,")


# --- HTTP APIs ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("max_age", "ok"), [(-1, True), (86400, True), (-2, False), (86401, False)])
def test_http_max_age_range(tmp_path: Path, max_age: int, ok: bool) -> None:
    path = api(tmp_path, "http_apis", f"{{AllowOrigins: ['*'], MaxAge: {max_age}}}")
    if ok:
        load_file(path)
        return
    found = problem(path, "MaxAge")
    assert found.message == f"MaxAge: {max_age} is out of range: must be between -1 and 86400"
    assert where(found) == at(path, str(max_age))


@pytest.mark.parametrize("method", ["ANY", "any"])
def test_http_any_method_is_star(tmp_path: Path, method: str) -> None:
    path = api(tmp_path, "http_apis", f"{{AllowOrigins: ['*'], AllowMethods: [GET, {method}]}}")
    found = problem(path, "expects '*'")
    assert found.message.startswith(f"AllowMethods[1]: '{method}' is not accepted")
    assert where(found) == at(path, method + "]")
    path.write_text(path.read_text().replace(method, "'*'"))
    load_file(path)


def test_http_method_length(tmp_path: Path) -> None:
    path = api(tmp_path, "http_apis", f"{{AllowOrigins: ['*'], AllowMethods: ['', {'X' * 65}]}}")
    assert where(problem(path, "must not be empty")) == at(path, "''")
    assert "is 65 characters long; at most 64" in problem(path, "XXX").message


def test_http_credentials_with_star_origin(tmp_path: Path) -> None:
    path = api(tmp_path, "http_apis",
               "{AllowOrigins: ['https://a.example.com', '*'], AllowCredentials: true}")
    found = problem(path, "allow-credentials")
    assert found.address == "http_api.svc" and found.message.startswith("AllowOrigins[1]: '*' with")
    assert where(found) == at(path, "'*'")
    path.write_text(path.read_text().replace("true", "false"))
    load_file(path)


def test_http_types(tmp_path: Path) -> None:
    path = api(tmp_path, "http_apis", "{AllowOrigins: '*', AllowCredentials: 'yes', MaxAge: '300'}")
    assert where(problem(path, "AllowOrigins: expected a list")) == at(path, "'*'")
    assert where(problem(path, "AllowCredentials: expected true or false, got 'yes'")) == at(path, "'yes'")
    assert where(problem(path, "MaxAge: expected an integer, got '300'")) == at(path, "'300'")


# --- REST APIs ---------------------------------------------------------------------------------

def test_rest_requires_a_stage_and_an_origin(tmp_path: Path) -> None:
    path = api(tmp_path, "rest_apis", "{AllowMethods: [GET]}")
    assert {p.message for p in problems(path)} == {"'stage' is required", "cors: 'AllowOrigins' is required"}
    assert where(problem(path, "'stage'")) == at(path, "svc")


def test_rest_credentials_with_star(tmp_path: Path) -> None:
    path = rest(tmp_path, "{AllowOrigins: ['*'], AllowCredentials: true}")
    found = problem(path, "'*' with AllowCredentials")
    assert where(found) == at(path, "'*'")


def test_rest_star_alone_is_valid(tmp_path: Path) -> None:
    """The console's own default ("Enable CORS" writes '*', facts §7.5)."""
    (svc,) = load_file(rest(tmp_path, "{AllowOrigins: ['*'], AllowMethods: [GET]}")).resources
    assert svc.cors is not None and svc.cors.rules[0].allowed_origins == ("*",)


def test_rest_star_with_other_origins(tmp_path: Path) -> None:
    path = rest(tmp_path, "{AllowOrigins: ['https://a.example.com', '*']}")
    found = problem(path, "cannot be combined")
    assert found.message.startswith("AllowOrigins[1]: ") and where(found) == at(path, "'*'")


def test_rest_origins_are_exact(tmp_path: Path) -> None:
    path = rest(tmp_path, "{AllowOrigins: ['https://*.example.com']}")
    (found,) = problems(path)
    assert found.message == ("AllowOrigins[0]: 'https://*.example.com': REST APIs match origins exactly, so "
                             "'*' cannot be part of an origin; list each origin (or use '*' alone)")
    assert where(found) == at(path, "'https://*")


@pytest.mark.parametrize(("field", "value", "needle"), [
    ("AllowHeaders", '"Content Type"', '"Content Type"'),
    ("AllowHeaders", '"X-It\'s"', '"X-It'),
    ("ExposeHeaders", '"X-A\\\\B"', '"X-A'),
    ("AllowMethods", '"GET "', '"GET "'),
])
def test_rest_values_go_inside_quotes_and_templates(
    tmp_path: Path, field: str, value: str, needle: str
) -> None:
    """API Gateway static values are '...' literals and the origin template holds string literals:
    a quote, backslash or space would break out of them, so validate refuses it with its position."""
    cors = f"{{AllowOrigins: ['https://a.example.com'], AllowMethods: [GET], {field}: [{value}]}}"
    path = rest(tmp_path, cors)
    found = problem(path, "quotes, backslashes or whitespace")
    assert found.message.startswith(f"{field}[0]: ") and where(found) == at(path, needle)


def test_rest_gateway_response_types(tmp_path: Path) -> None:
    path = rest(tmp_path, "absent", "gateway_responses: [DEFAULT_4XX, default_5xx, NOPE, DEFAULT_4XX]")
    lower = problem(path, "'default_5xx'")
    assert "(write 'DEFAULT_5XX'" in lower.message and where(lower) == at(path, "default_5xx")
    nope = problem(path, "'NOPE'")
    assert nope.message == ("gateway_responses[2]: 'NOPE' is not one of "
                            + ", ".join(limits.REST_GATEWAY_RESPONSE_TYPES))
    assert where(problem(path, "twice")) == at(path, "[DEFAULT_4XX")
    assert len(limits.REST_GATEWAY_RESPONSE_TYPES) == 21
    path.write_text(path.read_text().replace(
        "[DEFAULT_4XX, default_5xx, NOPE, DEFAULT_4XX]", json.dumps(limits.REST_GATEWAY_RESPONSE_TYPES)))
    load_file(path)


def test_rest_resources_are_paths(tmp_path: Path) -> None:
    path = rest(tmp_path, "absent", "resources: ['/items', 'items/{id}']")
    found = problem(path, "does not start with '/'")
    assert found.message.startswith("resources[1]: 'items/{id}'") and where(found) == at(path, "'items/")


def test_rest_max_age(tmp_path: Path) -> None:
    path = rest(tmp_path, "{AllowOrigins: ['https://a.example.com'], MaxAge: -2}")
    assert where(problem(path, "must be between -1 and 2147483647")) == at(path, "-2")


@pytest.mark.parametrize(("section", "extra", "low", "high"), [
    ("rest_apis", "stage: prod", -1, 2147483647),
    ("http_apis", "", -1, 86400),
    ("function_urls", "", 0, 86400),
])
def test_max_age_beyond_a_32_bit_integer(
    tmp_path: Path, section: str, extra: str, low: int, high: int
) -> None:
    """MaxAge is a 32-bit signed integer in AWS's models: a larger one cannot be sent."""
    path = api(tmp_path, section, "{AllowOrigins: ['https://a.example.com'], MaxAge: 2147483648}", extra)
    (found,) = problems(path)
    assert found.message == f"MaxAge: 2147483648 is out of range: must be between {low} and {high}"
    assert where(found) == at(path, "2147483648")


SEVERAL = "{AllowOrigins: ['https://a.example.com', 'https://b.example.com'], AllowCredentials: true}"


def test_rest_several_origins_with_credentials_on_default_gateway_responses(tmp_path: Path) -> None:
    path = rest(tmp_path, SEVERAL)
    found = problem(path, "several origins")
    assert "reflect the request's Origin" in found.message and "gateway_responses: []" in found.message
    assert found.address == "rest_api.svc" and where(found) == at(path, "[")


def test_rest_several_origins_with_credentials_on_named_gateway_responses(tmp_path: Path) -> None:
    path = rest(tmp_path, SEVERAL, "gateway_responses: [UNAUTHORIZED]")
    found = problem(path, "several origins")
    assert "(UNAUTHORIZED)" in found.message and where(found) == at(path, "[UNAUTHORIZED]")


@pytest.mark.parametrize(("cors", "extra"), [
    (SEVERAL, "gateway_responses: []"),
    ("{AllowOrigins: ['https://a.example.com'], AllowCredentials: true}", ""),
    ("{AllowOrigins: ['https://a.example.com', 'https://b.example.com']}", ""),
])
def test_rest_several_origins_allowed_where_safe(tmp_path: Path, cors: str, extra: str) -> None:
    load_file(rest(tmp_path, cors, extra))


# --- Lambda function URLs ----------------------------------------------------------------------

@pytest.mark.parametrize(("max_age", "ok"), [(0, True), (86400, True), (-1, False), (86401, False)])
def test_lambda_max_age_range(tmp_path: Path, max_age: int, ok: bool) -> None:
    path = api(tmp_path, "function_urls", f"{{AllowOrigins: ['*'], MaxAge: {max_age}}}")
    if ok:
        load_file(path)
        return
    found = problem(path, "out of range")
    assert "must be between 0 and 86400" in found.message and where(found) == at(path, str(max_age))


def test_lambda_methods(tmp_path: Path) -> None:
    seven = "[GET, PUT, POST, PATCH, DELETE, HEAD, '*']"
    path = api(tmp_path, "function_urls", f"{{AllowOrigins: ['*'], AllowMethods: {seven}}}")
    found = problem(path, "at most 6")
    assert found.message == "AllowMethods: lists 7 items; at most 6 are allowed"
    assert where(found) == at(path, seven)


METHODS = "GET, PUT, HEAD, POST, PATCH, DELETE, *"


@pytest.mark.parametrize(("methods", "needle", "message"), [
    ("[GET, OPTIONS]", "OPTIONS", f"AllowMethods[1]: 'OPTIONS' is not one of {METHODS} (the service answers "
                                  "preflights itself: OPTIONS need not be listed)"),
    ("[GET, TRACE]", "TRACE", f"AllowMethods[1]: 'TRACE' is not one of {METHODS}"),
    ("[get]", "get",
     f"AllowMethods[0]: 'get' is not one of {METHODS} (write 'GET': the case must match exactly)"),
    ("[ANY]", "ANY", f"AllowMethods[0]: 'ANY' is not one of {METHODS}"),
])
def test_lambda_methods_are_lambdas_seven(tmp_path: Path, methods: str, needle: str, message: str) -> None:
    """Lambda takes GET, PUT, HEAD, POST, PATCH, DELETE or '*' (facts §7.7), in exact case (UNCONFIRMED)."""
    path = api(tmp_path, "function_urls", f"{{AllowOrigins: ['*'], AllowMethods: {methods}}}")
    (found,) = problems(path)
    assert found.message == message and found.address == "function_url.svc"
    assert where(found) == at(path, needle)


def test_lambda_methods_each_accepted(tmp_path: Path) -> None:
    for method in limits.LAMBDA_METHODS:
        load_file(api(tmp_path, "function_urls", f"{{AllowOrigins: ['*'], AllowMethods: ['{method}']}}"))


def test_lambda_origins(tmp_path: Path) -> None:
    path = api(tmp_path, "function_urls", "{AllowOrigins: []}")
    assert where(problem(path, "at least 1")) == at(path, "[]")
    too_many = json.dumps([f"https://{i}.example.com" for i in range(limits.LAMBDA_MAX_ORIGINS + 1)])
    path = api(tmp_path, "function_urls", f"{{AllowOrigins: {too_many}}}")
    assert "lists 101 items; at most 100" in problem(path, "AllowOrigins").message
    long = "https://" + "a" * 246
    path = api(tmp_path, "function_urls", f"{{AllowOrigins: ['', {long}]}}")
    assert where(problem(path, "AllowOrigins[0]: must not be empty")) == at(path, "''")
    assert "is 254 characters long; at most 253" in problem(path, "AllowOrigins[1]").message
    path = api(tmp_path, "function_urls", f"{{AllowOrigins: ['', {long[:-1]}]}}")
    assert len(problems(path)) == 1


@pytest.mark.parametrize("field", ["AllowHeaders", "ExposeHeaders"])
def test_lambda_headers(tmp_path: Path, field: str) -> None:
    headers = json.dumps([f"x-h{i}" for i in range(limits.LAMBDA_MAX_HEADERS + 1)])
    path = api(tmp_path, "function_urls", f"{{AllowOrigins: ['*'], {field}: {headers}}}")
    found = problem(path, "at most 100")
    assert found.message == f"{field}: lists 101 items; at most 100 are allowed"
    assert where(found) == at(path, headers)
    path = api(tmp_path, "function_urls", f"{{AllowOrigins: ['*'], {field}: {json.dumps(['x' * 1025])}}}")
    assert "is 1025 characters long; at most 1024" in problem(path, field).message
