"""The CLI in-process against a moto server, with an S3 write that fails the way a test says."""
from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner, Result

from corsdeploy.cli import cli
from corsdeploy.providers.s3 import S3Provider
from tests.conftest import ACCESS_KEY, SECRET_KEY, Cli, MotoServer

# One bucket with CORS to write, behind the endpoint in {url}.
S3_ENVIRONMENT = """\
aws:
  region: eu-west-1
  endpoint_url: {url}
s3_buckets:
  uploads:
    cors:
      - AllowedOrigins: ["https://app.example.com"]
        AllowedMethods: [GET]
"""


def apply_with_failing_write(moto_server: MotoServer, project: Path, monkeypatch: pytest.MonkeyPatch,
                             write: Callable[..., Any], output_format: str) -> Result:
    """`corsdeploy apply` of S3_ENVIRONMENT in `project`, with S3Provider.write replaced by `write`."""
    monkeypatch.chdir(project)
    boto3.client("s3", endpoint_url=moto_server.url, region_name="eu-west-1").create_bucket(
        Bucket="uploads", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    (project / "environments").mkdir()
    (project / "environments" / "dev.yaml").write_text(S3_ENVIRONMENT.format(url=moto_server.url))
    monkeypatch.setattr(S3Provider, "write", write)
    return CliRunner().invoke(cli, ["apply", "--env", "dev", "--auto-approve", "--format", output_format])


class InProcessCli(Cli):
    """`Cli`'s commands run in-process by click's runner (no process start per command, no terminal):
    for tests that run many commands. Output is checked for credentials as `Cli` does."""

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(self.project)
            result = CliRunner().invoke(cli, list(args), env=env, prog_name="corsdeploy")
        for secret in (SECRET_KEY, ACCESS_KEY):
            assert secret not in result.stdout + result.stderr
        return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def paused_apply() -> None:
    """`corsdeploy ARGS...` (sys.argv[2:]) whose S3 writes wait for the file sys.argv[1] to exist,
    after creating `<that file>.writing`: a real second process holding the lock mid-apply."""
    import sys
    import time

    from corsdeploy.cli import main

    gate = Path(sys.argv[1])
    write = S3Provider.write

    def paused(self: S3Provider, *args: Any) -> None:
        gate.with_suffix(".writing").touch()
        while not gate.exists():
            time.sleep(0.02)
        write(self, *args)

    S3Provider.write = paused  # type: ignore[method-assign]
    main(sys.argv[2:])
