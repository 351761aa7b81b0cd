"""`corsdeploy lint` end to end: text, the contract's JSON, SARIF 2.1.0 checked against the official
schema, --fail-on, --all, a file validate refuses (still a report, exit 1), and no AWS at all."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from corsdeploy.lint.registry import rule_ids
from tests.cli_support import InProcessCli
from tests.conftest import Cli

SARIF_SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"
# CD101 (warning) at line 4, CD403 (info) at line 6; nothing an error.
PROD = """\
s3_buckets:
  assets:
    cors:
      - AllowedOrigins: ["*"]
        AllowedMethods: [GET]
        MaxAgeSeconds: 86400
  public-fonts:
    public: true
    cors:
      - AllowedOrigins: ["*"]
        AllowedMethods: [GET]
"""
# Line 3 breaks the schema; line 6's origin is still judged (CD103, an error).
INVALID = """\
s3_buckets:
  broken:
    cors: [{AllowedOrigins: ["https://app.example.com"], AllowedMethods: [PATCH]}]
  docs:
    cors:
      - AllowedOrigins: ["null"]
        AllowedMethods: [GET]
"""


@pytest.fixture
def lint(tmp_path: Path) -> InProcessCli:
    project = InProcessCli(tmp_path)
    project.write_env("prod", PROD)
    return project


def findings(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    document = json.loads(result.stdout)
    assert list(document) == ["findings"]
    return list(document["findings"])


def test_text_is_one_line_per_finding_then_a_count(lint: InProcessCli) -> None:
    result = lint("lint", "--env", "prod")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("environments/prod.yaml:4: warning CD101 s3_bucket.assets: AllowedOrigins '*'")
    assert lines[1].startswith("environments/prod.yaml:6: info CD403 s3_bucket.assets: MaxAgeSeconds 86400")
    assert lines[2:] == ["2 findings: 0 errors, 1 warning, 1 info."]
    assert (result.returncode, result.stderr) == (0, "")


def test_json_is_the_contracts_shape(lint: InProcessCli) -> None:
    result = lint("lint", "--env", "prod", "--format", "json")
    found = findings(result)
    assert [set(f) for f in found] == [{"rule", "severity", "address", "message", "file", "line"}] * 2
    assert [(f["rule"], f["severity"], f["address"], f["file"], f["line"]) for f in found] == [
        ("CD101", "warning", "s3_bucket.assets", "environments/prod.yaml", 4),
        ("CD403", "info", "s3_bucket.assets", "environments/prod.yaml", 6)]
    assert result.returncode == 0


def test_sarif_is_valid_for_code_scanning(lint: InProcessCli) -> None:
    result = lint("lint", "--env", "prod", "--format", "sarif")
    document = json.loads(result.stdout)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    checker = jsonschema.Draft4Validator.FORMAT_CHECKER
    jsonschema.Draft4Validator(schema, format_checker=checker).validate(document)
    (run,) = document["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(rule_ids())
    assert all(r["fullDescription"]["text"] and r["help"]["text"] for r in rules)
    results = run["results"]
    assert [(r["ruleId"], r["level"], rules[r["ruleIndex"]]["id"]) for r in results] == [
        ("CD101", "warning", "CD101"), ("CD403", "note", "CD403")]
    location = results[0]["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "environments/prod.yaml"},
                        "region": {"startLine": 4, "startColumn": 26}}
    assert results[0]["message"]["text"].startswith("s3_bucket.assets: AllowedOrigins '*'")


def test_the_schema_check_would_catch_a_broken_document(lint: InProcessCli) -> None:
    document = json.loads(lint("lint", "--env", "prod", "--format", "sarif").stdout)
    del document["runs"][0]["results"][0]["message"]
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert not jsonschema.Draft4Validator(schema).is_valid(document)


@pytest.mark.parametrize(("fail_on", "status"), [("error", 0), ("warning", 1), ("info", 1)])
def test_fail_on_sets_the_least_severity_that_fails(lint: InProcessCli, fail_on: str, status: int) -> None:
    result = lint("lint", "--env", "prod", "--fail-on", fail_on, "--format", "json")
    assert result.returncode == status
    assert len(findings(result)) == 2, "the report is the same whatever fails"


def test_info_alone_fails_only_fail_on_info(lint: InProcessCli) -> None:
    lint.write_env("prod", PROD.replace('["*"]', '["https://app.example.com"]', 1))
    assert [lint("lint", "--env", "prod", "--fail-on", level).returncode
            for level in ("error", "warning", "info")] == [0, 0, 1]


def test_a_clean_environment_says_so(lint: InProcessCli) -> None:
    lint.write_env("prod", "s3_buckets:\n  assets: {cors: absent}\n")
    result = lint("lint", "--env", "prod")
    assert (result.returncode, result.stdout) == (0, "No findings.\n")


def test_all_lints_every_environment_and_a_shared_file_once(lint: InProcessCli) -> None:
    (lint.env_dir / "_base.yaml").write_text(
        "s3_buckets:\n  shared:\n    cors:\n      - {AllowedOrigins: ['null'], AllowedMethods: [GET]}\n")
    lint.write_env("dev", "extends: _base.yaml\n")
    lint.write_env("staging", "extends: _base.yaml\n")
    result = lint("lint", "--all", "--format", "json")
    assert [(f["rule"], f["file"]) for f in findings(result)] == [
        ("CD103", "environments/_base.yaml"),
        ("CD101", "environments/prod.yaml"), ("CD403", "environments/prod.yaml")]
    assert result.returncode == 1


@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_a_file_validate_refuses_is_still_reported_and_fails(lint: InProcessCli, output_format: str) -> None:
    lint.write_env("prod", INVALID)
    result = lint("lint", "--env", "prod", "--format", output_format)
    assert (result.returncode, result.stderr) == (1, "")
    if output_format == "json":
        assert [(f["rule"], f["address"], f["line"]) for f in findings(result)] == [
            ("CD001", "s3_bucket.broken", 3), ("CD103", "s3_bucket.docs", 6)]
    elif output_format == "sarif":
        (run,) = json.loads(result.stdout)["runs"]
        assert [r["ruleId"] for r in run["results"]] == ["CD001", "CD103"]
    else:
        assert result.stdout.splitlines()[0] == (
            "environments/prod.yaml:3: error CD001 s3_bucket.broken: AllowedMethods[0]: 'PATCH' is not one "
            "of GET, PUT, POST, DELETE, HEAD")


def test_usage_errors_exit_1(lint: InProcessCli) -> None:
    assert lint("lint").returncode == 1
    assert lint("lint", "--env", "prod", "--fail-on", "never").returncode == 1
    missing = lint("lint", "--env", "nope")
    assert missing.returncode == 1 and "no environment 'nope'" in missing.stderr


def test_names_from_the_file_are_printed_escaped(lint: InProcessCli) -> None:
    lint.write_env("prod", 's3_buckets:\n  "evil\\e[2J":\n'
                           '    cors: [{AllowedOrigins: ["*"], AllowedMethods: [GET]}]\n')
    result = lint("lint", "--env", "prod")
    assert "\x1b" not in result.stdout and "evil\\x1b[2J" in result.stdout


def test_the_real_command_imports_no_aws_code(cli: Cli) -> None:
    cli.write_env("prod", PROD)
    program = (
        "import json, sys\n"
        "from click.testing import CliRunner\n"
        "from corsdeploy.cli import cli\n"
        "for output in ('text', 'json', 'sarif'):\n"
        "    result = CliRunner().invoke(cli, ['lint', '--all', '--format', output])\n"
        "    assert result.exit_code == 0, result.output\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", program], cwd=cli.project, capture_output=True, text=True,
                          check=True, timeout=60)
    assert json.loads(done.stdout) == []
