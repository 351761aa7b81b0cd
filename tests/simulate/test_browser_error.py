"""Reading browser console CORS errors: a corpus per browser, each message with what it says."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from corsdeploy.errors import CorsdeployError
from corsdeploy.simulate.browser_error import (
    MAX_MESSAGE_CHARS,
    Browser,
    BrowserError,
    Failure,
    Given,
    browser_request,
    parse,
)

CORPUS = Path(__file__).parent.parent / "data" / "browser_errors"
FIELDS = ("origin", "method", "preflight", "credentials", "status", "received")


def corpus() -> list[Any]:
    cases = []
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        expected = yaml.safe_load((folder / "expected.yaml").read_text())
        messages = sorted(folder.glob("*.txt"))
        # Every message has its expectations, and every expectation its message.
        assert sorted(expected) == [m.stem for m in messages], folder
        cases += [pytest.param(Browser(folder.name), m, expected[m.stem], id=f"{folder.name}/{m.stem}")
                  for m in messages]
    return cases


@pytest.mark.parametrize(("browser", "message", "expected"), corpus())
def test_corpus(browser: Browser, message: Path, expected: dict[str, Any]) -> None:
    error = parse(message.read_text(encoding="utf-8"))
    assert error.browser is browser
    assert error.failure is Failure(expected["failure"])
    assert error.url == expected["url"]
    assert error.headers == tuple(expected.get("headers", ()))
    for field in FIELDS:
        assert getattr(error, field) == expected.get(field), field


def test_every_browser_has_a_corpus() -> None:
    assert {p.name for p in CORPUS.iterdir() if p.is_dir()} == {b.value for b in Browser}


CHROME = ("Access to fetch at 'https://b.s3.amazonaws.com/k' from origin 'https://app.example.com' has "
          "been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested "
          "resource.")


@pytest.mark.parametrize("pasted", [
    f"  \"{CHROME}\"  ",
    f"main.js:12 {CHROME} main.js:12",
    CHROME.replace(" ", "\n  "),
    CHROME.replace("Access-Control", "Access-\nControl").replace("https://", "https:/\n/"),
    "\u200b" + CHROME.replace("'", "\u2019") + "\r\n",
    f"\x1b[31m{CHROME}\x1b[0m",
    f"{CHROME}\n{CHROME}\nTypeError: Failed to fetch",
])
def test_pasted_noise(pasted: str) -> None:
    error = parse(pasted)
    assert (error.url, error.origin, error.failure) == (
        "https://b.s3.amazonaws.com/k", "https://app.example.com", Failure.MISSING_ALLOW_ORIGIN)


def test_several_urls_are_refused() -> None:
    other = CHROME.replace("/k'", "/other'")
    with pytest.raises(CorsdeployError, match="2 URLs"):
        parse(f"{CHROME}\n{other}")


@pytest.mark.parametrize("text", ["", "TypeError: Failed to fetch", "Access to fetch at 'x' was fine",
                                  "GET https://b.s3.amazonaws.com/k 404 (Not Found)"])
def test_not_a_cors_error(text: str) -> None:
    with pytest.raises(CorsdeployError, match="no CORS error found"):
        parse(text)


def test_length_is_capped() -> None:
    with pytest.raises(CorsdeployError, match=f"at most {MAX_MESSAGE_CHARS}"):
        parse(CHROME + " " * MAX_MESSAGE_CHARS)


@pytest.mark.parametrize("unit", [
    "cannot load http://a", "Failed to load http://a", "Origin http://a", "Origin https://" + "a" * 30,
    "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://a",
    "Access to fetch at 'http://a' from origin '", "Method ", "Request header field x", "(Reason: ",
])
def test_hostile_input_is_read_in_bounded_time(unit: str) -> None:
    text = (unit * (MAX_MESSAGE_CHARS // len(unit) + 1))[:MAX_MESSAGE_CHARS - len(CHROME)] + CHROME
    started = time.perf_counter()
    error = parse(text)
    assert time.perf_counter() - started < 2
    assert error.url == "https://b.s3.amazonaws.com/k"


# --- the request a message describes -------------------------------------------------------------

def error_of(**fields: Any) -> BrowserError:
    return BrowserError(fields.pop("browser", Browser.FIREFOX), fields.pop("failure", Failure.UNSPECIFIED),
                        "https://b.s3.amazonaws.com/k", **fields)


def test_the_message_fills_the_request() -> None:
    error = error_of(origin="https://a.example", method="PUT", headers=("x-a",), preflight=True,
                     credentials=True)
    read = browser_request(error, Given(), path="/k")
    assert read.request.origin == "https://a.example"
    assert (read.request.method, read.request.headers, read.request.preflight) == ("PUT", ("x-a",), True)
    assert (read.request.credentials, read.request.path, read.assumptions) == (True, "/k", ())


def test_options_fill_the_gaps() -> None:
    read = browser_request(error_of(headers=("x-a",), preflight=True),
                           Given(origin="https://a.example", method="POST", headers=("X-B", "x-a"),
                                 credentials=True))
    request = read.request
    assert (request.origin, request.method, request.headers) == ("https://a.example", "POST", ("x-a", "x-b"))
    assert request.credentials


def test_options_may_not_contradict_the_message() -> None:
    with pytest.raises(CorsdeployError, match=r"the message says origin 'https://a\.example' but --origin"):
        browser_request(error_of(origin="https://a.example"), Given(origin="https://b.example"))
    with pytest.raises(CorsdeployError, match="--actual"):
        browser_request(error_of(origin="https://a.example", preflight=True), Given(actual=True))


def test_a_missing_origin_is_asked_for() -> None:
    with pytest.raises(CorsdeployError, match="Firefox message does not name the page's origin: give"):
        browser_request(error_of(), Given())


def test_a_failed_preflight_needs_its_method() -> None:
    with pytest.raises(CorsdeployError, match="give --method"):
        browser_request(error_of(origin="https://a.example", preflight=True), Given())


@pytest.mark.parametrize(("given", "preflight"), [
    (Given(), False),
    (Given(method="POST", headers=("accept-language",)), False),
    (Given(method="PUT"), True),
    (Given(headers=("content-type",)), True),
    (Given(method="PUT", actual=True), False),
])
def test_preflight_follows_fetch_when_the_message_does_not_say(given: Given, preflight: bool) -> None:
    read = browser_request(error_of(origin="https://a.example"), given)
    assert read.request.preflight is preflight
    assert any("the message does not say" in a for a in read.assumptions) is not given.actual


def test_an_unnamed_method_of_a_request_without_preflight_is_get() -> None:
    read = browser_request(error_of(origin="https://a.example", preflight=False), Given())
    assert read.request.method == "GET"
    assert read.assumptions == ("method GET: the message does not name one (give --method otherwise)",)
