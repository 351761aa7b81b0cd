"""`plan --all`: every environment planned at once, one summary line each, the drift job's exit codes."""
from __future__ import annotations

import json
import threading
from typing import Any

import boto3
import pytest

from corsdeploy.engine import plan_all
from corsdeploy.errors import CorsdeployError
from corsdeploy.model import Environment
from tests.cli_support import InProcessCli
from tests.conftest import Cli, MotoServer

RULES = [{"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET"]}]


def environment(url: str, bucket: str) -> str:
    return json.dumps({"aws": {"region": "eu-west-1", "endpoint_url": url},
                       "s3_buckets": {bucket: {"cors": RULES}}})


@pytest.fixture
def project(cli: Cli, moto_server: MotoServer) -> Cli:
    """`clean` has nothing to change, `drifted` one bucket to create CORS on."""
    s3 = boto3.client("s3", endpoint_url=moto_server.url, region_name="eu-west-1")
    for bucket in ("clean", "drifted"):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_cors(Bucket="clean", CORSConfiguration={"CORSRules": RULES})
    for name in ("clean", "drifted"):
        cli.write_env(name, environment(moto_server.url, name))
    (cli.env_dir / "_base.yaml").write_text("{}\n")  # a shared fragment, not an environment
    return InProcessCli(cli.project)


def test_changes_exit_2_under_detailed_exitcode(project: Cli) -> None:
    result = Cli(project.project)("plan", "--all", "--detailed-exitcode")  # the real command once
    assert result.returncode == 2, result.stderr
    assert result.stdout.splitlines() == ["clean: 0 to create, 0 to update, 0 to delete, 1 unchanged",
                                          "drifted: 1 to create, 0 to update, 0 to delete, 0 unchanged"]
    assert project("plan", "--all").returncode == 0


def test_no_changes_anywhere_exit_0(project: Cli) -> None:
    (project.env_dir / "drifted.yaml").unlink()
    assert project("plan", "--all", "--detailed-exitcode").returncode == 0


def test_an_environment_that_cannot_be_planned_exits_1_and_the_others_are_still_shown(
        project: Cli, moto_server: MotoServer) -> None:
    project.write_env("broken", environment(moto_server.url, "missing-bucket"))
    project.write_env("invalid", "s3_buckets: [\n")
    result = project("plan", "--all", "--detailed-exitcode")
    assert result.returncode == 1
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines())
    assert list(lines) == ["broken", "clean", "drifted", "invalid"]
    assert lines["broken"].startswith("error: ") and "s3_bucket.missing-bucket" in lines["broken"]
    assert "does not exist" in lines["broken"]
    assert lines["invalid"].startswith("error: ") and "invalid.yaml" in lines["invalid"]
    assert lines["drifted"] == "1 to create, 0 to update, 0 to delete, 0 unchanged"
    assert "could not plan broken, invalid" in result.stderr

    document = json.loads(project("plan", "--all", "--format", "json").stdout)
    by_name = {e["environment"]: e for e in document["environments"]}
    assert by_name["drifted"] == {"environment": "drifted", "errors": [],
                                  "summary": {"create": 1, "update": 0, "delete": 0, "no-op": 0}}
    assert by_name["broken"]["summary"] is None and "does not exist" in by_name["broken"]["errors"][0]


@pytest.mark.parametrize("args", [("--all", "--env", "clean"), ("--all", "--target", "s3_bucket.clean"),
                                  ("--all", "--out", "plan.json"), ()])
def test_all_is_one_choice_among_the_options(project: Cli, args: tuple[str, ...]) -> None:
    result = project("plan", *args)
    assert result.returncode == 1 and "Usage:" in result.stderr
    assert not (project.project / "plan.json").exists()


def test_environments_are_planned_concurrently() -> None:
    """Each load waits for the other: planned one after the other, both would time out."""
    both = threading.Barrier(2, timeout=10)

    def load(name: str) -> Environment:
        both.wait()
        raise CorsdeployError(f"{name}: loaded alongside the other")

    plans = plan_all(["a", "b"], load)
    assert [(p.name, p.plan, p.errors) for p in plans] == [
        ("a", None, ("a: loaded alongside the other",)), ("b", None, ("b: loaded alongside the other",))]


def test_a_bug_in_one_environment_is_reported_and_hides_nothing() -> None:
    def load(name: str) -> Any:
        raise KeyError(name)

    (plan,) = plan_all(["a"], load)
    assert plan.errors == ("internal error: KeyError: 'a'",)
