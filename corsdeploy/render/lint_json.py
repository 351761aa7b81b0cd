"""lint for scripts: the contract's JSON shape, `{"findings": [{rule, severity, address, message,
file, line}]}` (file and line null where a finding has no location)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from corsdeploy.lint.rule import Finding
from corsdeploy.render.edge import bounded


def lint_document(findings: Sequence[Finding]) -> dict[str, Any]:
    return {"findings": [
        {"rule": f.rule, "severity": f.severity.value, "address": f.address, "message": bounded(f.message),
         "file": f.location.file if f.location else None, "line": f.location.line if f.location else None}
        for f in findings
    ]}
