"""A real browser against the sandbox: headless Chromium loads a page from one loopback origin that
`fetch`es an object from a sandbox bucket whose CORS `corsdeploy apply` wrote. The allowed origin
gets the object, another origin is blocked, and `corsdeploy check` agrees with the browser each time.

Needs Debian's `chromium` (`make test` and `.ci/run` install it where they can); skipped, saying
why, only where it is not installed.
"""
from __future__ import annotations

import contextlib
import html
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.cli_support import InProcessCli
from tests.conftest import MotoServer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# As the machine notes prescribe: no sandbox (tests run as root), no GPU, and nothing that would
# reach for Google's hosts from a closed network.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000")
BUCKET = "browser-assets"
KEY = "greeting.txt"
CUSTOM_HEADER = "X-Requested-With"
ENVIRONMENT = """\
aws:
  region: eu-west-1
  endpoint_url: {sandbox}
s3_buckets:
  {bucket}:
    cors:
      # moto alone would refuse every preflight here: this rule's origin differs and it stops.
      - AllowedOrigins: ["https://admin.example.com"]
        AllowedMethods: [PUT]
      - AllowedOrigins: ["{page_origin}"]
        AllowedMethods: [GET]
        AllowedHeaders: [{header}]
"""
# Three fetches: a simple GET (no preflight), one whose custom header makes the browser ask first,
# and a simple GET of the same object through its virtual-hosted URL.
PAGE = """<!doctype html>
<html><body><pre id="result">pending</pre><script>
const attempt = (url, init) => fetch(url, init).then(
  (response) => response.text().then((text) => ({{ok: true, text}})),
  (error) => ({{ok: false, text: String(error)}}));
const preflightedInit = {{headers: {{{header}: "corsdeploy-test"}}}};
Promise.all([attempt({path_style}), attempt({path_style}, preflightedInit), attempt({virtual_hosted})]).then(
  ([simple, preflighted, virtualHosted]) => {{
    document.getElementById("result").textContent = JSON.stringify({{simple, preflighted, virtualHosted}});
  }});
</script></body></html>
"""

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium is not installed: Debian's `chromium` package gives /usr/bin/chromium "
           "(`make test` and `.ci/run` install it when they run as root or with sudo)")


@dataclass(frozen=True)
class PageRun:
    results: dict[str, dict[str, Any]]
    console: str


@contextlib.contextmanager
def page_server(folder: Path) -> Iterator[int]:
    """A tiny http.server on 127.0.0.1 serving `folder`; yields its port."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def load_in_chromium(url: str, profile: Path) -> PageRun:
    """Headless Chromium, a fresh profile, the page's DOM once its fetches have settled."""
    done = subprocess.run([str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
                          capture_output=True, text=True, timeout=120, check=False)
    found = re.search(r'<pre id="result">(.*?)</pre>', done.stdout, re.DOTALL)
    assert found and found.group(1) != "pending", (done.returncode, done.stdout[-2000:], done.stderr[-2000:])
    return PageRun(json.loads(html.unescape(found.group(1))), done.stderr)


def check_allowed(cli: InProcessCli, origin: str, *extra: str) -> bool:
    checked = cli("check", "--env", "browser", "--resource", f"s3_bucket.{BUCKET}", "--origin", origin,
                  "--method", "GET", *extra, "--format", "json")
    assert checked.returncode == 0, checked.stderr
    return bool(json.loads(checked.stdout)["allowed"])


@pytest.fixture
def configured_bucket(moto_server: MotoServer, tmp_path: Path) -> Iterator[tuple[InProcessCli, int]]:
    """A page server, and a public-read object in a sandbox bucket whose CORS `corsdeploy apply`
    wrote from an environment file allowing only the page's 127.0.0.1 origin."""
    site = tmp_path / "site"
    site.mkdir()
    page = PAGE.format(path_style=json.dumps(f"{moto_server.url}/{BUCKET}/{KEY}"),
                       virtual_hosted=json.dumps(f"http://{BUCKET}.localhost:{moto_server.port}/{KEY}"),
                       header=json.dumps(CUSTOM_HEADER))
    (site / "index.html").write_text(page)
    s3 = boto3.client("s3", endpoint_url=moto_server.url, region_name="eu-west-1")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=b"hello from the sandbox", ACL="public-read")
    with page_server(site) as port:
        (tmp_path / "project").mkdir()
        cli = InProcessCli(tmp_path / "project")
        cli.write_env("browser", ENVIRONMENT.format(sandbox=moto_server.url, bucket=BUCKET,
                                                    page_origin=f"http://127.0.0.1:{port}",
                                                    header=CUSTOM_HEADER.lower()))
        applied = cli("apply", "--env", "browser", "--auto-approve")
        assert applied.returncode == 0, applied.stderr
        yield cli, port


def test_the_allowed_origin_reads_the_object_and_check_agrees(
        configured_bucket: tuple[InProcessCli, int], tmp_path: Path) -> None:
    cli, port = configured_bucket
    origin = f"http://127.0.0.1:{port}"
    run = load_in_chromium(f"{origin}/index.html", tmp_path / "profile-allowed")
    assert run.results["simple"] == {"ok": True, "text": "hello from the sandbox"}
    assert run.results["preflighted"] == {"ok": True, "text": "hello from the sandbox"}
    assert run.results["virtualHosted"] == {"ok": True, "text": "hello from the sandbox"}
    assert "blocked by CORS policy" not in run.console
    assert check_allowed(cli, origin, "--actual") is True
    assert check_allowed(cli, origin, "--header", CUSTOM_HEADER) is True


def test_another_origin_is_blocked_and_check_agrees(
        configured_bucket: tuple[InProcessCli, int], tmp_path: Path) -> None:
    cli, port = configured_bucket
    origin = f"http://localhost:{port}"  # the same server under another host name: another origin
    run = load_in_chromium(f"{origin}/index.html", tmp_path / "profile-blocked")
    assert run.results["simple"]["ok"] is False
    assert run.results["preflighted"]["ok"] is False
    assert run.results["virtualHosted"]["ok"] is False
    # The browser says why: CORS, once for the response and once for the refused preflight.
    assert "No 'Access-Control-Allow-Origin' header is present on the requested resource" in run.console
    assert "Response to preflight request doesn't pass access control check" in run.console
    assert check_allowed(cli, origin, "--actual") is False
    assert check_allowed(cli, origin, "--header", CUSTOM_HEADER) is False
