"""Start, stop and inspect the sandbox: a moto server on loopback, in the background.

Its pid, port and log live under `.corsdeploy/`. moto is started with MOTO_DISABLE_GLOBAL_CORS
because otherwise it reflects any Origin on every response, which would teach users nothing
about how AWS answers browsers.
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from corsdeploy.errors import CorsdeployError
from corsdeploy.state import STATE_DIR

DEFAULT_URL = "http://127.0.0.1:4566"
START_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Sandbox:
    pid: int
    url: str

    @property
    def port(self) -> int:
        return urlparse(self.url).port or 80


def _pid_file(root: Path) -> Path:
    return root / "sandbox.pid"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def status(root: Path = STATE_DIR) -> Sandbox | None:
    """The running sandbox, if any (a stale pid file is removed)."""
    path = _pid_file(root)
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    sandbox = Sandbox(int(record["pid"]), str(record["url"]))
    if _alive(sandbox.pid):
        return sandbox
    path.unlink(missing_ok=True)
    return None


def _port_taken(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
    except OSError:
        return False
    return True


def up(url: str = DEFAULT_URL, root: Path = STATE_DIR) -> Sandbox:
    """Start the sandbox on `url`'s port (or return the one already running there)."""
    running = status(root)
    if running:
        if running.url != url:
            raise CorsdeployError(f"a sandbox is already running on {running.url}; "
                                  "stop it with `corsdeploy sandbox down` first")
        return running
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    if _port_taken(host, port):
        raise CorsdeployError(f"cannot start the sandbox: port {port} on {host} is already in use by "
                              "another process (set aws.endpoint_url to a free port)")
    root.mkdir(parents=True, exist_ok=True)
    log_path = root / "sandbox.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", host, "-p", str(port)],
            env={**os.environ, "MOTO_DISABLE_GLOBAL_CORS": "true"},
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
        )
    sandbox = Sandbox(process.pid, url)
    _pid_file(root).write_text(json.dumps({"pid": process.pid, "url": url, "log": str(log_path)}))
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not _answers(url):
        if process.poll() is not None or time.monotonic() > deadline:
            down(root)
            raise CorsdeployError(f"the sandbox did not start; see {log_path}")
        time.sleep(0.1)
    return sandbox


def down(root: Path = STATE_DIR) -> Sandbox | None:
    """Stop the sandbox; returns what was stopped (None if nothing ran)."""
    sandbox = status(root)
    if sandbox:
        os.kill(sandbox.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while _alive(sandbox.pid) and time.monotonic() < deadline:
            _reap(sandbox.pid)
            time.sleep(0.05)
        if _alive(sandbox.pid):
            os.kill(sandbox.pid, signal.SIGKILL)
    _pid_file(root).unlink(missing_ok=True)
    return sandbox


def _reap(pid: int) -> None:
    """Collect the exit status when this process started the server (else it stays a zombie)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
