"""Which requests a probe derives from a configuration (pure): allowed origins and methods, the rule's
headers, wildcards made concrete, and the attack origins of cors-security.md §3.1."""
from __future__ import annotations

import pytest

from corsdeploy.model import CorsConfig, CorsRule
from corsdeploy.probe.requests import (
    ProbeRequest,
    Purpose,
    Target,
    derive,
    instantiate_header,
    instantiate_origin,
    lookalikes,
)
from corsdeploy.simulate.request import BrowserRequest


@pytest.mark.parametrize(("pattern", "example"), [
    ("https://app.example.com", "https://app.example.com"),
    ("*", "https://corsdeploy-probe.example"),
    ("https://*", "https://corsdeploy-probe.example"),
    ("http://*", "http://corsdeploy-probe.example"),
    ("https://*.example.com", "https://corsdeploy-probe.example.com"),
    ("https://*example.com", "https://corsdeploy-probeexample.com"),
    ("https://app.example.*", "https://app.example.corsdeploy-probe"),
    ("https://app.example.com*", "https://app.example.comcorsdeploy-probe"),
    # Scheme-less: a browser always sends a scheme, which the leading wildcard spans.
    ("*.example.com", "https://corsdeploy-probe.example.com"),
    ("http://localhost:*", "http://localhost:corsdeploy-probe"),
])
def test_a_wildcard_origin_becomes_a_concrete_example_it_matches(pattern: str, example: str) -> None:
    assert instantiate_origin(pattern) == example


@pytest.mark.parametrize(("pattern", "example"), [
    ("*", "x-corsdeploy-probe"), ("x-amz-*", "x-amz-corsdeploy-probe"), ("Content-Type", "Content-Type")])
def test_a_wildcard_header_becomes_a_concrete_name(pattern: str, example: str) -> None:
    assert instantiate_header(pattern) == example


@pytest.mark.parametrize(("origin", "attacks"), [
    ("https://app.example.com", [
        (Purpose.PREFIX_LOOKALIKE, "https://app.example.com.evil.example"),
        (Purpose.SUFFIX_LOOKALIKE, "https://evilapp.example.com"),
        (Purpose.HTTP_DOWNGRADE, "http://app.example.com")]),
    # The port stays where an origin has it.
    ("https://app.example.com:8443", [
        (Purpose.PREFIX_LOOKALIKE, "https://app.example.com.evil.example:8443"),
        (Purpose.SUFFIX_LOOKALIKE, "https://evilapp.example.com:8443"),
        (Purpose.HTTP_DOWNGRADE, "http://app.example.com:8443")]),
    # Nothing to downgrade from http.
    ("http://localhost:3000", [
        (Purpose.PREFIX_LOOKALIKE, "http://localhost.evil.example:3000"),
        (Purpose.SUFFIX_LOOKALIKE, "http://evillocalhost:3000")]),
    # Not scheme://host: nothing to imitate.
    ("null", []), ("localhost:4566", []), ("https://app.example.com/path", []),
])
def test_lookalikes_put_the_attacker_after_and_before_the_allowed_host(
        origin: str, attacks: list[tuple[Purpose, str]]) -> None:
    assert lookalikes(origin) == attacks


def _preflight(origin: str, method: str, headers: tuple[str, ...] = (), path: str | None = None
               ) -> BrowserRequest:
    return BrowserRequest(origin=origin, method=method, headers=headers, preflight=True, path=path)


def _actual(origin: str, method: str = "GET", path: str | None = None) -> BrowserRequest:
    return BrowserRequest(origin=origin, method=method, preflight=False, path=path)


def _browsers(requests: tuple[ProbeRequest, ...], purpose: Purpose) -> list[BrowserRequest]:
    return [r.browser for r in requests if r.purpose is purpose]


S3_TWO_RULES = CorsConfig((
    CorsRule(("https://app.example.com",), ("GET", "PUT"), ("Content-Type", "X-Amz-*")),
    CorsRule(("https://*.example.org", "https://app.example.com"), ("HEAD",)),
))


def test_every_allowed_origin_is_probed_with_each_method_of_its_rule_and_the_rules_headers() -> None:
    requests = derive([S3_TWO_RULES], [Target()])
    headers = ("content-type", "x-amz-corsdeploy-probe")
    assert _browsers(requests, Purpose.ALLOWED) == [
        _preflight("https://app.example.com", "GET", headers),
        _preflight("https://app.example.com", "PUT", headers),
        _actual("https://app.example.com", "GET"),
        _preflight("https://corsdeploy-probe.example.org", "HEAD"),
        # HEAD is what the second rule allows, and its own origin asks with no headers.
        _actual("https://corsdeploy-probe.example.org", "HEAD"),
        _preflight("https://app.example.com", "HEAD"),
        _actual("https://app.example.com", "HEAD"),
    ]


def test_attack_origins_ask_what_the_origin_they_imitate_may_ask() -> None:
    requests = derive([S3_TWO_RULES], [Target()])
    headers = ("content-type", "x-amz-corsdeploy-probe")
    assert _browsers(requests, Purpose.UNRELATED) == [
        _preflight("https://evil.example", "GET", headers), _actual("https://evil.example")]
    assert _browsers(requests, Purpose.NULL) == [_preflight("null", "GET", headers), _actual("null")]
    assert _browsers(requests, Purpose.PREFIX_LOOKALIKE) == [
        _preflight("https://app.example.com.evil.example", "GET", headers),
        _actual("https://app.example.com.evil.example"),
        _preflight("https://corsdeploy-probe.example.org.evil.example", "HEAD"),
        _actual("https://corsdeploy-probe.example.org.evil.example"),
    ]
    downgrades = _browsers(requests, Purpose.HTTP_DOWNGRADE)
    assert [b.origin for b in downgrades] == ["http://app.example.com", "http://app.example.com",
                                              "http://corsdeploy-probe.example.org",
                                              "http://corsdeploy-probe.example.org"]
    # The second rule's origin app.example.com asks with HEAD; the same origin's look-alikes from the
    # first rule were derived already and are not sent twice.
    assert len(requests) == len({(r.browser, r.url_path) for r in requests})


def test_an_attack_request_carries_which_allowed_origin_it_imitates() -> None:
    requests = derive([S3_TWO_RULES], [Target()])
    imitated = {r.browser.origin: r.imitates for r in requests if r.purpose is Purpose.SUFFIX_LOOKALIKE}
    assert imitated == {"https://evilapp.example.com": "https://app.example.com",
                        "https://evilcorsdeploy-probe.example.org": "https://*.example.org"}
    allowed = {r.browser.origin: r.imitates for r in requests if r.purpose is Purpose.ALLOWED}
    assert allowed == {"https://app.example.com": None, "https://corsdeploy-probe.example.org": "https://*.example.org"}


def test_without_cors_only_the_unrelated_site_and_null_are_probed() -> None:
    requests = derive([None], [Target()])
    assert [r.browser for r in requests] == [
        _preflight("https://evil.example", "GET"), _actual("https://evil.example"),
        _preflight("null", "GET"), _actual("null")]


def test_the_live_configuration_adds_the_origins_only_it_allows() -> None:
    file = CorsConfig((CorsRule(("https://app.example.com",), ("GET",)),))
    live = CorsConfig((CorsRule(("https://old.example.com",), ("GET",)),))
    origins = {r.browser.origin for r in derive([file, live], [Target()]) if r.purpose is Purpose.ALLOWED}
    assert origins == {"https://app.example.com", "https://old.example.com"}


def test_method_and_header_wildcards_are_asked_as_concrete_ones() -> None:
    config = CorsConfig((CorsRule(("*",), ("*",), ("*",)),))
    requests = derive([config], [Target()])
    (preflight, actual) = _browsers(requests, Purpose.ALLOWED)
    assert preflight == _preflight("https://corsdeploy-probe.example", "PATCH", ("x-corsdeploy-probe",))
    assert actual == _actual("https://corsdeploy-probe.example", "GET")
    # `*` allows every origin: nothing looks like it more than any other.
    assert {r.purpose for r in requests} == {Purpose.ALLOWED, Purpose.UNRELATED, Purpose.NULL}


def test_each_target_is_probed_at_its_concrete_path() -> None:
    config = CorsConfig((CorsRule(("https://app.example.com",), ("GET", "POST")),))
    targets = [Target("/items", "items"), Target("/items/{id}", "items/corsdeploy-probe")]
    requests = derive([config], targets)
    allowed = [(r.browser, r.url_path) for r in requests if r.purpose is Purpose.ALLOWED]
    assert allowed == [
        (_preflight("https://app.example.com", "GET", path="/items"), "items"),
        (_preflight("https://app.example.com", "POST", path="/items"), "items"),
        (_actual("https://app.example.com", "GET", path="/items"), "items"),
        (_preflight("https://app.example.com", "GET", path="/items/{id}"), "items/corsdeploy-probe"),
        (_preflight("https://app.example.com", "POST", path="/items/{id}"), "items/corsdeploy-probe"),
        (_actual("https://app.example.com", "GET", path="/items/{id}"), "items/corsdeploy-probe"),
    ]
    assert len(requests) == 2 * len(derive([config], [Target()]))


def test_the_wire_headers_are_what_a_browser_sends() -> None:
    preflight = ProbeRequest(_preflight("https://app.example.com", "PUT", ("content-type", "x-a")),
                             Purpose.ALLOWED)
    assert preflight.http_method == "OPTIONS"
    assert preflight.http_headers() == {"Origin": "https://app.example.com",
                                        "Access-Control-Request-Method": "PUT",
                                        "Access-Control-Request-Headers": "content-type,x-a"}
    actual = ProbeRequest(_actual("null", "HEAD"), Purpose.NULL)
    assert (actual.http_method, actual.http_headers()) == ("HEAD", {"Origin": "null"})
