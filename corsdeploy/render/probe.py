"""Views of `probe`: one line per disagreement or failed request, the notes, and a summary (text); or
one JSON document with every request. What endpoints answered passes the output edge like any name."""
from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape

from corsdeploy.probe.compare import STATUS, Difference, cors_headers
from corsdeploy.probe.requests import Purpose
from corsdeploy.probe.run import Exchange, ProbeReport, ResourceProbe
from corsdeploy.render.edge import bounded, printable

PROBE_FORMAT_VERSION = 1


def _shown(text: str) -> str:
    return escape(printable(text))


def _request(exchange: Exchange) -> str:
    """`preflight PUT (headers: x-a) from ORIGIN [purpose] to URL`, or `GET from ORIGIN ... to URL`."""
    browser = exchange.request.browser
    what = f"preflight {browser.method}" if browser.preflight else browser.method
    if browser.headers:
        what += f" (headers: {', '.join(browser.headers)})"
    purpose, imitates = exchange.request.purpose, exchange.request.imitates
    label = purpose.value
    if imitates:
        label += f": example of {imitates}" if purpose is Purpose.ALLOWED else f" of {imitates}"
    return f"{what} from {browser.origin} [{label}] to {exchange.url}"


def _difference(difference: Difference) -> str:
    def value(text: str | None) -> str:
        if text is None:
            return "none"
        return text if difference.what == STATUS else repr(text)
    return f"{difference.what} expected {value(difference.expected)}, got {value(difference.got)}"


def render_probe(report: ProbeReport, console: Console) -> None:
    for resource in report.resources:
        _render_resource(resource, console)
    summary = report.summary
    verdict = ("[green]every answer agrees with check[/green]" if report.ok
               else f"[red]{summary['disagree']} disagree[/red], {summary['failed']} failed")
    skipped = f"; {summary['not_probed']} not probed" if summary["not_probed"] else ""
    console.print(f"Probe of {_shown(report.environment)}: {summary['requests']} requests to "
                  f"{summary['resources']} resources; {summary['agree']} agree; {verdict}{skipped}.")


def _render_resource(resource: ResourceProbe, console: Console) -> None:
    address = _shown(resource.address)
    if resource.not_probed is not None:
        console.print(f"[yellow]{address}[/yellow]: not probed: {_shown(resource.not_probed)}")
    for exchange in resource.exchanges:
        if exchange.reply is None:
            console.print(f"[red]{address}[/red]: {_shown(_request(exchange))}: failed: "
                          f"{_shown(exchange.error or '')}")
        elif exchange.differences:
            found = "; ".join(_difference(d) for d in exchange.differences)
            console.print(f"[red]{address}[/red]: {_shown(_request(exchange))}: {_shown(found)}")
    if not resource.exchanges or any(not e.agrees for e in resource.exchanges):
        for note in resource.notes:
            console.print(f"{address}: note: {_shown(note)}")


def probe_document(report: ProbeReport) -> dict[str, Any]:
    return {
        "format_version": PROBE_FORMAT_VERSION,
        "environment": report.environment,
        "resources": [
            {"address": r.address, "url": bounded(r.endpoint.url), "notes": [bounded(n) for n in r.notes],
             "not_probed": r.not_probed, "requests": [_exchange_document(r, e) for e in r.exchanges]}
            for r in report.resources
        ],
        "summary": report.summary,
    }


def _exchange_document(resource: ResourceProbe, exchange: Exchange) -> dict[str, Any]:
    browser, reply = exchange.request.browser, exchange.reply
    got = None
    if reply is not None:
        shown = cors_headers(resource.kind, reply.headers).values()
        got = {"status": reply.status, "headers": {name: bounded(value) for name, value in shown}}
    return {
        "purpose": exchange.request.purpose.value,
        "imitates": exchange.request.imitates,
        "url": bounded(exchange.url),
        "preflight": browser.preflight,
        "method": exchange.request.http_method,
        "origin": browser.origin,
        "request_method": browser.method if browser.preflight else None,
        "request_headers": list(browser.headers),
        "path": browser.path,
        "expected": {"status": exchange.expected.status, "headers": dict(exchange.expected.headers),
                     "reason": exchange.expected.reason},
        "got": got,
        "error": exchange.error,
        "agree": exchange.agrees,
        "differences": [{"what": d.what, "expected": d.expected, "got": d.got and bounded(d.got)}
                        for d in exchange.differences],
    }
