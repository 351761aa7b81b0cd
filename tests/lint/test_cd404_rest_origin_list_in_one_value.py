"""CD404 rest-origin-list-in-one-value: a REST origin holding ',' becomes one invalid header value."""
from __future__ import annotations

from pathlib import Path

import pytest

from corsdeploy.lint.rule import Severity
from corsdeploy.lint.rules.rest import RestOriginListInOneValue
from tests.lint.support import assert_finding, lint

BAD = {
    "two origins in one string": '["https://app.example.com,https://admin.example.com"]',
    "a trailing comma": '["https://app.example.com,"]',
}

GOOD = {
    "one origin": '["https://app.example.com"]',
    "each origin its own item": '["https://app.example.com", "https://admin.example.com"]',
}

REST = """
    rest_apis:
      legacy:
        stage: prod
        gateway_responses: []
        cors:
          AllowMethods: [GET]
          AllowOrigins: {origins}
"""


@pytest.mark.parametrize("origins", BAD.values(), ids=BAD.keys())
def test_a_list_in_one_origin_is_an_error(tmp_path: Path, origins: str) -> None:
    linted = lint(tmp_path, RestOriginListInOneValue, REST.format(origins=origins))
    assert_finding(linted, RestOriginListInOneValue, Severity.ERROR, "AllowOrigins",
                   f"AllowOrigins '{origins[2:-2]}' would be sent as one Access-Control-Allow-Origin value",
                   "browsers reject a list there", "its own item")


@pytest.mark.parametrize("origins", GOOD.values(), ids=GOOD.keys())
def test_origins_one_per_item_pass(tmp_path: Path, origins: str) -> None:
    assert lint(tmp_path, RestOriginListInOneValue, REST.format(origins=origins)).findings == []


def test_only_rest_apis_send_origins_as_static_values(tmp_path: Path) -> None:
    assert lint(tmp_path, RestOriginListInOneValue, """
        http_apis:
          orders:
            cors: {AllowOrigins: ["https://app.example.com,https://admin.example.com"]}
    """).findings == []
