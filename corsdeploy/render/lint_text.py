"""lint for people: one line per finding, `file:line: SEVERITY RULE address: message`, then a count."""
from __future__ import annotations

from collections.abc import Sequence

from corsdeploy.lint.rule import Finding, Severity
from corsdeploy.render.edge import printable


def finding_line(finding: Finding) -> str:
    where = finding.location
    prefix = f"{where.file}:{where.line}: " if where else ""
    address = f" {finding.address}:" if finding.address else ":"
    return printable(f"{prefix}{finding.severity.value} {finding.rule}{address} {finding.message}")


def findings_summary(findings: Sequence[Finding]) -> str:
    if not findings:
        return "No findings."
    counts = {severity: sum(f.severity is severity for f in findings) for severity in Severity}
    told = ", ".join(f"{counts[s]} {s.value}{'s' if counts[s] != 1 and s is not Severity.INFO else ''}"
                     for s in Severity)
    return f"{len(findings)} finding{'s' if len(findings) != 1 else ''}: {told}."


def render_findings(findings: Sequence[Finding]) -> str:
    """The whole text report, one finding per line, the count last."""
    return "".join(f"{finding_line(f)}\n" for f in findings) + f"{findings_summary(findings)}\n"
