"""CD303 rest-proxy-integration: a REST method with a proxy integration passes the backend's response
through, so its backend must send the CORS headers; plan reads it from the API, lint cannot know it."""
from __future__ import annotations

from corsdeploy.lint.plan_rules import RestProxyIntegration
from corsdeploy.model import Live
from corsdeploy.services.rest_api import live_from_state
from tests.lint.plan_support import ignoring, lint_findings, planned_warnings, rule_ids_of
from tests.rest_support import rest
from tests.test_rest_rules import api

ONE = {"AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET"]}
PROXY = {"httpMethod": "ANY", "authorizationType": "NONE",
         "methodIntegration": {"type": "AWS_PROXY", "uri": "arn:aws:lambda:eu-west-1:1:function:items"}}
MOCK = {"httpMethod": "GET", "authorizationType": "NONE",
        "methodResponses": {"200": {"statusCode": "200"}},
        "methodIntegration": {"type": "MOCK", "integrationResponses": {"200": {"statusCode": "200"}}}}


def read(**methods: dict[str, object]) -> Live:
    return live_from_state(rest(ONE), api(ONE, methods=methods))


def test_bad_a_proxy_method_is_warned_about_with_the_id() -> None:
    (warning,) = read(ANY=PROXY).warnings
    assert warning == ("CD303: ANY /items uses a AWS_PROXY integration: API Gateway passes the backend's "
                       "response through, so the backend must send Access-Control-Allow-Origin")


def test_good_a_method_corsdeploy_answers_for_gives_no_warning() -> None:
    assert read(GET=MOCK).warnings == ()


def test_lint_ignore_silences_it_in_the_plan() -> None:
    live = read(ANY=PROXY, GET=MOCK)
    assert rule_ids_of(planned_warnings(rest(ONE), live)) == ["CD303"]
    assert planned_warnings(ignoring(rest(ONE), RestProxyIntegration), live) == ()


def test_good_lint_alone_cannot_know_the_integrations() -> None:
    assert lint_findings(RestProxyIntegration, rest(ONE)) == []
