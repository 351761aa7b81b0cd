"""The probe's views: one line per disagreement or failure and a summary (text); every request (JSON)."""
from __future__ import annotations

import io
import json

from rich.console import Console

from corsdeploy.model import Kind
from corsdeploy.probe.compare import Difference
from corsdeploy.probe.endpoints import Endpoint
from corsdeploy.probe.requests import ProbeRequest, Purpose
from corsdeploy.probe.run import Exchange, ProbeReport, ResourceProbe
from corsdeploy.probe.send import Reply
from corsdeploy.render.json_view import dumps
from corsdeploy.render.probe import probe_document, render_probe
from corsdeploy.simulate.request import Answer, BrowserRequest

URL = "https://assets.s3.eu-west-1.amazonaws.com/"
ALLOWED = "https://app.example.com"


def _answer(status: int, headers: dict[str, str]) -> Answer:
    return Answer("s3_bucket.assets", bool(headers), status, 0 if headers else None, headers, "reason")


def _report() -> ProbeReport:
    agreeing = Exchange(ProbeRequest(BrowserRequest(ALLOWED, "GET"), Purpose.ALLOWED), URL,
                        _answer(200, {"Access-Control-Allow-Origin": ALLOWED}),
                        Reply(200, (("Access-Control-Allow-Origin", ALLOWED), ("Server", "AmazonS3"))))
    hostile = "https://evilapp.example.com\x1b[31m"
    wrong = Exchange(
        ProbeRequest(BrowserRequest(hostile, "PUT", ("content-type",)), Purpose.SUFFIX_LOOKALIKE,
                     imitates=ALLOWED), URL, _answer(403, {}),
        Reply(200, (("Access-Control-Allow-Origin", hostile),)),
        differences=(Difference("status", "403", "200"),
                     Difference("Access-Control-Allow-Origin", None, hostile)))
    failed = Exchange(ProbeRequest(BrowserRequest("null", "GET", preflight=False), Purpose.NULL), URL,
                      _answer(200, {}), None, "no answer within 10s")
    resource = ResourceProbe("s3_bucket.assets", Kind.S3_BUCKET, Endpoint(URL), (agreeing, wrong, failed),
                             ("the live CORS differs from the file",))
    return ProbeReport("prod", (resource,))


def test_text_names_each_disagreement_and_failure_on_one_line_then_the_notes_and_a_summary() -> None:
    out = io.StringIO()
    render_probe(_report(), Console(file=out, width=100, soft_wrap=True, color_system=None))
    lines = out.getvalue().splitlines()
    assert lines == [
        "s3_bucket.assets: preflight PUT (headers: content-type) from https://evilapp.example.com\\x1b[31m "
        "[suffix-lookalike of https://app.example.com] to https://assets.s3.eu-west-1.amazonaws.com/: "
        "status expected 403, got 200; Access-Control-Allow-Origin expected none, got "
        "'https://evilapp.example.com\\x1b[31m'",
        "s3_bucket.assets: GET from null [null-origin] to https://assets.s3.eu-west-1.amazonaws.com/: "
        "failed: no answer within 10s",
        "s3_bucket.assets: note: the live CORS differs from the file",
        "Probe of prod: 3 requests to 1 resources; 1 agree; 1 disagree, 1 failed.",
    ]


def test_text_when_everything_agrees_is_one_summary_line() -> None:
    report = _report()
    (resource,) = report.resources
    agreeing = ProbeReport("prod", (ResourceProbe(resource.address, resource.kind, resource.endpoint,
                                                  resource.exchanges[:1], resource.notes),))
    out = io.StringIO()
    render_probe(agreeing, Console(file=out, width=100, soft_wrap=True, color_system=None))
    assert out.getvalue().splitlines() == [
        "Probe of prod: 1 requests to 1 resources; 1 agree; every answer agrees with check."]


def test_json_lists_every_request_with_its_prediction_and_answer() -> None:
    document = json.loads(dumps(probe_document(_report())))
    assert document["format_version"] == 1 and document["environment"] == "prod"
    assert document["summary"] == {"resources": 1, "requests": 3, "agree": 1, "disagree": 1, "failed": 1,
                                   "not_probed": 0}
    (resource,) = document["resources"]
    assert resource["address"] == "s3_bucket.assets" and resource["url"] == URL
    agreeing, wrong, failed = resource["requests"]
    assert agreeing == {
        "purpose": "allowed", "imitates": None, "url": URL, "preflight": True, "method": "OPTIONS",
        "origin": ALLOWED, "request_method": "GET", "request_headers": [], "path": None,
        "expected": {"status": 200, "headers": {"Access-Control-Allow-Origin": ALLOWED}, "reason": "reason"},
        # Only the CORS headers of the answer: the rest is not the probe's business.
        "got": {"status": 200, "headers": {"Access-Control-Allow-Origin": ALLOWED}},
        "error": None, "agree": True, "differences": []}
    assert wrong["agree"] is False and wrong["imitates"] == ALLOWED
    assert wrong["differences"][0] == {"what": "status", "expected": "403", "got": "200"}
    assert failed["got"] is None and failed["error"] == "no answer within 10s" and failed["method"] == "GET"
    assert failed["request_method"] is None
