"""Saved plans end to end, the real command against a moto server without a terminal: `plan --out
FILE` then `apply FILE` writes exactly what was planned, and refuses, writing nothing, a plan that no
longer holds (a drifted target, an edited file, another environment, another format version)."""
from __future__ import annotations

import hashlib
import json
import os
import pty
import select
import stat
import subprocess
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from corsdeploy.aws import Clients
from corsdeploy.config import load_environment
from corsdeploy.model import AwsSettings
from corsdeploy.planfile import content_digest
from corsdeploy.sandbox.seed import seed_environment
from tests.cli_support import InProcessCli
from tests.conftest import CORSDEPLOY, Cli, MotoServer

APP = "https://app.example.com"
OTHER = "https://other.example.com"
STATIC_RULES = [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]


def s3_environment(url: str, origin: str = APP) -> str:
    """uploads gets CORS, legacy loses its own, static is already as asked (a no-op)."""
    return json.dumps({
        "aws": {"region": "eu-west-1", "endpoint_url": url},
        "s3_buckets": {
            "uploads": {"cors": [{"AllowedOrigins": [origin], "AllowedMethods": ["GET", "PUT"]}]},
            "legacy": {"cors": "absent"},
            "static": {"cors": STATIC_RULES},
        },
    })


def every_kind(url: str, origin: str) -> str:
    cors = {"AllowOrigins": [origin], "AllowMethods": ["GET"], "MaxAge": 300}
    return json.dumps({
        "aws": {"region": "eu-west-1", "endpoint_url": url},
        "s3_buckets": {"uploads": {"cors": [{"AllowedOrigins": [origin], "AllowedMethods": ["GET"]}]}},
        "http_apis": {"orders": {"cors": cors}},
        "rest_apis": {"catalog": {"stage": "prod", "cors": cors}},
        "function_urls": {"thumbnailer": {"cors": cors}},
    })


@pytest.fixture
def s3(moto_server: MotoServer) -> Any:
    return boto3.client("s3", endpoint_url=moto_server.url, region_name="eu-west-1")


@pytest.fixture
def project(cli: Cli, moto_server: MotoServer, s3: Any) -> Cli:
    for name in ("uploads", "legacy", "static"):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_cors(Bucket="legacy", CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"], "MaxAgeSeconds": 60}]})
    s3.put_bucket_cors(Bucket="static", CORSConfiguration={"CORSRules": STATIC_RULES})
    cli.write_env("dev", s3_environment(moto_server.url))
    return InProcessCli(cli.project)


def save_plan(cli: Cli, path: str = "dev.plan.json") -> Path:
    result = cli("plan", "--env", "dev", "--out", path)
    assert result.returncode == 0, result.stderr
    return cli.project / path


def live(s3: Any, bucket: str) -> list[dict[str, Any]] | None:
    try:
        return list(s3.get_bucket_cors(Bucket=bucket)["CORSRules"])
    except s3.exceptions.ClientError:
        return None


def nothing_written(cli: Cli, s3: Any, legacy: list[dict[str, Any]] | None = None) -> bool:
    """uploads still has no CORS, legacy still has its own (or `legacy`), and no backup or history
    record was written (the lock folder is there: the lock is taken before anything is read)."""
    kept = legacy or [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"], "MaxAgeSeconds": 60}]
    state = cli.project / ".corsdeploy"
    return (live(s3, "uploads") is None and live(s3, "legacy") == kept
            and not (state / "backups").exists() and not (state / "history").exists())


def test_plan_out_writes_a_private_plan_exactly_where_asked(project: Cli) -> None:
    (project.project / "plans").mkdir()
    path = save_plan(project, "plans/dev.json")
    assert os.listdir(project.project / "plans") == ["dev.json"]  # no temporary file left behind
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    document = json.loads(path.read_text())
    assert document["format_version"] == 1 and document["environment"]["name"] == "dev"
    assert document["digest"] == content_digest(document)
    env_file = project.env_dir / "dev.yaml"
    file_digest = hashlib.sha256(env_file.read_bytes()).hexdigest()
    assert document["environment"]["file_digest"] == f"sha256:{file_digest}"
    by_address = {t["address"]: t for t in document["targets"]}
    assert list(by_address) == ["s3_bucket.uploads", "s3_bucket.legacy", "s3_bucket.static"]
    assert by_address["s3_bucket.uploads"]["after"] == {
        "CORSRules": [{"AllowedOrigins": [APP], "AllowedMethods": ["GET", "PUT"]}]}
    assert all(len(t["live_digest"]) == 64 for t in document["targets"])
    assert "SECRET" not in path.read_text()  # configuration, never credentials

    missing = project("plan", "--env", "dev", "--out", "nowhere/dev.json")
    assert missing.returncode == 1 and "cannot write the plan to nowhere/dev.json" in missing.stderr
    assert not (project.project / "nowhere").exists()


def test_apply_file_writes_the_plan_without_a_terminal(project: Cli, s3: Any) -> None:
    path = save_plan(project)
    # The real command, its input not a terminal; --auto-approve is accepted and ignored.
    applied = Cli(project.project)("apply", str(path), "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    assert "Apply complete: 2 changed, 0 failed." in applied.stdout
    assert live(s3, "uploads") == [{"AllowedOrigins": [APP], "AllowedMethods": ["GET", "PUT"]}]
    assert live(s3, "legacy") is None
    assert project("plan", "--env", "dev", "--detailed-exitcode").returncode == 0
    # Applying it again: the targets it changed are no longer what it was computed from.
    again = project("apply", str(path), "--format", "json")
    assert again.returncode == 1 and "stale" in again.stderr and again.stdout == ""


def test_apply_file_prints_the_same_json_result_as_apply(project: Cli, s3: Any) -> None:
    path = save_plan(project)
    applied = project("apply", str(path), "--env", "dev", "--format", "json")
    assert applied.returncode == 0, applied.stderr
    document = json.loads(applied.stdout)
    assert document["environment"] == "dev"
    assert [(r["address"], r["action"], r["outcome"]) for r in document["results"]] == [
        ("s3_bucket.uploads", "create", "applied"), ("s3_bucket.legacy", "delete", "applied"),
        ("s3_bucket.static", "no-op", "skipped")]
    assert document["summary"] == {"applied": 2, "failed": 0, "no-op": 1}


@pytest.mark.parametrize("bucket", ["legacy", "static"])
def test_a_target_drifted_since_the_plan_refuses_the_whole_plan(project: Cli, s3: Any, bucket: str) -> None:
    """A target with a change, or a no-op one: either way the reviewed plan no longer describes AWS."""
    path = save_plan(project)
    drifted = [{"AllowedOrigins": ["https://drift.example"], "AllowedMethods": ["GET"]}]
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": drifted})
    refused = project("apply", str(path))
    assert refused.returncode == 1
    assert "stale" in refused.stderr and f"s3_bucket.{bucket}" in refused.stderr
    assert "nothing was written" in refused.stderr
    assert live(s3, bucket) == drifted
    assert nothing_written(project, s3, drifted if bucket == "legacy" else None)


def test_an_edited_plan_file_is_refused(project: Cli, s3: Any) -> None:
    path = save_plan(project)
    document = json.loads(path.read_text())
    document["targets"][0]["after"]["CORSRules"][0]["AllowedOrigins"] = ["*"]
    path.write_text(json.dumps(document))
    refused = project("apply", str(path))
    assert refused.returncode == 1 and "was edited after it was written" in refused.stderr
    assert nothing_written(project, s3)


def test_a_plan_for_another_environment_is_refused(project: Cli, s3: Any) -> None:
    path = save_plan(project)
    refused = project("apply", str(path), "--env", "prod")
    assert refused.returncode == 1
    assert "plan for environment 'dev', not 'prod'" in refused.stderr
    assert nothing_written(project, s3)


def rewritten(path: Path, change: dict[str, Any]) -> None:
    """The plan with `change` merged in and its digest recomputed: as if another corsdeploy wrote it."""
    document = {**json.loads(path.read_text()), **change}
    path.write_text(json.dumps({**document, "digest": content_digest(document)}))


def test_a_plan_of_another_format_version_is_refused(project: Cli, s3: Any) -> None:
    path = save_plan(project)
    rewritten(path, {"format_version": 2})
    refused = project("apply", str(path))
    assert refused.returncode == 1 and "format version 2" in refused.stderr
    assert nothing_written(project, s3)


def test_a_plan_made_in_another_account_is_refused(project: Cli, s3: Any) -> None:
    """Same-named buckets elsewhere may hold the same CORS: the digests alone would not tell."""
    path = save_plan(project)
    target = json.loads(path.read_text())["target"]
    rewritten(path, {"target": {**target, "account": "999999999999"}})
    refused = project("apply", str(path))
    assert refused.returncode == 1 and "account 999999999999" in refused.stderr
    assert nothing_written(project, s3)


def test_what_is_not_a_saved_plan_is_refused_clearly(project: Cli, s3: Any) -> None:
    shown = project("plan", "--env", "dev", "--format", "json")
    (project.project / "shown.json").write_text(shown.stdout)
    refused = project("apply", "shown.json")
    assert refused.returncode == 1 and "shown.json is not a saved plan" in refused.stderr
    assert "Traceback" not in refused.stderr
    missing = project("apply", "dev")
    assert missing.returncode == 1
    assert "no saved plan at dev; to plan and apply an environment, give --env NAME" in missing.stderr
    assert nothing_written(project, s3)


def test_a_saved_plan_is_applied_whole_and_apply_needs_a_plan_or_an_environment(project: Cli) -> None:
    path = save_plan(project)
    partial = project("apply", str(path), "--target", "s3_bucket.uploads")
    assert partial.returncode == 1 and "applied whole" in partial.stderr
    neither = project("apply", "--auto-approve")
    assert neither.returncode == 1 and "give --env NAME, or a saved plan FILE" in neither.stderr


def test_a_plan_applied_after_the_file_was_edited_writes_the_plans_configuration(
        cli: Cli, moto_server: MotoServer) -> None:
    """Every kind: the plan is what was reviewed; the file's new origins wait for the next plan."""
    cli = InProcessCli(cli.project)
    planned = cli.write_env("dev", every_kind(moto_server.url, APP))
    clients = Clients(AwsSettings(region="eu-west-1", endpoint_url=moto_server.url))
    seed_environment(clients, load_environment(cli.env_dir, "dev"))
    path = save_plan(cli)
    cli.write_env("dev", every_kind(moto_server.url, OTHER))

    applied = cli("apply", str(path))
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "Apply complete: 4 changed, 0 failed." in applied.stdout
    # What is live is what the plan said: the edited file differs from it everywhere...
    edited = cli("plan", "--env", "dev", "--format", "json")
    assert edited.returncode == 0, edited.stderr
    assert json.loads(edited.stdout)["summary"] == {"create": 0, "update": 4, "delete": 0, "no-op": 0}
    # ...and the file as it was planned matches it exactly, deployments included.
    planned.write_text(every_kind(moto_server.url, APP))
    assert cli("plan", "--env", "dev", "--detailed-exitcode").returncode == 0


def test_an_interactive_apply_refuses_a_target_that_changed_while_the_prompt_waited(
        cli: Cli, moto_server: MotoServer, s3: Any) -> None:
    """An HTTP API too, whose reads the plan caches: the check must read it again."""
    cli.write_env("dev", json.dumps({
        "aws": {"region": "eu-west-1", "endpoint_url": moto_server.url},
        "s3_buckets": {"uploads": {"cors": [{"AllowedOrigins": [APP], "AllowedMethods": ["GET"]}]}},
        "http_apis": {"orders": {"cors": {"AllowOrigins": [APP], "AllowMethods": ["GET"]}}},
    }))
    seed_environment(Clients(AwsSettings(region="eu-west-1", endpoint_url=moto_server.url)),
                     load_environment(cli.env_dir, "dev"))
    apis = boto3.client("apigatewayv2", endpoint_url=moto_server.url, region_name="eu-west-1")
    (api,) = apis.get_apis()["Items"]

    terminal, process = run_on_a_terminal(cli, "apply", "--env", "dev")
    try:
        stderr = read_until(process, "Enter a value")
        apis.update_api(ApiId=api["ApiId"], CorsConfiguration={"AllowOrigins": [OTHER]})
        os.write(terminal, b"yes\n")
        stdout, rest = process.communicate(timeout=120)
    finally:
        os.close(terminal)
        if process.poll() is None:
            process.kill()
    stderr += rest.decode()
    assert process.returncode == 1, stdout.decode() + stderr
    assert "the plan is stale: the live state of http_api.orders changed" in stderr
    assert live(s3, "uploads") is None  # the whole apply was refused: nothing written
    assert apis.get_api(ApiId=api["ApiId"])["CorsConfiguration"]["AllowOrigins"] == [OTHER]


def run_on_a_terminal(cli: Cli, *args: str) -> tuple[int, subprocess.Popen[bytes]]:
    """The real command with a terminal as its input (the prompt's), its output piped."""
    terminal, child = pty.openpty()
    process = subprocess.Popen([CORSDEPLOY, *args], cwd=cli.project, stdin=child,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(child)
    return terminal, process


def read_until(process: subprocess.Popen[bytes], text: str, timeout: float = 60) -> str:
    assert process.stderr is not None
    seen, deadline = b"", time.monotonic() + timeout
    while text.encode() not in seen:
        remaining = deadline - time.monotonic()
        assert remaining > 0 and process.poll() is None, f"no {text!r} on stderr: {seen.decode()}"
        if select.select([process.stderr], [], [], remaining)[0]:
            seen += os.read(process.stderr.fileno(), 4096)
    return seen.decode()


def test_a_target_that_now_resolves_to_another_api_is_stale(cli: Cli, moto_server: MotoServer) -> None:
    """An API deleted and made again under its name, with the same CORS: not the API that was planned."""
    cli = InProcessCli(cli.project)
    cors = {"AllowOrigins": [APP], "AllowMethods": ["GET"]}
    cli.write_env("dev", json.dumps({"aws": {"region": "eu-west-1", "endpoint_url": moto_server.url},
                                     "http_apis": {"orders": {"cors": cors}}}))
    apis = boto3.client("apigatewayv2", endpoint_url=moto_server.url, region_name="eu-west-1")
    planned = apis.create_api(Name="orders", ProtocolType="HTTP", CorsConfiguration={"AllowOrigins": [OTHER]})
    path = save_plan(cli)
    apis.delete_api(ApiId=planned["ApiId"])
    again = apis.create_api(Name="orders", ProtocolType="HTTP", CorsConfiguration={"AllowOrigins": [OTHER]})
    refused = cli("apply", str(path))
    assert refused.returncode == 1
    why = f"http_api.orders: stale: it now resolves to {again['ApiId']}, not {planned['ApiId']}"
    assert why in refused.stderr
    assert apis.get_api(ApiId=again["ApiId"])["CorsConfiguration"]["AllowOrigins"] == [OTHER]
