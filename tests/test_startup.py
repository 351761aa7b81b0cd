"""Start-up stays light: the offline commands never import boto3 (issue 10: `--version` within 0.3 s).

Each command runs as `python -m corsdeploy` does, in a fresh interpreter on this repository's own
environments, and the interpreter then lists what it imported from boto3 and botocore.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

S3_URL = "https://example-uploads-dev.s3.eu-west-1.amazonaws.com/photo.jpg"
APP = "https://app.dev.example.com"
CHROME = (f"Access to fetch at '{S3_URL}' from origin '{APP}' has been blocked by CORS policy: "
          "Response to preflight request doesn't pass access control check: No "
          "'Access-Control-Allow-Origin' header is present on the requested resource.")

OFFLINE_COMMANDS = {
    "version": ["--version"],
    "help": ["--help"],
    "validate": ["validate", "--all"],
    "lint": ["lint", "--env", "dev"],
    "check": ["check", "--env", "dev", "--resource", "s3_bucket.example-uploads-dev", "--origin", APP,
              "--method", "PUT"],
    "check --from-browser-error": ["check", "--env", "dev", "--from-browser-error", CHROME,
                                   "--method", "PUT"],
}

PROGRAM = """\
import json, sys
from corsdeploy.cli import main
sys.argv = ['corsdeploy', *{args!r}]
try:
    main()
except SystemExit as done:
    code = done.code
heavy = ('boto3', 'botocore') if len(sys.argv) > 2 else ('boto3', 'botocore', 'deepdiff')
print(json.dumps([code, sorted(m for m in sys.modules if m.split('.')[0] in heavy)]), file=sys.stderr)
"""


@pytest.mark.parametrize("name", list(OFFLINE_COMMANDS))
def test_offline_commands_never_import_boto3(name: str) -> None:
    """Nor do --version and --help import deepdiff, which the planner needs (a third of start-up)."""
    program = PROGRAM.format(args=OFFLINE_COMMANDS[name])
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)
    code, aws_modules = json.loads(done.stderr.strip().splitlines()[-1])
    assert aws_modules == [], f"{name} imported {aws_modules[:5]}"
    assert code in (0, None), done.stdout + done.stderr  # the command did its work, not a usage error
