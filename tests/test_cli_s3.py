"""The real `corsdeploy` command against a moto server over HTTP, as a pipeline runs it."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest

from corsdeploy.services.co_managed import NOT_CHECKED_AT_PLAN
from tests.conftest import CORSDEPLOY, Cli, MotoServer, free_port

UPLOAD_RULES = [{"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET", "PUT"],
                 "AllowedHeaders": ["Content-Type"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 3000}]


def environment(endpoint: str, account: str | None = None) -> str:
    guard = f'  account_id: "{account}"\n' if account else ""
    return f"""\
aws:
  region: eu-west-1
  endpoint_url: {endpoint}
{guard}vars:
  app: https://app.example.com
s3_buckets:
  uploads:
    cors:
      - AllowedOrigins: ["${{app}}"]
        AllowedMethods: [GET, PUT]
        AllowedHeaders: [Content-Type]
        ExposeHeaders: [ETag]
        MaxAgeSeconds: 3000
  legacy:
    cors: absent
"""


@pytest.fixture
def s3(moto_server: MotoServer) -> Any:
    client = boto3.client("s3", endpoint_url=moto_server.url, region_name="eu-west-1")
    for name in ("uploads", "legacy"):
        client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    client.put_bucket_cors(Bucket="legacy", CORSConfiguration={
        "CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]})
    return client


@pytest.fixture
def project(cli: Cli, moto_server: MotoServer, s3: Any) -> Cli:
    cli.write_env("dev", environment(moto_server.url))
    return cli


def plan_json(cli: Cli, *extra: str) -> dict[str, Any]:
    result = cli("plan", "--env", "dev", "--format", "json", *extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_plan_apply_replan_drift_absent(project: Cli, s3: Any, moto_server: MotoServer) -> None:
    first = project("plan", "--env", "dev", "--detailed-exitcode")
    assert first.returncode == 2, first.stderr
    assert "+ s3_bucket.uploads" in first.stdout
    assert "- s3_bucket.legacy" in first.stdout
    assert "Plan: 1 to create, 0 to update, 1 to delete, 0 unchanged." in first.stdout
    assert "\x1b[" not in first.stdout  # piped: no colour codes
    assert f"endpoint {moto_server.url}" in first.stdout and "region eu-west-1" in first.stdout
    assert "account 123456789012" in first.stdout

    applied = project("apply", "--env", "dev", "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    assert "Apply complete: 2 changed, 0 failed." in applied.stdout
    assert s3.get_bucket_cors(Bucket="uploads")["CORSRules"] == UPLOAD_RULES
    with pytest.raises(s3.exceptions.ClientError):
        s3.get_bucket_cors(Bucket="legacy")

    again = project("plan", "--env", "dev", "--detailed-exitcode")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "No changes." in again.stdout

    # Drift made behind corsdeploy's back: an extra method and a changed max-age.
    drifted = [{**UPLOAD_RULES[0], "AllowedMethods": ["GET", "PUT", "DELETE"], "MaxAgeSeconds": 1}]
    s3.put_bucket_cors(Bucket="uploads", CORSConfiguration={"CORSRules": drifted})
    drift = project("plan", "--env", "dev", "--detailed-exitcode")
    assert drift.returncode == 2
    assert "~ s3_bucket.uploads" in drift.stdout
    shown = [line.strip() for line in drift.stdout.splitlines()]
    rule = shown.index('~ rule 0 for "https://app.example.com":')
    assert shown[rule + 1:rule + 5] == ["~ AllowedMethods:", '- "DELETE"', "# (2 unchanged values hidden)",
                                        "~ MaxAgeSeconds: 1 -> 3000"]
    assert "Plan: 0 to create, 1 to update, 0 to delete, 1 unchanged." in drift.stdout

    everything_absent = environment(moto_server.url).split("s3_buckets:")[0] + (
        "s3_buckets:\n  uploads:\n    cors: absent\n  legacy:\n    cors: absent\n")
    project.write_env("dev", everything_absent)
    removal = project("apply", "--env", "dev", "--auto-approve", "--format", "json")
    assert removal.returncode == 0, removal.stderr
    document = json.loads(removal.stdout)
    assert document["results"] == [
        {"address": "s3_bucket.uploads", "action": "delete", "outcome": "applied", "error": None},
        {"address": "s3_bucket.legacy", "action": "no-op", "outcome": "skipped", "error": None}]
    assert document["summary"] == {"applied": 1, "failed": 0, "no-op": 1}
    with pytest.raises(s3.exceptions.ClientError):
        s3.get_bucket_cors(Bucket="uploads")


def test_a_service_lowercasing_nothing_and_equivalent_spellings_plan_no_op(project: Cli, s3: Any) -> None:
    # Same rule, methods reordered and header names in another case: S3 treats them alike.
    s3.put_bucket_cors(Bucket="uploads", CORSConfiguration={"CORSRules": [
        {**UPLOAD_RULES[0], "AllowedMethods": ["PUT", "GET"], "AllowedHeaders": ["content-type"],
         "ExposeHeaders": ["etag"]}]})
    s3.delete_bucket_cors(Bucket="legacy")
    assert plan_json(project)["summary"] == {"create": 0, "update": 0, "delete": 0, "no-op": 2}


def test_plan_json_matches_the_contract(project: Cli, s3: Any) -> None:
    document = plan_json(project)
    assert document["format_version"] == 1 and document["environment"] == "dev"
    # A bucket's tags (another IaC tool managing it) are read only before it is written.
    not_checked = [NOT_CHECKED_AT_PLAN]
    assert document["changes"] == [
        {"address": "s3_bucket.uploads", "action": "create", "before": None,
         "after": {"CORSRules": UPLOAD_RULES}, "warnings": not_checked},
        {"address": "s3_bucket.legacy", "action": "delete",
         "before": {"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]}, "after": None,
         "warnings": not_checked}]
    assert document["summary"] == {"create": 1, "update": 0, "delete": 1, "no-op": 0}


def test_target_limits_plan_and_apply(project: Cli, s3: Any) -> None:
    document = plan_json(project, "--target", "s3_bucket.legacy")
    assert [c["address"] for c in document["changes"]] == ["s3_bucket.legacy"]
    result = project("apply", "--env", "dev", "--auto-approve", "--target", "s3_bucket.legacy")
    assert result.returncode == 0, result.stderr
    assert "Apply complete: 1 changed, 0 failed." in result.stdout
    assert plan_json(project)["summary"]["create"] == 1  # uploads was not touched

    unknown = project("plan", "--env", "dev", "--target", "s3_bucket.nope")
    assert unknown.returncode == 1 and unknown.stdout == ""
    assert "s3_bucket.nope" in unknown.stderr and "s3_bucket.uploads" in unknown.stderr


def test_backups_hold_what_each_write_replaced(project: Cli, s3: Any) -> None:
    result = project("apply", "--env", "dev", "--auto-approve", "--format", "json")
    apply_id = json.loads(result.stdout)["apply_id"]
    folder = project.project / ".corsdeploy" / "backups" / apply_id
    legacy = json.loads((folder / "s3_bucket.legacy.json").read_text())
    assert legacy["configuration"] == {"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]}
    assert json.loads((folder / "s3_bucket.uploads.json").read_text())["configuration"] is None


def test_missing_bucket_fails_the_whole_plan_with_nothing_on_stdout(project: Cli, moto_server: MotoServer,
                                                                     s3: Any) -> None:
    project.write_env("dev", environment(moto_server.url) + "  not-there:\n    cors: absent\n")
    for extra in ((), ("--detailed-exitcode",), ("--format", "json")):
        result = project("plan", "--env", "dev", *extra)
        assert result.returncode == 1
        assert result.stdout == ""
        assert "s3_bucket.not-there: bucket 'not-there' does not exist" in result.stderr
        assert "Traceback" not in result.stderr


def test_wrong_account_stops_before_reading(cli: Cli, moto_server: MotoServer, s3: Any) -> None:
    cli.write_env("dev", environment(moto_server.url, account="999999999999"))
    result = cli("apply", "--env", "dev", "--auto-approve")
    assert result.returncode == 1 and result.stdout == ""
    assert "expects account 999999999999" in result.stderr and "123456789012" in result.stderr
    assert s3.get_bucket_cors(Bucket="legacy")["CORSRules"]  # untouched


def test_right_account_passes_the_guard(cli: Cli, moto_server: MotoServer, s3: Any) -> None:
    cli.write_env("dev", environment(moto_server.url, account="123456789012"))
    assert cli("plan", "--env", "dev").returncode == 0


def test_apply_without_a_terminal_or_auto_approve_exits_at_once(cli: Cli) -> None:
    cli.write_env("dev", environment("http://127.0.0.1:9"))  # nothing listens: no call may be made
    result = cli("apply", "--env", "dev")
    assert result.returncode == 1
    assert "--auto-approve" in result.stderr and result.stdout == ""


def test_usage_errors_exit_1_not_2(cli: Cli) -> None:
    for args in (("plan",), ("plan", "--env", "dev", "--bogus"), ("frobnicate",)):
        result = cli(*args)
        assert result.returncode == 1, args
        assert "Traceback" not in result.stderr


def test_env_dir_and_debug_work_after_the_command_name(cli: Cli, moto_server: MotoServer, s3: Any,
                                                      tmp_path: Path) -> None:
    elsewhere = tmp_path / "ops" / "envs"
    elsewhere.mkdir(parents=True)
    (elsewhere / "dev.yaml").write_text(environment(moto_server.url))
    assert cli("plan", "--env", "dev", "--env-dir", "ops/envs", "--debug").returncode == 0
    assert cli("--env-dir", "ops/envs", "plan", "--env", "dev").returncode == 0


def test_unreachable_endpoint_is_a_clean_error(cli: Cli) -> None:
    cli.write_env("dev", environment("http://127.0.0.1:9"))
    result = cli("plan", "--env", "dev")
    assert result.returncode == 1 and result.stdout == ""
    assert "Traceback" not in result.stderr and "Error:" in result.stderr


def test_bad_file_is_reported_with_file_line_column_and_address(cli: Cli) -> None:
    text = environment("http://127.0.0.1:9").replace("[GET, PUT]", "[GET, PATCH]")
    cli.write_env("dev", text)
    result = cli("validate", "--env", "dev")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "PATCH" in row)
    column = text.splitlines()[line - 1].index("PATCH") + 1
    assert result.returncode == 1
    assert f"environments/dev.yaml:{line}:{column}: s3_bucket.uploads:" in result.stderr
    assert "'PATCH'" in result.stderr and "Traceback" not in result.stderr
    # plan refuses the same file before any call
    assert cli("plan", "--env", "dev").returncode == 1


def test_validate_all_and_schema(cli: Cli) -> None:
    cli.write_env("dev", environment("http://127.0.0.1:9"))
    cli.write_env("_shared", "vars: {}\n")
    result = cli("validate", "--all")
    assert result.returncode == 0, result.stderr
    assert "dev.yaml: valid (2 resources)" in result.stdout and "_shared" not in result.stdout
    schema = cli("schema")
    assert schema.returncode == 0
    assert "s3_buckets" in json.loads(schema.stdout)["properties"]


def test_aws_endpoint_url_is_honoured_when_the_file_sets_none(
    cli: Cli, moto_server: MotoServer, s3: Any
) -> None:
    cli.write_env("dev", environment(moto_server.url).replace(f"  endpoint_url: {moto_server.url}\n", ""))
    result = cli("plan", "--env", "dev", env={"AWS_ENDPOINT_URL": moto_server.url})
    assert result.returncode == 0, result.stderr
    assert f"endpoint {moto_server.url}" in result.stdout


def test_apply_says_where_backups_are_only_when_one_was_written(project: Cli, s3: Any) -> None:
    applied = project("apply", "--env", "dev", "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    shown = next(line for line in applied.stdout.splitlines() if line.startswith("Backups"))
    folder = project.project / shown.split(": ", 1)[1].strip()
    assert sorted(p.name for p in folder.iterdir()) == ["s3_bucket.legacy.json", "s3_bucket.uploads.json"]


def test_a_backup_failure_says_nothing_was_changed(project: Cli, s3: Any) -> None:
    (project.project / ".corsdeploy").mkdir()
    (project.project / ".corsdeploy" / "backups").write_text("not a folder")
    result = project("apply", "--env", "dev", "--auto-approve")
    assert result.returncode == 1
    assert "backup could not be written" in result.stdout and "nothing was changed" in result.stdout
    assert "Backups" not in result.stdout + result.stderr
    assert s3.get_bucket_cors(Bucket="legacy")["CORSRules"]  # untouched


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_a_reader_that_stops_early_is_not_an_error(project: Cli, output_format: str) -> None:
    """`corsdeploy plan | head -1` under `set -o pipefail`: the reader goes away before the output."""
    process = subprocess.Popen(
        [CORSDEPLOY, "plan", "--env", "dev", "--format", output_format, "--detailed-exitcode"],
        cwd=project.project, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the pipe's only reader is gone before corsdeploy writes a byte
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 2, stderr  # the plan's own exit status, nothing else
    assert stderr == ""


def test_the_sandbox_url_moves_every_loopback_endpoint(cli: Cli, moto_server: MotoServer, s3: Any) -> None:
    cli.write_env("dev", environment(f"http://127.0.0.1:{free_port()}"))  # nothing listens there
    result = cli("plan", "--env", "dev", env={"CORSDEPLOY_SANDBOX_URL": moto_server.url})
    assert result.returncode == 0, result.stderr
    assert f"endpoint {moto_server.url}" in result.stdout
    refused = cli("plan", "--env", "dev", env={"CORSDEPLOY_SANDBOX_URL": "http://127.0.0.1.nip.io:4566"})
    assert refused.returncode == 1 and "CORSDEPLOY_SANDBOX_URL" in refused.stderr
