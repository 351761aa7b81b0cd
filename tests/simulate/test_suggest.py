"""The smallest change that lets a request through: the text names file:line, the edited file (written
as a person would follow the text) loads to exactly the suggested configuration, and the simulator
allows the request with it; lint's verdict on the change comes along."""
from __future__ import annotations

from pathlib import Path

import pytest

from corsdeploy.config import load_file
from corsdeploy.lint.engine import lint_environment
from corsdeploy.model import Environment
from corsdeploy.simulate import check
from corsdeploy.simulate.request import BrowserRequest
from corsdeploy.simulate.suggest import Suggestion, suggest

APP, ADMIN, LOCAL = "https://app.example.com", "https://admin.example.com", "http://localhost:3000"

S3 = """\
policies:
  web-upload:
    - AllowedOrigins: ["https://admin.example.com"]
      AllowedMethods: [GET]
    - AllowedOrigins:
        - https://app.example.com
      AllowedMethods: [GET, PUT]
      AllowedHeaders: [content-type]
s3_buckets:
  uploads-prod:
    cors: web-upload
  public-prod:
    public: true
    cors:
      - AllowedOrigins: ["*"]
        AllowedMethods: [GET]
  shadowed-prod:
    cors:
      - AllowedOrigins: ["*"]
        AllowedMethods: [GET]
      - AllowedOrigins: ["https://app.example.com"]
        AllowedMethods: [GET]
  empty-prod:
    cors: absent
"""

APIS = """\
http_apis:
  orders:
    id: a1b2c3d4e5
    cors:
      AllowOrigins: ["*"]
      AllowMethods: [GET, POST]
      AllowHeaders: [content-type]
rest_apis:
  legacy:
    id: q1w2e3r4t5
    stage: prod
    cors:
      AllowOrigins: ["https://app.example.com"]
      AllowMethods: [GET]
function_urls:
  thumbnailer:
    cors: absent
"""


def load(tmp_path: Path, text: str, name: str = "prod") -> Environment:
    path = tmp_path / "environments" / f"{name}.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return load_file(path)


def suggestion_for(environment: Environment, address: str, request: BrowserRequest) -> Suggestion | None:
    resource = environment.resource(address)
    assert resource is not None
    return suggest(environment, resource, request, check, lint_environment)


def proven(tmp_path: Path, suggestion: Suggestion, address: str, request: BrowserRequest,
           edited: str) -> None:
    """The file edited as the suggestion says loads to the suggested configuration, which the simulator
    (called here, not through suggest) allows."""
    environment = load(tmp_path, edited, "edited")
    resource = environment.resource(address)
    assert resource is not None and resource.cors == suggestion.cors
    assert check(resource, request).allowed
    assert suggestion.answer is not None and suggestion.answer.allowed


S3_CASES = [
    pytest.param(
        "s3_bucket.uploads-prod", BrowserRequest(APP, "PUT", ("content-type", "x-amz-meta-owner")),
        "{file}:8:23: add 'x-amz-meta-owner' to AllowedHeaders of rule 1 (lint: nothing new)",
        ("AllowedHeaders: [content-type]", "AllowedHeaders: [content-type, x-amz-meta-owner]"), id="header"),
    pytest.param(
        "s3_bucket.uploads-prod", BrowserRequest(APP, "DELETE"),
        "{file}:7:23: add 'DELETE' to AllowedMethods of rule 1 (lint: nothing new)",
        ("[GET, PUT]", "[GET, PUT, DELETE]"), id="method"),
    pytest.param(
        "s3_bucket.uploads-prod", BrowserRequest(LOCAL, "PUT", ("content-type",)),
        "{file}:6:9: add 'http://localhost:3000' to AllowedOrigins of rule 1 (lint would report CD109 "
        "warning: AllowedOrigins 'http://localhost:3000' is a local host name in production environment "
        "'prod': anything running on a developer's machine or network can read these responses)",
        ("        - https://app.example.com\n",
         "        - https://app.example.com\n        - http://localhost:3000\n"),
        id="origin-linted"),
    pytest.param(
        "s3_bucket.public-prod", BrowserRequest(APP, "GET", preflight=False, credentials=True),
        "{file}:15:26: replace '*' in AllowedOrigins of rule 0 with 'https://app.example.com' (a request "
        "with credentials cannot use '*'; other origins lose access) (lint: nothing new)",
        ('      - AllowedOrigins: ["*"]\n        AllowedMethods: [GET]\n  shadowed',
         '      - AllowedOrigins: ["https://app.example.com"]\n        AllowedMethods: [GET]\n  shadowed'),
        id="credentials-star"),
    pytest.param(
        "s3_bucket.shadowed-prod", BrowserRequest(APP, "GET", preflight=False, credentials=True),
        "{file}:19:26: replace '*' in AllowedOrigins of rule 0 with 'https://app.example.com' (a request "
        "with credentials cannot use '*'; other origins lose access) (lint: nothing new)",
        # The `*` rule shadows rule 1 before the change too (CD401), so lint finds nothing new.
        ('  shadowed-prod:\n    cors:\n      - AllowedOrigins: ["*"]',
         '  shadowed-prod:\n    cors:\n      - AllowedOrigins: ["https://app.example.com"]'),
        id="earlier-rule-answers-first"),
    pytest.param(
        "s3_bucket.empty-prod", BrowserRequest(APP, "GET", preflight=False),
        "{file}:24:11: replace `cors: absent` with [{{\"AllowedMethods\": [\"GET\"], \"AllowedOrigins\": "
        "[\"https://app.example.com\"]}}] (lint: nothing new)",
        ("cors: absent", 'cors: [{"AllowedMethods": ["GET"], "AllowedOrigins": ["https://app.example.com"]}]'),
        id="absent"),
]


@pytest.mark.parametrize(("address", "request_", "text", "edit"), S3_CASES)
def test_s3(tmp_path: Path, address: str, request_: BrowserRequest, text: str, edit: tuple[str, str]) -> None:
    environment = load(tmp_path, S3)
    suggestion = suggestion_for(environment, address, request_)
    assert suggestion is not None
    assert suggestion.text == text.format(file=environment.path)
    assert S3.count(edit[0]) == 1
    proven(tmp_path, suggestion, address, request_, S3.replace(*edit))


def test_the_rule_chosen_is_the_one_already_trusting_the_origin(tmp_path: Path) -> None:
    """Rule 0 (another origin, GET) and rule 1 (this origin, GET and PUT): DELETE goes to rule 1."""
    suggestion = suggestion_for(load(tmp_path, S3), "s3_bucket.uploads-prod", BrowserRequest(APP, "DELETE"))
    assert suggestion is not None and suggestion.cors is not None
    assert [rule.allowed_methods for rule in suggestion.cors.rules] == [("GET",), ("GET", "PUT", "DELETE")]


def test_a_request_the_file_allows_needs_no_change(tmp_path: Path) -> None:
    assert suggestion_for(load(tmp_path, S3), "s3_bucket.uploads-prod", BrowserRequest(APP, "PUT")) is None


def test_a_change_validate_would_refuse_is_not_suggested(tmp_path: Path) -> None:
    suggestion = suggestion_for(load(tmp_path, S3), "s3_bucket.uploads-prod", BrowserRequest(APP, "PATCH"))
    assert suggestion is not None and suggestion.changes == ()
    assert suggestion.text == ("no change to the cors of s3_bucket.uploads-prod lets this request through: "
                               "the change would not validate: AllowedMethods[0]: 'PATCH' is not one of GET, "
                               "PUT, POST, DELETE, HEAD")


def test_lint_ignore_silences_the_verdict_too(tmp_path: Path) -> None:
    ignored = "    cors: web-upload\n    lint_ignore: {CD109: local testing}\n"
    text = S3.replace("    cors: web-upload\n", ignored)
    suggestion = suggestion_for(load(tmp_path, text), "s3_bucket.uploads-prod", BrowserRequest(LOCAL, "GET"))
    assert suggestion is not None and suggestion.findings == ()


API_CASES = [
    pytest.param(
        "http_api.orders", BrowserRequest(APP, "PUT", ("x-api-key",)),
        "{file}:6:21: add 'PUT' to AllowMethods; {file}:7:21: add 'x-api-key' to AllowHeaders (lint "
        "would report CD202 warning: AllowMethods 'POST', 'PUT' for the wildcard origin '*': every site it "
        "matches may send 'POST', 'PUT' requests with its visitors' browsers)",
        ("AllowMethods: [GET, POST]\n      AllowHeaders: [content-type]",
         "AllowMethods: [GET, POST, PUT]\n      AllowHeaders: [content-type, x-api-key]"),
        id="http-method-and-header"),
    pytest.param(
        "http_api.orders", BrowserRequest(APP, "POST", ("content-type",), credentials=True),
        "{file}:5:22: replace '*' in AllowOrigins with 'https://app.example.com' (a request with "
        "credentials cannot use '*'; other origins lose access); {file}:5:7: set AllowCredentials: true "
        "(lint: nothing new)",
        ('      AllowOrigins: ["*"]\n', '      AllowOrigins: ["https://app.example.com"]\n'
                                        '      AllowCredentials: true\n'),
        id="http-credentials"),
    pytest.param(
        "rest_api.legacy", BrowserRequest(APP, "DELETE", ("x-trace-id",), path="/items"),
        "{file}:14:21: add 'DELETE' to AllowMethods; {file}:13:7: add 'x-trace-id' to AllowHeaders (lint: "
        "nothing new)",
        ("      AllowMethods: [GET]\n",
         "      AllowMethods: [GET, DELETE]\n      AllowHeaders: [x-trace-id]\n"),
        id="rest-method-and-header"),
    pytest.param(
        "function_url.thumbnailer", BrowserRequest(APP, "GET", preflight=False),
        "{file}:17:11: replace `cors: absent` with {{\"AllowMethods\": [\"GET\"], \"AllowOrigins\": "
        "[\"https://app.example.com\"]}} (lint: nothing new)",
        ("cors: absent", 'cors: {"AllowMethods": ["GET"], "AllowOrigins": ["https://app.example.com"]}'),
        id="function-url-absent"),
]


@pytest.mark.parametrize(("address", "request_", "text", "edit"), API_CASES)
def test_apis_and_function_urls(tmp_path: Path, address: str, request_: BrowserRequest, text: str,
                                edit: tuple[str, str]) -> None:
    environment = load(tmp_path, APIS)
    suggestion = suggestion_for(environment, address, request_)
    assert suggestion is not None
    assert suggestion.text == text.format(file=environment.path)
    assert APIS.count(edit[0]) == 1
    proven(tmp_path, suggestion, address, request_, APIS.replace(*edit))


def test_a_rest_origin_brings_the_several_origins_warnings(tmp_path: Path) -> None:
    environment = load(tmp_path, APIS)
    suggestion = suggestion_for(environment, "rest_api.legacy", BrowserRequest(ADMIN, "GET", path="/items"))
    assert suggestion is not None
    assert [str(change) for change in suggestion.changes] == [
        f"{environment.path}:13:21: add 'https://admin.example.com' to AllowOrigins"]
    assert [f.rule for f in suggestion.findings] == ["CD302", "CD405"]
