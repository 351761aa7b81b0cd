"""Start, stop and inspect the sandbox: a moto server on loopback, in the background, corrected
where moto is not AWS (`corsdeploy.sandbox.emulator`).

Its runtime state (pid, URL, log) is kept per user and keyed by its port, in
`$XDG_RUNTIME_DIR/corsdeploy/sandbox/<port>/` (else `~/.cache/corsdeploy/sandbox/<port>/`), never in
the deployment state folder: so `status` and `down` find it from any directory. moto is started with
MOTO_DISABLE_GLOBAL_CORS because otherwise it reflects any Origin on every response, which would
teach users nothing about how AWS answers browsers.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import urlparse

from corsdeploy.endpoints import is_loopback_url
from corsdeploy.errors import CorsdeployError

DEFAULT_URL = "http://127.0.0.1:4566"
# Set outside any file (so trusted): the sandbox's URL, e.g. to move it off LocalStack's 4566.
SANDBOX_URL_VARIABLE = "CORSDEPLOY_SANDBOX_URL"
INSTALL_HINT = "pip install 'corsdeploy[sandbox]'"
# What the `sandbox` extra (moto[server]) brings that the sandbox imports.
_SERVER_MODULES = ("moto", "flask", "flask_cors", "werkzeug")
START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0
_RECORD = "sandbox.json"


@dataclass(frozen=True)
class Sandbox:
    pid: int
    url: str
    log: Path
    # The OS's own description of the process (start time, command line): a pid is reused.
    identity: str

    @property
    def port(self) -> int:
        return port_of(self.url)


def is_sandbox_url(url: str) -> bool:
    """An http:// URL on a literal loopback host: the only kind the sandbox serves."""
    return urlparse(url).scheme == "http" and is_loopback_url(url)


def port_of(url: str) -> int:
    return urlparse(url).port or 80


def url_from_environment() -> str | None:
    """CORSDEPLOY_SANDBOX_URL when set; it must be a loopback http URL."""
    url = os.environ.get(SANDBOX_URL_VARIABLE, "").strip().rstrip("/")
    if url and not is_sandbox_url(url):
        raise CorsdeployError(f"{SANDBOX_URL_VARIABLE} must be an http URL on a loopback address "
                              f"(127.0.0.1, ::1 or localhost), not {url!r}")
    return url or None


def missing_modules() -> list[str]:
    """The modules of the `sandbox` extra that cannot be imported here."""
    return [name for name in _SERVER_MODULES if find_spec(name) is None]


# --- runtime folder -------------------------------------------------------------------------------


def runtime_root() -> Path:
    """Where this user's sandboxes keep their state, one folder per port."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if Path(runtime).is_absolute():
        return Path(runtime) / "corsdeploy" / "sandbox"
    cache = os.environ.get("XDG_CACHE_HOME", "")
    if Path(cache).is_absolute():
        return Path(cache) / "corsdeploy" / "sandbox"
    try:
        return Path.home() / ".cache" / "corsdeploy" / "sandbox"
    except RuntimeError:  # no home directory: a private folder in the temporary directory
        return Path(tempfile.gettempdir()) / f"corsdeploy-{os.getuid()}" / "sandbox"


def _folder(port: int, create: bool = False) -> Path:
    folder = runtime_root() / str(port)
    if create:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.exists():
        _check_private(folder)
    return folder


def _check_private(folder: Path) -> None:
    """Refuse a folder another user owns or can write: its pid file could name any process."""
    info = folder.stat()
    if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise CorsdeployError(f"the sandbox's runtime folder {folder} must belong to you and be writable "
                              "by you only (chmod 700)")


def _read(port: int) -> Sandbox | None:
    try:
        record = json.loads((_folder(port) / _RECORD).read_text())
        return Sandbox(int(record["pid"]), str(record["url"]), Path(record["log"]), str(record["identity"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write(sandbox: Sandbox) -> None:
    path = _folder(sandbox.port) / _RECORD
    temporary = path.with_name(f".{_RECORD}.tmp")
    temporary.write_text(json.dumps({"pid": sandbox.pid, "url": sandbox.url, "log": str(sandbox.log),
                                     "identity": sandbox.identity}))
    os.replace(temporary, path)


def _forget(port: int) -> None:
    (_folder(port) / _RECORD).unlink(missing_ok=True)


@contextlib.contextmanager
def _exclusive(port: int) -> Iterator[None]:
    """One `up` or `down` at a time per port, across processes: two pipelines starting the sandbox
    together would otherwise both start a server, and the one that lost the port would erase the
    winner's record, leaving it running with nothing to stop it."""
    descriptor = os.open(_folder(port, create=True) / "lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


# --- processes ------------------------------------------------------------------------------------


def process_identity(pid: int) -> str | None:
    """The process's start time and command line as the OS reports them; None if it is gone."""
    proc = Path("/proc")
    if (proc / "self").is_dir():
        try:
            fields = (proc / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
            command = (proc / str(pid) / "cmdline").read_bytes()
        except (OSError, IndexError):
            return None
        # fields[0] is the state (Z: exited, not yet reaped); fields[19] the start time in ticks.
        if fields[0] == "Z":
            return None
        arguments = command.replace(b"\0", b" ").decode(errors="replace").strip()
        return f"{fields[19]} {arguments}"
    try:
        shown = subprocess.run(["ps", "-o", "lstart=,command=", "-p", str(pid)],
                               capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return shown.stdout.strip() or None


def _is_running(sandbox: Sandbox) -> bool:
    return process_identity(sandbox.pid) == sandbox.identity


def status(port: int) -> Sandbox | None:
    """The sandbox running on `port`, if any (a record naming any other process is dropped)."""
    sandbox = _read(port)
    if sandbox is None:
        return None
    if _is_running(sandbox):
        return sandbox
    _forget(port)
    return None


def running() -> list[Sandbox]:
    """Every sandbox of this user that is running, by port."""
    root = runtime_root()
    ports = sorted(int(p.name) for p in root.iterdir() if p.name.isdigit()) if root.is_dir() else []
    return [sandbox for port in ports if (sandbox := status(port))]


def _port_taken(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def up(url: str = DEFAULT_URL) -> Iterator[tuple[Sandbox, bool]]:
    """Start the sandbox on `url`'s port; yields it and whether it was already running. No other
    `up` or `down` on that port runs until the block ends, so what it creates is not created twice."""
    port = port_of(url)
    with _exclusive(port):
        yield _up_alone(url, port)


def _up_alone(url: str, port: int) -> tuple[Sandbox, bool]:
    already = status(port)
    if already:
        if already.url != url:
            raise CorsdeployError(f"a sandbox is already running on port {port} at {already.url}; "
                                  "stop it with `corsdeploy sandbox down` first")
        return already, True
    missing = missing_modules()
    if missing:
        raise CorsdeployError(f"the sandbox needs the `sandbox` extra (moto's server; missing: "
                              f"{', '.join(missing)}): {INSTALL_HINT}, or `pipx inject corsdeploy "
                              "'moto[server]'` when corsdeploy was installed with pipx")
    host = urlparse(url).hostname or "127.0.0.1"
    if _port_taken(host, port):
        raise CorsdeployError(f"cannot start the sandbox: port {port} on {host} is already in use by another "
                              f"process (set aws.endpoint_url, or {SANDBOX_URL_VARIABLE}, to a free port)")
    return _start(url, host, port), False


def _start(url: str, host: str, port: int) -> Sandbox:
    log_path = _folder(port, create=True) / "sandbox.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "corsdeploy.sandbox.emulator", "-H", host, "-p", str(port)],
            env={**os.environ, "MOTO_DISABLE_GLOBAL_CORS": "true"},
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
        )
    sandbox = Sandbox(process.pid, url, log_path, process_identity(process.pid) or "")
    _write(sandbox)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not _answers(url):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            _forget(port)
            raise CorsdeployError(f"the sandbox did not start on {url}; see {log_path}")
        time.sleep(0.1)
    return sandbox


def down(port: int) -> Sandbox | None:
    """Stop the sandbox on `port`; returns what was stopped (None if none was running)."""
    with _exclusive(port):
        return _down_alone(port)


def _down_alone(port: int) -> Sandbox | None:
    sandbox = status(port)
    if sandbox is None:
        return None
    os.kill(sandbox.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while _is_running(sandbox) and time.monotonic() < deadline:
        _reap(sandbox.pid)
        time.sleep(0.05)
    if _is_running(sandbox):
        os.kill(sandbox.pid, signal.SIGKILL)
    _reap(sandbox.pid)
    _forget(port)
    return sandbox


def _reap(pid: int) -> None:
    """Collect the exit status when this process started the server (else it stays a zombie)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
