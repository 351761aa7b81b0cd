"""Credentials never leave: every command, with --debug and on its error paths, run with recognisable
fake credentials (from the environment, then from a profile in a temporary AWS config) against the
moto server, and neither what it prints nor any file it leaves (plans, history, backups, locks,
logs: the whole project folder) holds them. (tests/test_cli_output.py covers an endpoint that quotes
the credentials back in an error.)"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner

from corsdeploy.cli import cli
from tests.conftest import MotoServer, free_port

ACCESS_KEY = "AKIASECRETSEVERYWHERE7"
SECRET_KEY = "SecretsEverywhereSECRETkeyMUSTNOTleak0123"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEverywhereSESSIONtokenMUSTNOTleak9876543210"
PROFILE_ACCESS_KEY = "AKIAPROFILEKEYNOTSHOWN"
PROFILE_SECRET_KEY = "ProfileSECRETkeyFromCredentialsFileMUSTNOTleak"
PROFILE_TOKEN = "ProfileSESSIONtokenFromCredentialsFileMUSTNOTleak"
SECRETS = (ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, PROFILE_ACCESS_KEY, PROFILE_SECRET_KEY, PROFILE_TOKEN)

APP = "https://app.example.com"
URL = "https://uploads.s3.eu-west-1.amazonaws.com/photo.jpg"
CHROME = (f"Access to fetch at '{URL}' from origin '{APP}' has been blocked by CORS policy: No "
          "'Access-Control-Allow-Origin' header is present on the requested resource.")
ENVIRONMENT = """\
aws:
  region: eu-west-1
  endpoint_url: {url}
s3_buckets:
  uploads:
    cors:
      - AllowedOrigins: ["{app}"]
        AllowedMethods: [GET, PUT]
"""

# Every command, as a user runs it; each also runs with --debug.
COMMANDS = [
    ["validate", "--all"],
    ["lint", "--env", "prod"],
    ["schema"],
    ["permissions", "--env", "prod"],
    ["check", "--env", "prod", "--resource", "s3_bucket.uploads", "--origin", APP, "--method", "GET"],
    ["check", "--env", "prod", "--resource", "s3_bucket.uploads", "--origin", APP, "--method", "GET",
     "--live"],
    ["check", "--env", "prod", "--from-browser-error", CHROME],
    ["check", "--env", "prod", "--from-browser-error", CHROME, "--live"],
    ["plan", "--env", "prod"],
    ["plan", "--env", "prod", "--format", "json"],
    ["plan", "--env", "prod", "--format", "markdown"],
    ["plan", "--env", "prod", "--out", "plan.json"],
    ["apply", "plan.json"],
    ["apply", "--env", "prod", "--auto-approve"],
    ["history", "--env", "prod"],
    ["history", "--env", "prod", "--format", "json"],
    ["rollback", "--env", "prod", "--auto-approve"],
    ["import", "--env", "prod", "s3_bucket.uploads"],
    ["probe", "--env", "prod"],
    ["sandbox", "status"],
    ["unlock", "--env", "prod", "0123456789abcdef"],
    # Error paths: an invalid file, a plan that is not one, an apply that is not there.
    ["validate", "--env", "broken"],
    ["plan", "--env", "broken"],
    ["apply", "missing-plan.json"],
    ["apply", "environments/prod.yaml"],
    ["rollback", "--env", "prod", "--to", "20990101T000000Z-0000", "--auto-approve"],
]
# The commands that open an AWS session (what a profile's credentials reach).
AWS_COMMANDS = [args for args in COMMANDS if "--live" in args or (
    args[0] in ("permissions", "plan", "apply", "rollback", "import", "probe") and "broken" not in args)]


def leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def files_holding_secrets(folder: Path) -> list[str]:
    """Every file under `folder` (state folder, plans, logs) that holds a secret."""
    return [str(path.relative_to(folder)) for path in folder.rglob("*")
            if path.is_file() and not path.is_symlink() and leaks(path.read_bytes().decode(errors="replace"))]


def run_all(project: Path, commands: list[list[str]]) -> list[str]:
    """Each command, plain and with --debug; what leaked where (empty: nothing)."""
    found = []
    for args in commands:
        for arguments in (args, [*args, "--debug"]):
            done = CliRunner().invoke(cli, arguments, prog_name="corsdeploy")
            assert "internal error" not in done.stderr, (arguments, done.stderr)
            found += [f"{' '.join(arguments)}: {secret}" for secret in leaks(done.stdout + done.stderr)]
    return found + [f"file {name}" for name in files_holding_secrets(project)]


@pytest.fixture
def project(tmp_path: Path, moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    boto3.client("s3", endpoint_url=moto_server.url, region_name="eu-west-1").create_bucket(
        Bucket="uploads", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "prod.yaml").write_text(ENVIRONMENT.format(url=moto_server.url, app=APP))
    (tmp_path / "environments" / "broken.yaml").write_text("s3_buckets:\n  uploads:\n    cors: [{{\n")
    yield tmp_path


def test_credentials_from_the_environment_never_leave(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
    assert run_all(project, COMMANDS) == []
    assert (project / "plan.json").exists() and list((project / ".corsdeploy" / "history").rglob("*.json"))
    assert list((project / ".corsdeploy" / "backups").rglob("*.json"))  # backups were written, and searched


def test_credentials_from_a_profile_never_leave(project: Path, tmp_path_factory: pytest.TempPathFactory,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    aws = tmp_path_factory.mktemp("aws")
    (aws / "credentials").write_text(f"[ci]\naws_access_key_id = {PROFILE_ACCESS_KEY}\n"
                                     f"aws_secret_access_key = {PROFILE_SECRET_KEY}\n"
                                     f"aws_session_token = {PROFILE_TOKEN}\n")
    (aws / "config").write_text("[profile ci]\nregion = eu-west-1\n")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(aws / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(aws / "config"))
    monkeypatch.setenv("AWS_PROFILE", "ci")
    assert run_all(project, AWS_COMMANDS) == []


def test_credentials_never_leave_when_aws_refuses_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       moto_server_no_auth_actions: MotoServer) -> None:
    """Bad credentials: a server that checks them answers InvalidClientTokenId / AccessDenied."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "prod.yaml").write_text(
        ENVIRONMENT.format(url=moto_server_no_auth_actions.url, app=APP))
    assert run_all(tmp_path, AWS_COMMANDS) == []
    refused = CliRunner().invoke(cli, ["plan", "--env", "prod"])
    assert refused.exit_code == 1 and "InvalidClientTokenId" in refused.stderr, refused.stderr


def test_credentials_never_leave_when_the_endpoint_is_unreachable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "prod.yaml").write_text(
        ENVIRONMENT.format(url=f"http://127.0.0.1:{free_port()}", app=APP))
    assert run_all(tmp_path, [["plan", "--env", "prod"], ["apply", "--env", "prod", "--auto-approve"]]) == []
