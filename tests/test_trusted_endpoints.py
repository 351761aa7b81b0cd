"""A file's `endpoint_url` gets the runner's credentials only on loopback or when the same URL is
listed outside the file in CORSDEPLOY_TRUSTED_ENDPOINTS; otherwise nothing is sent, not even a DNS
lookup. The CLI runs in-process against a server that records every request."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from corsdeploy.aws import Clients
from corsdeploy.cli import cli
from corsdeploy.errors import CorsdeployError
from corsdeploy.model import AwsSettings
from tests.cli_support import S3_ENVIRONMENT
from tests.endpoint_support import RecordingServer, Resolver, recording_server

__all__ = ["recording_server"]

# A name that looks like loopback and is not: whoever owns nip.io decides where it points.
LOOKALIKE = "127.0.0.1.nip.io"
VARIABLE = "CORSDEPLOY_TRUSTED_ENDPOINTS"
COMMANDS = [["plan", "--env", "pr"], ["apply", "--env", "pr", "--auto-approve"]]


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Resolver:
    """LOOKALIKE resolves to our recording server, and every lookup is recorded."""
    resolver = Resolver(frozenset({LOOKALIKE}))
    resolver.install(monkeypatch)
    return resolver


def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, *args: str) -> Result:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "environments").mkdir(exist_ok=True)
    (tmp_path / "environments" / "pr.yaml").write_text(S3_ENVIRONMENT.format(url=url))
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("url", [
    "http://127.0.0.1.nip.io:{port}",
    "https://127.0.0.1.nip.io:{port}",
    "http://127.0.0.1@127.0.0.1.nip.io:{port}",
    "http://127.0.0.1.nip.io:{port}/#@127.0.0.1",
])
def test_an_untrusted_endpoint_in_a_file_is_refused_before_any_request(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recording_server: RecordingServer,
        resolver: Resolver, command: list[str], url: str) -> None:
    endpoint = url.format(port=recording_server.port)

    result = run(tmp_path, monkeypatch, endpoint, *command)

    assert result.exit_code == 1
    assert recording_server.requests == [] and LOOKALIKE not in resolver.asked
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    # Located at the value in the file, as every file error is.
    written = (tmp_path / "environments" / "pr.yaml").read_text().splitlines()
    line = next(n for n, text in enumerate(written, 1) if "endpoint_url:" in text)
    column = written[line - 1].index(endpoint) + 1
    assert lines[0].startswith(f"Error: environments/pr.yaml:{line}:{column}: aws.endpoint_url: ")
    assert repr(endpoint) in lines[0] and VARIABLE in lines[0] and "nothing was sent" in lines[0]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("trusted", [
    "http://127.0.0.1.nip.io:{port}",
    "HTTP://127.0.0.1.NIP.IO:{port}/",
    " https://other.example , http://127.0.0.1.nip.io:{port}/ ",
])
def test_the_same_url_listed_in_the_variable_is_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recording_server: RecordingServer,
        resolver: Resolver, command: list[str], trusted: str) -> None:
    monkeypatch.setenv(VARIABLE, trusted.format(port=recording_server.port))

    result = run(tmp_path, monkeypatch, f"http://{LOOKALIKE}:{recording_server.port}", *command)

    assert result.exit_code == 1 and "AccessDenied" in result.stderr
    assert LOOKALIKE in resolver.asked
    assert "Authorization" in recording_server.requests[0].headers


@pytest.mark.parametrize("trusted", [
    "https://127.0.0.1.nip.io:{port}",      # another scheme
    "http://127.0.0.1.nip.io:1",            # another port
    "http://127.0.0.1.nip.io",              # the default port is another port
    "http://127.0.0.1.nip.io:{port}/api",   # another path
    "http://nip.io:{port}",                 # a parent domain is another host
    "127.0.0.1.nip.io:{port}",              # not a URL
])
def test_a_url_that_differs_from_every_listed_one_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recording_server: RecordingServer,
        resolver: Resolver, trusted: str) -> None:
    monkeypatch.setenv(VARIABLE, trusted.format(port=recording_server.port))

    result = run(tmp_path, monkeypatch, f"http://{LOOKALIKE}:{recording_server.port}", "plan", "--env", "pr")

    assert result.exit_code == 1 and VARIABLE in result.stderr
    assert recording_server.requests == [] and LOOKALIKE not in resolver.asked


def test_a_loopback_endpoint_needs_no_listing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recording_server: RecordingServer) -> None:
    result = run(tmp_path, monkeypatch, f"http://127.0.0.1:{recording_server.port}", "plan", "--env", "pr")

    assert result.exit_code == 1 and "AccessDenied" in result.stderr
    assert recording_server.requests


def test_validate_sends_nothing_and_accepts_the_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recording_server: RecordingServer) -> None:
    url = f"http://{LOOKALIKE}:{recording_server.port}"
    result = run(tmp_path, monkeypatch, url, "validate", "--env", "pr")

    assert result.exit_code == 0 and recording_server.requests == []


def test_aws_endpoint_url_from_the_process_environment_stays_trusted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recording_server: RecordingServer,
        resolver: Resolver) -> None:
    """botocore reads AWS_ENDPOINT_URL itself; the runner, not the file, set it."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{LOOKALIKE}:{recording_server.port}")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "pr.yaml").write_text(
        S3_ENVIRONMENT.replace("  endpoint_url: {url}\n", ""))

    result = CliRunner().invoke(cli, ["plan", "--env", "pr"])

    assert result.exit_code == 1 and "AccessDenied" in result.stderr
    assert LOOKALIKE in resolver.asked and recording_server.requests


def test_the_client_factory_refuses_whoever_builds_it(resolver: Resolver) -> None:
    """Every command that reads AWS builds Clients first, so future ones inherit the check."""
    with pytest.raises(CorsdeployError) as raised:
        Clients(AwsSettings(region="eu-west-1", endpoint_url="https://evil.example"))
    assert str(raised.value).startswith("aws.endpoint_url: 'https://evil.example' is not a loopback address")
    assert resolver.asked == []
