"""The real `corsdeploy` command in a throwaway project folder, with the caller's credentials."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CORSDEPLOY = str(Path(sys.executable).parent / "corsdeploy")
# An apply paces API Gateway's quotas (a REST deployment every 5 s) and polls S3 reads for up to 2 min.
COMMAND_TIMEOUT_SECONDS = 900
# Set by a developer's shell, these would point the command elsewhere than the project folder.
_DROPPED_VARIABLES = ("CORSDEPLOY_ENV_DIR",)


@dataclass(frozen=True)
class Run:
    """One command and what it did."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    def describe(self) -> str:
        return (f"corsdeploy {' '.join(self.args)} -> exit {self.returncode}\n"
                f"--- stdout\n{self.stdout}--- stderr\n{self.stderr}")


class Corsdeploy:
    """Runs `corsdeploy` in `project` (no terminal, as a pipeline would), checking that no secret
    of the caller's credentials appears in what it printed."""

    def __init__(self, project: Path, secrets: Sequence[str]) -> None:
        self.project = project
        self.env_dir = project / "environments"
        self.env_dir.mkdir(parents=True, exist_ok=True)
        self._secrets = tuple(secret for secret in secrets if secret)

    def write_env(self, name: str, text: str) -> Path:
        path = self.env_dir / f"{name}.yaml"
        path.write_text(text)
        return path

    def __call__(self, *args: str) -> Run:
        environ = {k: v for k, v in os.environ.items() if k not in _DROPPED_VARIABLES}
        done = subprocess.run(
            [CORSDEPLOY, *args], cwd=self.project, env=environ, stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=COMMAND_TIMEOUT_SECONDS,
        )
        run = Run(tuple(args), done.returncode, done.stdout, done.stderr)
        leaked = [index for index, secret in enumerate(self._secrets) if secret in run.stdout + run.stderr]
        # Never print the secret itself, not even in the failure message.
        assert not leaked, f"corsdeploy {' '.join(args)} printed a credential secret (secret #{leaked})"
        return run
