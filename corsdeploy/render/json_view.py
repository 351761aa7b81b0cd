"""The contract's JSON shapes (`--format json`)."""
from __future__ import annotations

import json
from typing import Any

from corsdeploy.plan import Plan
from corsdeploy.render import unique_warnings
from corsdeploy.render.edge import bounded
from corsdeploy.results import ApplyResult

FORMAT_VERSION = 1


def plan_document(plan: Plan) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "environment": plan.environment,
        "changes": [
            {"address": c.address, "action": c.action.value, "before": c.before, "after": c.after,
             "warnings": [bounded(w) for w in unique_warnings(c)]}
            for c in plan.changes
        ],
        "summary": plan.summary,
    }


def apply_document(result: ApplyResult) -> dict[str, Any]:
    return {
        "apply_id": result.apply_id,
        "environment": result.environment,
        "results": [
            {
                "address": r.address,
                "action": r.action.value,
                "outcome": r.outcome.value,
                "error": ({"code": bounded(r.error.code), "message": bounded(r.error.message)}
                          if r.error else None),
            }
            for r in result.results
        ],
        "summary": result.summary,
    }


def dumps(document: dict[str, Any]) -> str:
    """JSON with every non-ASCII and control character escaped (U+2028, bidi controls and ESC in keys
    included), so names cannot drive a terminal or break a line. Messages and warnings are shortened
    (`bounded`); names and values are data and stay whole."""
    return json.dumps(document, indent=2, ensure_ascii=True)
