"""A file's `aws.profile` and `aws.assume_role` choose among the runner's profiles and roles (and a
profile's credential_process runs at plan). CORSDEPLOY_PINNED=1 takes that choice from the file:
the profile and role are CORSDEPLOY_PROFILE and CORSDEPLOY_ASSUME_ROLE, and a file naming another is
refused before anything runs or is sent."""
from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner, Result

from corsdeploy.cli import cli
from tests.endpoint_support import RecordingServer, recording_server

__all__ = ["recording_server"]

CHOSEN_ROLE = "arn:aws:iam::123456789012:role/pr-chosen"
PINNED_ROLE = "arn:aws:iam::123456789012:role/ci-read-only"
CI_KEY = "AKIACIPINNEDPROFILE00"
ENVIRONMENT = """\
aws:
  region: eu-west-1
  endpoint_url: {url}
{extra}s3_buckets:
  uploads:
    cors:
      - AllowedOrigins: ["https://app.example.com"]
        AllowedMethods: [GET]
"""


class Runner:
    """A project with an AWS config whose profile `pr-chosen` runs a credential_process that leaves
    a marker, and a profile `ci` with static keys; commands run in-process."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch, server: RecordingServer) -> None:
        self.root, self.server, self.marker = root, server, root / "credential_process-ran"
        process = root / "credentials.py"
        process.write_text(
            "import json, pathlib\n"
            f"pathlib.Path({str(self.marker)!r}).write_text('ran')\n"
            "print(json.dumps({'Version': 1, 'AccessKeyId': 'AKIAPRCHOSEN00000000', "
            "'SecretAccessKey': 'pr-chosen-secret'}))\n")
        config = root / "aws-config"
        config.write_text(
            f"[profile pr-chosen]\ncredential_process = {sys.executable} {process}\n\n"
            f"[profile ci]\naws_access_key_id = {CI_KEY}\naws_secret_access_key = ci-secret\n")
        monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
        monkeypatch.chdir(root)
        (root / "environments").mkdir()

    def plan(self, extra: str = "") -> Result:
        url = f"http://127.0.0.1:{self.server.port}"
        (self.root / "environments" / "pr.yaml").write_text(ENVIRONMENT.format(url=url, extra=extra))
        return CliRunner().invoke(cli, ["plan", "--env", "pr"])


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recording_server: RecordingServer) -> Runner:
    return Runner(tmp_path, monkeypatch, recording_server)


def test_unpinned_a_file_chooses_the_profile_and_its_credential_process_runs(runner: Runner) -> None:
    """The risk the pin removes (README: Running on untrusted pull requests)."""
    runner.plan("  profile: pr-chosen\n")

    assert runner.marker.exists()
    assert "Credential=AKIAPRCHOSEN00000000/" in runner.server.requests[0].headers["Authorization"]


def test_pinned_a_file_naming_another_profile_is_refused_before_anything_runs(
        runner: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORSDEPLOY_PINNED", "1")

    result = runner.plan("  profile: pr-chosen\n")

    assert result.exit_code == 1
    assert not runner.marker.exists() and runner.server.requests == []
    written = (runner.root / "environments" / "pr.yaml").read_text().splitlines()
    line = next(n for n, text in enumerate(written, 1) if "profile:" in text)
    column = written[line - 1].index("pr-chosen") + 1
    assert result.stderr.splitlines() == [
        f"Error: environments/pr.yaml:{line}:{column}: aws.profile: 'pr-chosen' is not the pinned value "
        "(CORSDEPLOY_PROFILE: none): with CORSDEPLOY_PINNED=1 the file cannot choose it; remove "
        "aws.profile from the file or set CORSDEPLOY_PROFILE outside it; nothing was sent"]


def test_pinned_a_file_naming_another_role_is_refused_before_any_request(
        runner: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORSDEPLOY_PINNED", "1")
    monkeypatch.setenv("CORSDEPLOY_ASSUME_ROLE", PINNED_ROLE)

    result = runner.plan(f"  assume_role: {CHOSEN_ROLE}\n")

    assert result.exit_code == 1 and runner.server.requests == []
    assert f"aws.assume_role: {CHOSEN_ROLE!r} is not the pinned value (CORSDEPLOY_ASSUME_ROLE: " \
           f"{PINNED_ROLE!r})" in result.stderr


def test_pinned_the_variables_choose_the_profile_and_role(
        runner: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORSDEPLOY_PINNED", "1")
    monkeypatch.setenv("CORSDEPLOY_PROFILE", "ci")
    monkeypatch.setenv("CORSDEPLOY_ASSUME_ROLE", PINNED_ROLE)

    result = runner.plan()

    assert result.exit_code == 1 and "AccessDenied" in result.stderr
    first = runner.server.requests[0]
    assert f"Credential={CI_KEY}/" in first.headers["Authorization"]
    assert "Action=AssumeRole" in first.body and f"RoleArn={quote(PINNED_ROLE, safe='')}" in first.body


def test_pinned_a_file_may_repeat_the_pinned_values(runner: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORSDEPLOY_PINNED", "1")
    monkeypatch.setenv("CORSDEPLOY_PROFILE", "pr-chosen")

    result = runner.plan("  profile: pr-chosen\n")

    assert "AccessDenied" in result.stderr and runner.marker.exists()


@pytest.mark.parametrize("variable", ["CORSDEPLOY_PROFILE", "CORSDEPLOY_ASSUME_ROLE"])
def test_a_pinned_value_without_the_switch_is_an_error_not_ignored(
        runner: Runner, monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    monkeypatch.setenv(variable, PINNED_ROLE if variable.endswith("ROLE") else "ci")

    result = runner.plan("  profile: pr-chosen\n")

    assert result.exit_code == 1 and runner.server.requests == [] and not runner.marker.exists()
    assert f"{variable} is set but CORSDEPLOY_PINNED is not: set CORSDEPLOY_PINNED=1" in result.stderr


def test_an_unknown_switch_value_is_an_error(runner: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORSDEPLOY_PINNED", "maybe")

    result = runner.plan("  profile: pr-chosen\n")

    assert result.exit_code == 1 and runner.server.requests == []
    assert "CORSDEPLOY_PINNED must be 1 or 0, not 'maybe'" in result.stderr
