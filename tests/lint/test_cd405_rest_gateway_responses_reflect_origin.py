"""CD405 rest-gateway-responses-reflect-origin: with several origins, gateway responses echo any Origin."""
from __future__ import annotations

from pathlib import Path

import pytest

from corsdeploy.lint.rule import Severity
from corsdeploy.lint.rules.rest import RestGatewayResponsesReflectOrigin
from tests.lint.support import assert_finding, lint

RULE = RestGatewayResponsesReflectOrigin


def test_bad_default_gateway_responses_point_at_the_origins(tmp_path: Path) -> None:
    linted = lint(tmp_path, RULE, """
        rest_apis:
          legacy:
            stage: prod
            cors:
              AllowOrigins: [https://app.example.com, https://admin.example.com]
    """)
    assert_finding(linted, RULE, Severity.WARNING, "AllowOrigins",
                   "2 origins, and the gateway responses DEFAULT_4XX, DEFAULT_5XX cannot run the template",
                   "echo any request's Origin", "every website can read API Gateway's error responses")


def test_bad_listed_gateway_responses_are_pointed_at(tmp_path: Path) -> None:
    linted = lint(tmp_path, RULE, """
        rest_apis:
          legacy:
            stage: prod
            cors:
              AllowOrigins: [https://app.example.com, https://admin.example.com, https://ops.example.com]
            gateway_responses: [UNAUTHORIZED]
    """)
    assert_finding(linted, RULE, Severity.WARNING, "gateway_responses", "3 origins", "UNAUTHORIZED")


GOOD = {
    "one origin": "cors: {AllowOrigins: [https://app.example.com]}",
    "any origin": 'cors: {AllowOrigins: ["*"]}',
    "no gateway responses": ("cors: {AllowOrigins: [https://app.example.com, https://admin.example.com]}\n"
                             "            gateway_responses: []"),
    "no cors": "cors: absent",
}


@pytest.mark.parametrize("entry", GOOD.values(), ids=GOOD.keys())
def test_gateway_responses_with_one_answer_pass(tmp_path: Path, entry: str) -> None:
    text = f"""
        rest_apis:
          legacy:
            stage: prod
            {entry}
    """
    assert lint(tmp_path, RULE, text).findings == []


def test_good_http_apis_answer_origins_themselves(tmp_path: Path) -> None:
    assert lint(tmp_path, RULE, """
        http_apis:
          orders:
            cors: {AllowOrigins: [https://app.example.com, https://admin.example.com]}
    """).findings == []
