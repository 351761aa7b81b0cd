"""lint as SARIF 2.1.0, for GitHub code scanning (`github/codeql-action/upload-sarif`) and other viewers."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from corsdeploy import __version__
from corsdeploy.lint.registry import all_rules
from corsdeploy.lint.rule import Finding, Rule, Severity
from corsdeploy.model import Location
from corsdeploy.render.edge import bounded

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# SARIF has no "info": its least level is "note".
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_ACRONYMS = {"rest": "REST", "http": "HTTP", "s3": "S3", "api": "API", "url": "URL"}


def sarif_document(findings: Sequence[Finding]) -> dict[str, Any]:
    """One run of corsdeploy: every rule it knows (so each result's ruleIndex is stable) and the findings."""
    rules = all_rules()
    index = {rule.id: position for position, rule in enumerate(rules)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {"name": "corsdeploy", "version": __version__,
                                "rules": [_descriptor(rule) for rule in rules]}},
            "results": [_result(finding, index[finding.rule]) for finding in findings],
        }],
    }


def _descriptor(rule: type[Rule]) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": title(rule)},
        "fullDescription": {"text": rule.description},
        "help": {"text": rule.fix},
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
    }


def title(rule: type[Rule]) -> str:
    """The rule's name in words: "scheme-wildcard-origin" is "Scheme wildcard origin"."""
    words = [_ACRONYMS.get(word, word) for word in rule.name.split("-")]
    return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]])


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    address = f"{finding.address}: " if finding.address else ""
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _LEVELS[finding.severity],
        "message": {"text": bounded(f"{address}{finding.message}")},
    }
    if finding.location:
        result["locations"] = [_location(finding.location)]
    return result


def _location(where: Location) -> dict[str, Any]:
    return {"physicalLocation": {
        "artifactLocation": {"uri": artifact_uri(where.file)},
        "region": {"startLine": where.line, "startColumn": where.column},
    }}


def artifact_uri(file: str) -> str:
    """A file as a URI reference: relative to the working directory (the repository root in CI, which
    code scanning resolves it against) when the file is below it, else a file:// URI."""
    path = Path(file)
    if path.is_absolute():
        return path.as_uri()
    return quote(PurePosixPath(path).as_posix())
