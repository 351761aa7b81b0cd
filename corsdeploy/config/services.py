"""What each AWS service would reject (or what cannot work) beyond the schema, checked before any call."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from xml.sax.saxutils import escape

from corsdeploy import limits
from corsdeploy.config import hints
from corsdeploy.config.names import bucket_name_problem, function_name_problem
from corsdeploy.config.paths import SECTION_KINDS, Path_
from corsdeploy.config.report import Reporter
from corsdeploy.config.shown import quoted
from corsdeploy.endpoints import url_problem

ABSENT = "absent"
_S3_ELEMENTS = (("AllowedHeaders", "AllowedHeader"), ("AllowedMethods", "AllowedMethod"),
                ("AllowedOrigins", "AllowedOrigin"), ("ExposeHeaders", "ExposeHeader"))
_S3_WILDCARDS = (("AllowedOrigins", "origin", limits.S3_MAX_WILDCARDS_PER_ORIGIN),
                 ("AllowedHeaders", "header", limits.S3_MAX_WILDCARDS_PER_HEADER))
# The lint rules some checks here are instances of: lint reports those problems under these ids.
CREDENTIALS_WITH_WILDCARD_ORIGIN = "CD201"
S3_LIMITS = "CD402"


def entries(data: Mapping[str, Any], section: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The well-formed entries of one section (anything else is the schema's to report)."""
    found = data.get(section)
    if isinstance(found, dict):
        yield from ((name, entry) for name, entry in found.items() if isinstance(entry, dict))


def policies_of(data: Mapping[str, Any]) -> dict[str, Any]:
    found = data.get("policies")
    return found if isinstance(found, dict) else {}


def _strings(value: Any) -> list[tuple[int, str]]:
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, str)]


def check_services(data: Mapping[str, Any], report: Reporter) -> None:
    """Report what S3, API Gateway and Lambda would refuse, and references that lead nowhere."""
    policies = policies_of(data)
    hinted = hints.Suggester()
    for name, rules in policies.items():
        check_s3_rules(rules, ("policies", name), report)
    for name, entry in entries(data, "s3_buckets"):
        _check_name(bucket_name_problem(name), ("s3_buckets", name), report)
        path = ("s3_buckets", name, "cors")
        cors = entry.get("cors")
        if isinstance(cors, str) and hints.is_s3_xml(cors):
            report.add(path, hints.S3_XML)
        elif isinstance(cors, str) and cors != ABSENT and cors not in policies:
            report.add(path, _unknown_policy(cors, list(policies), hinted))
        elif not isinstance(cors, str):
            check_s3_rules(cors, path, report)
    for name, entry in entries(data, "http_apis"):
        check_http_cors(entry.get("cors"), ("http_apis", name, "cors"), report)
    for name, entry in entries(data, "rest_apis"):
        check_rest_cors(entry, ("rest_apis", name), report)
    for name, _ in entries(data, "function_urls"):
        _check_name(function_name_problem(name), ("function_urls", name), report)
    _check_endpoint(data, report)
    _check_lint_ignore(data, report, hinted)


def _check_endpoint(data: Mapping[str, Any], report: Reporter) -> None:
    aws = data.get("aws")
    url = aws.get("endpoint_url") if isinstance(aws, dict) else None
    problem = url_problem(url) if isinstance(url, str) else None
    if problem:
        report.add(("aws", "endpoint_url"), f"{quoted(url)} {problem}")


def _check_name(problem: str | None, path: Path_, report: Reporter) -> None:
    if problem:
        report.add(path, problem, key=True)


_MOST_POLICIES_LISTED = 10


def _unknown_policy(name: str, known: list[str], hinted: hints.Suggester) -> str:
    close = hinted.suggest(name, known)
    if close:
        return f"unknown policy {quoted(name)}; did you mean {quoted(close)}?"
    if known:
        listed = ", ".join(quoted(policy) for policy in known[:_MOST_POLICIES_LISTED])
        more = f" and {len(known) - _MOST_POLICIES_LISTED} more" if len(known) > _MOST_POLICIES_LISTED else ""
        return f"unknown policy {quoted(name)}; policies: {listed}{more} (or write `absent`)"
    return f"unknown policy {quoted(name)}: no policies are defined (or write `absent` for no CORS)"


def check_s3_rules(value: Any, path: Path_, report: Reporter) -> None:
    """One `*` per origin and per header, none in ExposeHeaders, and a document S3 will take in size."""
    if isinstance(value, dict):
        value, path = value.get("CORSRules"), (*path, "CORSRules")
    if not isinstance(value, list):
        return
    rules = [rule for rule in value if isinstance(rule, dict)]
    for index, rule in enumerate(value):
        if not isinstance(rule, dict):
            continue
        for field, what, most in _S3_WILDCARDS:
            for position, text in _strings(rule.get(field)):
                if text.count("*") > most:
                    report.add((*path, index, field, position), f"{quoted(text)} has {text.count('*')} "
                               f"'*' wildcards; S3 allows {most} per {what}")
        for position, text in _strings(rule.get("ExposeHeaders")):
            if "*" in text:
                report.add((*path, index, "ExposeHeaders", position),
                           f"{quoted(text)}: S3 refuses any '*' in ExposeHeaders (\"We currently do not "
                           "support wildcard for ExposeHeader\"); list each header by name")
    size = s3_document_bytes(rules)
    if size > limits.S3_MAX_DOCUMENT_BYTES:
        report.add(path, f"the CORS document is {size} bytes as S3 receives it; "
                         f"S3 allows at most {limits.S3_MAX_DOCUMENT_BYTES} (64 KB)", rule=S3_LIMITS)


def s3_document_bytes(rules: list[dict[str, Any]]) -> int:
    """The size of the XML body PutBucketCors sends for these rules."""
    parts = [f'<CORSConfiguration xmlns="{limits.S3_DOCUMENT_XMLNS}">']
    for rule in rules:
        parts.append("<CORSRule>")
        if "ID" in rule:
            parts.append(f"<ID>{escape(str(rule['ID']))}</ID>")
        for field, element in _S3_ELEMENTS:
            values = rule.get(field)
            for item in values if isinstance(values, list) else ():
                parts.append(f"<{element}>{escape(str(item))}</{element}>")
        if "MaxAgeSeconds" in rule:
            parts.append(f"<MaxAgeSeconds>{rule['MaxAgeSeconds']}</MaxAgeSeconds>")
        parts.append("</CORSRule>")
    parts.append("</CORSConfiguration>")
    return len("".join(parts).encode("utf-8"))


def check_http_cors(cors: Any, path: Path_, report: Reporter) -> None:
    """`*` rather than ANY, and no credentials with a `*` origin (API Gateway refuses both)."""
    if not isinstance(cors, dict):
        return
    for position, method in _strings(cors.get("AllowMethods")):
        if method.upper() == limits.HTTP_REJECTED_ANY_METHOD:
            report.add((*path, "AllowMethods", position),
                       f"{quoted(method)} is not accepted: API Gateway expects '{limits.HTTP_ANY_METHOD}' "
                       "for every method")
    if cors.get("AllowCredentials") is True:
        for position, origin in _strings(cors.get("AllowOrigins")):
            if origin == "*":
                report.add((*path, "AllowOrigins", position),
                           "'*' with AllowCredentials: true is rejected by API Gateway (allow-credentials "
                           "is not supported if allow-origin is *); list the origins instead",
                           rule=CREDENTIALS_WITH_WILDCARD_ORIGIN)


def check_rest_cors(entry: Mapping[str, Any], path: Path_, report: Reporter) -> None:
    """What REST headers cannot express: exact origins or `*` alone, and credentials not with `*`."""
    cors = entry.get("cors")
    if not isinstance(cors, dict):
        return
    origins = _strings(cors.get("AllowOrigins"))
    credentials = cors.get("AllowCredentials") is True
    for position, origin in origins:
        at = (*path, "cors", "AllowOrigins", position)
        if origin == "*" and credentials:
            report.add(at, "'*' with AllowCredentials: true: browsers refuse credentialed responses for a "
                           "wildcard origin; list the origins instead", rule=CREDENTIALS_WITH_WILDCARD_ORIGIN)
        elif origin == "*" and len(origins) > 1:
            report.add(at, "'*' cannot be combined with other origins: API Gateway sends one "
                           "Access-Control-Allow-Origin value, and '*' already allows every origin")
        elif "*" in origin and origin != "*":
            report.add(at, f"{quoted(origin)}: REST APIs match origins exactly, so '*' cannot be part of an "
                           "origin; list each origin (or use '*' alone)")
    for field in ("AllowOrigins", "AllowMethods", "AllowHeaders", "ExposeHeaders"):
        for position, value in _strings(cors.get(field)):
            if not limits.is_rest_header_value(value):
                report.add((*path, "cors", field, position),
                           f"{quoted(value)}: REST API header values cannot hold quotes, backslashes or "
                           "whitespace (they are written inside '...' literals and the preflight template)")
    listed = entry.get("gateway_responses", list(limits.REST_DEFAULT_GATEWAY_RESPONSES))
    # Unknown types are the schema's to report; only real ones are named here.
    known = limits.REST_GATEWAY_RESPONSE_TYPES
    responses = [r for r in listed if r in known] if isinstance(listed, list) else []
    several = len({origin for _, origin in origins}) > 1
    if credentials and several and responses:
        named = "gateway_responses" in entry
        report.add(
            (*path, "gateway_responses") if named else (*path, "cors", "AllowOrigins"),
            "several origins with AllowCredentials: true cannot be answered on gateway responses "
            f"({', '.join(responses) if named else 'DEFAULT_4XX and DEFAULT_5XX by default'}): "
            "gateway responses cannot run templates, so the only way to answer several origins there is "
            "to reflect the request's Origin, which with credentials lets any site read credentialed "
            "error responses; set `gateway_responses: []` or allow one origin")



def _check_lint_ignore(data: Mapping[str, Any], report: Reporter, hinted: hints.Suggester) -> None:
    """Every rule a `lint_ignore` names exists: a misspelt id would silence nothing, unnoticed."""
    # Imported here: rule modules may use config helpers, so a module-level import could be a cycle.
    from corsdeploy.lint.registry import rule_ids

    known = rule_ids()
    for section in SECTION_KINDS:
        for name, entry in entries(data, section):
            ignored = entry.get("lint_ignore")
            for rule_id in ignored if isinstance(ignored, dict) else ():
                if rule_id not in known:
                    report.add((section, name, "lint_ignore", rule_id), _unknown_rule(rule_id, known, hinted),
                               key=True)


def _unknown_rule(rule_id: str, known: tuple[str, ...], hinted: hints.Suggester) -> str:
    close = hinted.suggest(rule_id, known)
    hint = f"did you mean {quoted(close)}?" if close else f"the rules are {', '.join(known)}"
    return f"no lint rule {quoted(rule_id)}; {hint}"
