"""What config messages echo from a file: control characters escaped, long values cut, never a traceback."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from corsdeploy.config import load_environment
from corsdeploy.errors import ConfigError
from tests.test_config_support import at, problems, where, write

LONG = "x" * 2000
CONTROL = "\x1b[2J\u202e\x07"
RULE = {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}
# Each case is one environment file (as JSON, so any character can be written) with at least one problem.
HOSTILE = {
    "address with control characters": {"http_apis": {f"api{CONTROL}": {"cors": 5}}},
    "policy names listed": {"policies": {f"we{CONTROL}b": [RULE], LONG: [RULE]},
                            "s3_buckets": {"assets": {"cors": "nothing-like-it"}}},
    "policy name in a field path": {"policies": {f"we{CONTROL}b": [{**RULE, "ExposeHeaders": ["*"]}]}},
    "a long list where a mapping belongs": {"http_apis": {"svc": {"cors": [LONG] * 50}}},
    "a long unknown key": {"http_apis": {"svc": {"cors": "absent", LONG + CONTROL: 1}}},
    "a long value where absent belongs": {"http_apis": {"svc": {"cors": LONG + CONTROL}}},
    "a long enum value": {"rest_apis": {"svc": {"stage": "p", "cors": "absent",
                                                "gateway_responses": [LONG]}}},
    "a long wildcard origin": {"s3_buckets": {"assets": {"cors": [{**RULE,
                                                                  "AllowedOrigins": ["**" + LONG]}]}}},
    "a long REST origin": {"rest_apis": {"svc": {"stage": "p",
                                                 "cors": {"AllowOrigins": ["https://*." + LONG]}}}},
    "a long pattern mismatch": {"state": "s3://" + LONG + CONTROL},
    "a long unknown variable reference": {"vars": {"a": "b"}, "state": "${" + LONG},
    "a long bucket name": {"s3_buckets": {LONG + CONTROL: {"cors": "absent"}}},
    "a long function name": {"function_urls": {"fn:" + LONG + CONTROL: {"cors": "absent"}}},
    "a long duplicate value": {"http_apis": {"svc": {"cors": {"AllowOrigins": ["*"],
                                                               "AllowMethods": [LONG, LONG]}}}},
    "a long missing base": {"extends": CONTROL + LONG},
}


def readable(line: str) -> bool:
    return len(line) <= 600 and line.isprintable()


@pytest.mark.parametrize("case", list(HOSTILE))
def test_messages_are_escaped_and_bounded(tmp_path: Path, case: str) -> None:
    path = tmp_path / "prod.json"
    path.write_text(json.dumps(HOSTILE[case]), encoding="utf-8")
    lines = [str(found) for found in problems(path)]
    assert lines and all(readable(line) for line in lines), lines


def test_control_characters_in_an_address_are_escaped(tmp_path: Path) -> None:
    path = write(tmp_path, "prod.yaml", 'http_apis:\n  "api\\e[2J":\n    cors: 5\n')
    (found,) = problems(path)
    assert found.address == "http_api.api\\x1b[2J"


def test_huge_integer_is_a_config_error(tmp_path: Path) -> None:
    digits = "1" * 5000
    path = write(tmp_path, "prod.yaml", f"s3_buckets:\n  assets:\n    cors: [{{MaxAgeSeconds: {digits}}}]\n")
    found = [p for p in problems(path) if "digits" in p.message]
    assert [p.message for p in found] == ["YAML error: a number longer than 4300 digits"]
    assert where(found[0]) == at(path, digits)


def test_long_numbers_are_cut_short(tmp_path: Path) -> None:
    digits = "9" * 4000
    path = write(tmp_path, "prod.yaml", f"""
        s3_buckets:
          assets:
            cors: [{{AllowedOrigins: ["*"], AllowedMethods: [GET], MaxAgeSeconds: {digits}}}]
    """)
    (found,) = problems(path)
    assert found.message == f"MaxAgeSeconds: {'9' * 37}... is out of range: must be between 0 and 2147483647"


def test_environment_names_on_disk_are_escaped(tmp_path: Path) -> None:
    write(tmp_path, f"dev{CONTROL}.yaml", "state: x\n")
    with pytest.raises(ConfigError) as caught:
        load_environment(tmp_path, "prod")
    assert str(caught.value).isprintable() and "dev\\x1b[2J" in str(caught.value)
