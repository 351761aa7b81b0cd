"""Views of plans and apply results; no logic beyond presentation."""
from __future__ import annotations

from corsdeploy.plan import Change


def unique_warnings(change: Change) -> list[str]:
    """A change's warnings, each once, in the order first given (a plan shows each warning once)."""
    return list(dict.fromkeys(change.warnings))
