"""Shared fixtures: fake credentials for every test, moto in-process, and moto servers over HTTP."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Recognisable fake secrets: tests assert they never reach output.
SECRET_KEY = "SECRETKEYshouldNEVERbePRINTED0000000000"
ACCESS_KEY = "AKIATESTNOTAREALKEY00"


@pytest.fixture(autouse=True)
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test ever reaches a real account or a developer's profile."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name.startswith("CORSDEPLOY_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture(autouse=True)
def sandbox_runtime(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test sees or stops a developer's own sandbox (its records live in the user's runtime folder)."""
    folder = tmp_path_factory.mktemp("run")
    folder.chmod(0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def api_gateway_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    """API Gateway pacing in-process on a fake clock: the quotas are kept, nothing really waits."""
    from corsdeploy.providers import pacing
    from tests.pacing_support import FakeClock

    clock = FakeClock()
    monkeypatch.setattr(pacing, "SHARED", pacing.PacerRegistry(clock, clock.sleep))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MotoServer:
    """The sandbox's emulator (moto, corrected where it is not AWS) in its own process; reset per test."""

    def __init__(self, extra_env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "MOTO_DISABLE_GLOBAL_CORS": "true", **(extra_env or {})}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "corsdeploy.sandbox.emulator", "-H", "127.0.0.1", "-p", str(self.port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/moto-api/", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("moto server did not start")

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        urllib.request.urlopen(request, timeout=10)

    def allow_unauthenticated(self, actions: int) -> None:
        """Let the next `actions` calls through without IAM checks (to set up users and buckets)."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset-auth", data=str(actions).encode(),
                                         headers={"Content-Type": "text/plain"}, method="POST")
        urllib.request.urlopen(request, timeout=10)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def _moto_server_process() -> Iterator[MotoServer]:
    server = MotoServer()
    yield server
    server.stop()


@pytest.fixture
def moto_server(_moto_server_process: MotoServer) -> MotoServer:
    """A clean moto server reachable over HTTP (for CLI end-to-end tests)."""
    _moto_server_process.reset()
    return _moto_server_process


@pytest.fixture(scope="session")
def moto_server_no_auth_actions() -> Iterator[MotoServer]:
    """A moto server that enforces IAM from the first call (INITIAL_NO_AUTH_ACTION_COUNT=0)."""
    server = MotoServer({"INITIAL_NO_AUTH_ACTION_COUNT": "0"})
    yield server
    server.stop()


CORSDEPLOY = str(Path(sys.executable).parent / "corsdeploy")


class Cli:
    """Runs the real `corsdeploy` command in a project folder, as a pipeline would (no terminal)."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.env_dir = project / "environments"
        self.env_dir.mkdir(exist_ok=True)

    def write_env(self, name: str, text: str) -> Path:
        path = self.env_dir / f"{name}.yaml"
        path.write_text(text)
        return path

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [CORSDEPLOY, *args], cwd=self.project, env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
        )
        # Whatever the command did, no credential may appear in what it printed.
        assert SECRET_KEY not in result.stdout + result.stderr
        assert ACCESS_KEY not in result.stdout + result.stderr
        return result


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)
