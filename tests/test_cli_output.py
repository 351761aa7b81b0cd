"""What leaves the program: secrets redacted on every line, apply results included."""
from __future__ import annotations

import subprocess
from collections.abc import Mapping
from typing import Any

import pytest
from botocore.exceptions import ClientError

from corsdeploy.aws import translate
from corsdeploy.model import Live, Resource
from corsdeploy.providers.s3 import S3Provider
from tests.cli_support import apply_with_failing_write
from tests.conftest import ACCESS_KEY, CORSDEPLOY, SECRET_KEY, MotoServer

SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLEsessionTOKENthatMUSTnotLEAK0123456789"


def echoing_write(self: S3Provider, resource: Resource, live: Live, wire: Mapping[str, Any] | None) -> None:
    """An endpoint that answers a write by quoting the credentials the request was signed with."""
    credentials = self._clients.client("s3")._request_signer._credentials.get_frozen_credentials()
    quoted = (f"signature mismatch for key {credentials.access_key} secret {credentials.secret_key} "
              f"token {credentials.token}")
    error = ClientError({"Error": {"Code": "SignatureDoesNotMatch", "Message": quoted}}, "PutBucketCors")
    raise translate(error, "s3:PutBucketCors", resource.address)


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_credentials_quoted_by_an_endpoint_never_reach_the_output(
        moto_server: MotoServer, tmp_path: Any, monkeypatch: pytest.MonkeyPatch, output_format: str) -> None:
    monkeypatch.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
    result = apply_with_failing_write(moto_server, tmp_path, monkeypatch, echoing_write, output_format)

    assert result.exit_code == 1
    shown = result.stdout + result.stderr
    assert "SignatureDoesNotMatch" in shown and "signature mismatch for key ***" in shown
    for secret in (SECRET_KEY, SESSION_TOKEN, ACCESS_KEY):
        assert secret not in shown


def test_a_reader_that_goes_away_ends_output_quietly(tmp_path: Any) -> None:
    """`corsdeploy validate --all | head -1` under `set -o pipefail` (no AWS involved)."""
    (tmp_path / "environments").mkdir()
    for name in ("a", "b"):
        (tmp_path / "environments" / f"{name}.yaml").write_text("s3_buckets:\n  bucket:\n    cors: absent\n")
    process = subprocess.Popen([CORSDEPLOY, "validate", "--all"], cwd=tmp_path, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the pipe's only reader is gone before corsdeploy writes a byte
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0 and stderr == ""
