"""S3 rule lists as a reviewer reads them: rules matched by ID, else by content, so that one
inserted, removed or edited rule reads as one, and a reordering reads as one (S3 answers with the
first rule that matches, so order is behaviour).

Presentation only: whether anything changed is the planner's business (services.s3.normalize).
"""
from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corsdeploy.render.lines import (
    Fold,
    Line,
    Mark,
    field_lines,
    hidden,
    indented,
    ordered_keys,
    same,
    scalar,
    value_lines,
)
from corsdeploy.services.s3 import ITEM_FOLDS, normalize_rule

Rule = Mapping[str, Any]

# S3's fields in the order a reader wants them (which requests, then what the answer says).
FIELD_ORDER = ("ID", "AllowedOrigins", "AllowedMethods", "AllowedHeaders", "ExposeHeaders", "MaxAgeSeconds")
REORDER_NOTE = ("rule order changes: S3 answers a request with the first rule that matches it, "
                "so this changes which rule answers some requests")
# A rule without an ID is named by this many of its origins.
NAMED_ORIGINS = 2


def is_rule_list(wire: Any) -> bool:
    """Whether `wire` is S3's `{"CORSRules": [...]}` alone (anything else is shown field by field)."""
    if not isinstance(wire, Mapping) or set(wire) != {"CORSRules"}:
        return False
    rules = wire["CORSRules"]
    return isinstance(rules, list) and all(isinstance(rule, Mapping) for rule in rules)


def rule_list_lines(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[Line]:
    """The rules that are added, removed, edited or moved; unchanged ones counted as hidden."""
    old: Sequence[Rule] = (before or {}).get("CORSRules") or []
    new: Sequence[Rule] = (after or {}).get("CORSRules") or []
    pairs = match_rules(old, new)
    moved = moved_rules(pairs)
    lines = [Line(Mark.NOTE, 0, REORDER_NOTE)] if moved else []
    unchanged = 0
    for entry in _entries(old, new, pairs):
        shown = _entry_lines(entry, old, new, entry.old in moved)
        if not shown:
            unchanged += 1
            continue
        lines += hidden(unchanged, "rule") + shown
        unchanged = 0
    return lines + hidden(unchanged, "rule")


# --- matching -------------------------------------------------------------------------------------


def match_rules(old: Sequence[Rule], new: Sequence[Rule]) -> dict[int, int]:
    """Which live rule (index) becomes which desired rule: by ID; else an equal rule; else the most
    alike remaining rule (two different IDs never pair)."""
    old_n, new_n = [normalize_rule(r) for r in old], [normalize_rule(r) for r in new]
    pairs: dict[int, int] = {}
    new_ids = {rule["ID"]: j for j, rule in reversed(list(enumerate(new_n))) if rule["ID"] is not None}
    for i, rule in enumerate(old_n):
        j = new_ids.get(rule["ID"]) if rule["ID"] is not None else None
        if j is not None and j not in pairs.values():
            pairs[i] = j
    for i, rule in enumerate(old_n):
        j = next((j for j, other in enumerate(new_n) if other == rule and j not in pairs.values()), None)
        if i not in pairs and j is not None:
            pairs[i] = j
    rest_old = [i for i in range(len(old)) if i not in pairs]
    rest_new = [j for j in range(len(new)) if j not in pairs.values()]
    return pairs | _closest(rest_old, rest_new, old_n, new_n)


def _closest(rest_old: list[int], rest_new: list[int], old_n: Sequence[Rule],
             new_n: Sequence[Rule]) -> dict[int, int]:
    """The remaining rules paired most alike first (nearest in the list on a tie); rules with
    nothing in common, or two different IDs, stay unpaired.

    Not deepdiff's ignore_order pairing: it measured 0.7 s for 10 edited rules and 90 s for 100
    (S3's limit), per bucket; this is a set intersection per pair."""
    old_features = {i: _features(old_n[i]) for i in rest_old}
    new_features = {j: _features(new_n[j]) for j in rest_new}
    ranked = sorted((-_likeness(old_features[i], new_features[j]), abs(i - j), i, j)
                    for i in rest_old for j in rest_new)
    pairs: dict[int, int] = {}
    for unlike, _, i, j in ranked:
        clash = None not in (old_n[i]["ID"], new_n[j]["ID"]) and old_n[i]["ID"] != new_n[j]["ID"]
        if unlike < 0 and not clash and i not in pairs and j not in pairs.values():
            pairs[i] = j
    return pairs


def _features(rule: Rule) -> set[tuple[str, Any]]:
    """What a rule says, item by item: each origin, method and header, its max age and ID."""
    return {(key, item) for key, value in rule.items()
            for item in (value if isinstance(value, list) else [value]) if item is not None}


def _likeness(a: set[tuple[str, Any]], b: set[tuple[str, Any]]) -> float:
    """The share of what two rules say that they say alike (Jaccard)."""
    return len(a & b) / len(a | b) if a | b else 0.0


def moved_rules(pairs: Mapping[int, int]) -> set[int]:
    """The live rules whose order relative to the others changes (not those that only shift because a
    rule was inserted or removed before them): those outside the runs difflib finds kept in order."""
    by_new = [i for i, _ in sorted(pairs.items(), key=lambda pair: pair[1])]
    matcher = difflib.SequenceMatcher(None, sorted(by_new), by_new, autojunk=False)
    kept = {i for block in matcher.get_matching_blocks() for i in by_new[block.b:block.b + block.size]}
    return set(by_new) - kept


# --- lines ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    old: int | None
    new: int | None


def _entries(old: Sequence[Rule], new: Sequence[Rule], pairs: Mapping[int, int]) -> list[_Entry]:
    """Every rule once, in the desired order; a removed rule where it stood among its neighbours."""
    by_new = {j: i for i, j in pairs.items()}
    entries = [(j, 1, _Entry(by_new.get(j), j)) for j in range(len(new))]
    for i in range(len(old)):
        if i not in pairs:
            later = [j for k, j in pairs.items() if k > i]
            entries.append((min(later, default=len(new)), 0, _Entry(i, None)))
    return [entry for *_, entry in sorted(entries, key=lambda item: (item[0], item[1]))]


def _entry_lines(entry: _Entry, old: Sequence[Rule], new: Sequence[Rule], moved: bool) -> list[Line]:
    if entry.new is None:
        assert entry.old is not None
        rule = old[entry.old]
        return [Line(Mark.REMOVE, 0, f"rule {entry.old}{_named(rule)}, removed:"),
                *indented(_rule_fields(Mark.REMOVE, rule), 1)]
    if entry.old is None:
        rule = new[entry.new]
        return [Line(Mark.ADD, 0, f"rule {entry.new}{_named(rule)}, new:"),
                *indented(_rule_fields(Mark.ADD, rule), 1)]
    before, after = old[entry.old], new[entry.new]
    fields = _changed_fields(before, after)
    if not fields and not moved:
        return []
    where = f", moved {'up' if entry.new < entry.old else 'down'} from rule {entry.old}" if moved else ""
    colon = ":" if fields else ""
    return [Line(Mark.CHANGE, 0, f"rule {entry.new}{_named(after)}{where}{colon}"), *indented(fields, 1)]


def _named(rule: Rule) -> str:
    """How a reader recognises a rule: its ID, else its first origins."""
    if rule.get("ID") is not None:
        return f" (ID {scalar(rule['ID'])})"
    origins = list(rule.get("AllowedOrigins") or ())
    if not origins:
        return ""
    more = f" and {len(origins) - NAMED_ORIGINS} more" if len(origins) > NAMED_ORIGINS else ""
    return " for " + ", ".join(scalar(origin) for origin in origins[:NAMED_ORIGINS]) + more


def _rule_fields(mark: Mark, rule: Rule) -> list[Line]:
    return [line for key in ordered_keys(FIELD_ORDER, rule) for line in value_lines(mark, key, rule[key])]


def _changed_fields(before: Rule, after: Rule) -> list[Line]:
    """The fields S3 treats differently (as the planner compares them), with the user's spelling."""
    old, new = normalize_rule(before), normalize_rule(after)
    lines: list[Line] = []
    for key in ordered_keys(FIELD_ORDER, before, after):
        if key in old and old[key] == new[key]:
            continue
        if key not in old and before.get(key) == after.get(key):
            continue
        lines += field_lines(key, before.get(key), after.get(key), _fold(key))
    return lines


def _fold(key: str) -> Fold:
    """The service's comparison of one item of a field (header names without regard to case)."""
    return ITEM_FOLDS.get(key, same)
