"""What reaches the screen and the CI log from hostile names, values, endpoints and credentials.

Names and values come from pull requests, messages from endpoints that may echo a request's
headers: no control character, line break or escape sequence, no credential (whole, URL-encoded or
in fragments) and no unbounded value reaches stdout or stderr, in any format.
"""
from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from botocore.exceptions import ClientError
from rich.console import Console

from corsdeploy.aws import translate
from corsdeploy.errors import AwsError, Problem
from corsdeploy.model import Live, Resource
from corsdeploy.plan import Action, Change, Plan
from corsdeploy.providers.s3 import S3Provider
from corsdeploy.render import edge
from corsdeploy.render.edge import EdgeStream, printable, redact, register_secret
from corsdeploy.render.json_view import apply_document, dumps, plan_document
from corsdeploy.render.text import render_apply, render_plan
from corsdeploy.results import ApplyResult, Outcome, Result, ResultError
from tests.cli_support import apply_with_failing_write
from tests.conftest import ACCESS_KEY, SECRET_KEY, MotoServer

# What the role's session gave (not in the environment): slashes and pluses encode differently.
ROLE_KEY_ID = "ASIAROLEKEYID0000042"
ROLE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
ROLE_TOKEN = "IQoJb3JpZ2luX2VjEK7//////////wEaCWV1LXdlc3QtMSJHMEUCIQD+example+token/that/MUST/not/leak=="
HOSTILE = "name\x1b[2J\x1b]0;title\x07\r\n::set-output name=x::y\u2028\u2029\u202egnp.exe\x00\x85\u200f\ud800"
# Every character a terminal or a log viewer could act on (newlines are checked per line).
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
                       "\ud800-\udfff]")


@pytest.fixture(autouse=True)
def role_credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(edge, "_registered", ())
    register_secret(ROLE_KEY_ID, ROLE_SECRET, ROLE_TOKEN, None)
    yield


def assert_clean(shown: str) -> None:
    for secret in (SECRET_KEY, ACCESS_KEY, ROLE_KEY_ID, ROLE_SECRET, ROLE_TOKEN):
        for form in (secret, quote(secret), quote(secret, safe=""), quote_plus(secret)):
            assert form not in shown
        assert not any(secret[i:i + 16] in shown for i in range(len(secret) - 15)), "a fragment leaked"
    assert not FORBIDDEN.search(shown), repr(FORBIDDEN.search(shown))


# --- redaction ------------------------------------------------------------------------------------

@pytest.mark.parametrize("form", [quote, quote_plus, lambda s: quote(s, safe="")])
def test_url_encoded_forms_of_a_secret_are_redacted(form: Any) -> None:
    assert redact(f"Authorization=...{form(ROLE_SECRET)}&x") == "Authorization=...***&x"


def test_key_ids_are_redacted_whoever_they_belong_to() -> None:
    assert redact("keyAKIAZZZZZZZZZZZZZZZZ and ASIA0123456789ABCDEF.") == "key*** and ***."


def test_a_token_split_across_lines_leaves_no_fragment() -> None:
    half = len(ROLE_TOKEN) // 2
    shown = redact(f"X-Amz-Security-Token: {ROLE_TOKEN[:half]}\n  {ROLE_TOKEN[half:]}")
    assert_clean(shown)
    assert shown.startswith("X-Amz-Security-Token: ***")


def test_a_substring_of_a_secret_is_redacted_and_ordinary_text_is_not() -> None:
    assert redact(f"saw {ROLE_SECRET[5:25]} there") == "saw *** there"
    ordinary = "s3_bucket.assets-production-eu-west-1 is fine"
    assert redact(ordinary) == ordinary


def test_a_secret_registered_by_the_client_factory_is_redacted_on_the_way_out() -> None:
    target = io.StringIO()
    stream = EdgeStream(target)
    stream.write(f"token {ROLE_TOKEN} key {ROLE_KEY_ID}\n")
    stream.flush()
    assert target.getvalue() == "token *** key ***\n"


def test_secrets_are_redacted_before_values_are_shortened() -> None:
    """Cutting first would keep the start of a secret that straddles the cut."""
    shown = printable("x" * 70 + ROLE_SECRET + "y" * 5000)
    assert ROLE_SECRET[:6] not in shown and "***" in shown


# --- escaping and shortening ----------------------------------------------------------------------

def test_every_control_and_reordering_character_is_escaped() -> None:
    shown = printable(HOSTILE)
    assert "\n" not in shown and not FORBIDDEN.search(shown)
    assert "\\x1b[2J" in shown and "\\u202e" in shown and "\\ud800" in shown


def test_characters_beyond_the_basic_plane_are_escaped_unambiguously() -> None:
    assert printable("tag\U000e0041") == "tag\\U000e0041"


def test_a_ten_megabyte_value_is_not_a_ten_megabyte_line() -> None:
    shown = printable("value " + "v" * 10_000_000 + " ends")
    assert len(shown) < 300 and shown.startswith("value vvv") and "(10000000 chars)" in shown


def test_many_long_words_still_make_a_bounded_line() -> None:
    assert len(printable(" ".join(["w" * 150] * 100_000))) < 2500


def test_names_of_ordinary_length_are_not_shortened() -> None:
    address = "lambda_function_url." + "f" * 64
    assert printable(address) == address


def test_an_html_error_page_is_one_line() -> None:
    page = "<html>\n<head><title>502 Bad Gateway</title></head>\r\n<body>\n  <h1>Bad</h1>\n</body>\n</html>\n"
    error = AwsError("502", page, address="s3_bucket.assets")
    assert str(error.problems[0]) == ("s3_bucket.assets: 502: <html> <head><title>502 Bad Gateway</title>"
                                      "</head> <body> <h1>Bad</h1> </body> </html>")
    assert "\n" not in error.aws_message


def test_the_edge_survives_a_lone_surrogate_and_an_ascii_terminal() -> None:
    buffer = io.BytesIO()
    target = io.TextIOWrapper(buffer, encoding="ascii")
    stream = EdgeStream(target)
    stream.write("caf\u00e9 \ud800 \u202e\n")
    stream.flush()
    target.flush()
    assert buffer.getvalue() == b"caf\\xe9 \\ud800 \\u202e\n"


# --- every format ---------------------------------------------------------------------------------

def hostile_plan() -> Plan:
    value = {HOSTILE: [HOSTILE, ROLE_TOKEN]}
    return Plan("dev", (
        Change(f"http_api.{HOSTILE}", Action.CREATE, None, value, warnings=(f"{HOSTILE} {ROLE_SECRET}",)),
        Change(f"http_api.{HOSTILE}-2", Action.UPDATE, {"AllowOrigins": [HOSTILE]},
               {"AllowOrigins": [ROLE_SECRET]}, warnings=(HOSTILE,)),
    ))


def hostile_result() -> ApplyResult:
    message = f"denied\n<p>Authorization: {quote_plus(ROLE_SECRET)}</p> {HOSTILE} " + "z" * 1_000_000
    return ApplyResult("20261123T000000Z-beef", "dev", (
        Result(f"http_api.{HOSTILE}", Action.UPDATE, Outcome.FAILED, ResultError(HOSTILE, message)),
        Result(f"s3_bucket.{HOSTILE}", Action.CREATE, Outcome.APPLIED),
    ))


def through_the_edge(write: Any, terminal: bool = False) -> str:
    class Target(io.StringIO):
        def isatty(self) -> bool:
            return terminal

    target = Target()
    stream = EdgeStream(target)
    write(stream)
    stream.flush()
    return target.getvalue()


@pytest.mark.parametrize("terminal", [False, True])
def test_text_views_show_hostile_names_escaped_on_their_own_lines(terminal: bool) -> None:
    def write(stream: Any) -> None:
        console = Console(file=stream, highlight=False, soft_wrap=True, no_color=True)
        render_plan(hostile_plan(), console)
        render_apply(hostile_result(), console)

    shown = through_the_edge(write, terminal)
    # On a terminal the console's own colours pass (and only they: a name's ESC is escaped).
    assert_clean(re.sub(r"\x1b\[[0-9;]*m", "", shown) if terminal else shown)
    assert not any(line.startswith("::") for line in shown.splitlines())
    assert max(len(line) for line in shown.splitlines()) < 5000


def test_json_documents_escape_names_keys_and_values_and_shorten_messages() -> None:
    documents = dumps(plan_document(hostile_plan())) + "\n" + dumps(apply_document(hostile_result()))
    shown = through_the_edge(lambda stream: stream.write(documents))
    assert_clean(shown)
    assert "\\u2028" in shown and "\\u202e" in shown and "\\u001b" in shown
    plan_text, apply_text = shown.split("\n}\n", 1)
    result = json.loads(apply_text)
    assert len(result["results"][0]["error"]["message"]) < 2000
    assert json.loads(plan_text + "}")["changes"][0]["address"] == f"http_api.{HOSTILE}"


def test_a_problem_is_one_bounded_line_whatever_it_quotes() -> None:
    problem = Problem("bad value " + "\n".join(["q" * 5000] * 3), address=f"s3_bucket.{HOSTILE}")
    shown = printable(str(problem))
    assert "\n" not in shown and len(shown) < 2500 and not FORBIDDEN.search(shown)


# --- end to end -----------------------------------------------------------------------------------



def html_echoing_write(self: S3Provider, resource: Resource, live: Live,
                       wire: Mapping[str, Any] | None) -> None:
    """A proxy's error page that quotes the signed request's headers, URL-encoded and wrapped."""
    credentials = self._clients.client("s3")._request_signer._credentials.get_frozen_credentials()
    page = (f"<html>\n<body>\n<pre>Authorization: AWS4-HMAC-SHA256 Credential={credentials.access_key}/x\n"
            f"secret={quote_plus(ROLE_SECRET)}\nX-Amz-Security-Token: {ROLE_TOKEN[:40]}\n"
            f"{ROLE_TOKEN[40:]}\n{HOSTILE}</pre>\n</body>\n</html>\n" + "p" * 200_000)
    error = ClientError({"Error": {"Code": "BadGateway", "Message": page}}, "PutBucketCors")
    raise translate(error, "s3:PutBucketCors", resource.address)


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_an_endpoint_error_page_prints_as_one_clean_line(
        moto_server: MotoServer, tmp_path: Any, monkeypatch: pytest.MonkeyPatch, output_format: str) -> None:
    result = apply_with_failing_write(moto_server, tmp_path, monkeypatch, html_echoing_write, output_format)

    assert result.exit_code == 1
    shown = result.stdout + result.stderr
    assert_clean(shown)
    if output_format == "json":
        message = json.loads(result.stdout)["results"][0]["error"]["message"]
    else:
        [message] = [line for line in result.stdout.splitlines() if "BadGateway" in line]
    assert message.count("<html>") == 1 and "</html>" in message and len(message) < 2000
