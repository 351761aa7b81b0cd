"""Field paths as the user reads them, and the resource address a path belongs to."""
from __future__ import annotations

from corsdeploy.config.shown import escaped
from corsdeploy.errors import Problem
from corsdeploy.model import Kind, Location

Path_ = tuple[str | int, ...]
SECTION_KINDS = {kind.section: kind for kind in Kind}


def render_path(parts: Path_) -> str:
    """`AllowedMethods[2]`, `aws.account_id`, `gateway_responses[0]` (names escaped and cut short)."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{escaped(part)}" if out else escaped(part))
    return out


def _inside_rules(parts: Path_) -> Path_:
    """A path inside S3 rules, from the rule's own fields down (the location says which rule)."""
    if parts[:1] == ("CORSRules",):
        parts = parts[1:]
    return parts[1:] if parts[:1] and isinstance(parts[0], int) else parts


def describe(path: Path_) -> tuple[str | None, str]:
    """The address a path belongs to (if any) and how to name the field within it."""
    if len(path) >= 2 and path[0] in SECTION_KINDS:
        kind = SECTION_KINDS[str(path[0])]
        address, rest = f"{kind.value}.{escaped(str(path[1]))}", path[2:]
        if rest[:1] == ("cors",) and len(rest) > 1:
            inner = rest[1:]
            shown = render_path(_inside_rules(inner) if kind is Kind.S3_BUCKET else inner)
            return address, shown or "cors"
        return address, render_path(rest)
    if len(path) >= 2 and path[0] == "policies":
        field = render_path(_inside_rules(path[2:]))
        return None, f"policies.{escaped(str(path[1]))}" + (f": {field}" if field else "")
    return None, render_path(path)


def problem(path: Path_, message: str, location: Location | None, rule: str | None = None) -> Problem:
    """A problem about the field at `path`, named by its address and its path within the resource."""
    address, name = describe(path)
    return Problem(f"{name}: {message}" if name else message, location, address, rule)
