"""diff(desired, live) -> Plan. Pure: the providers have already read live state."""
from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from corsdeploy.lint.rule import silenced
from corsdeploy.model import Kind, Live, Resource
from corsdeploy.services import digest, service_for


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    NOOP = "no-op"


@dataclass(frozen=True)
class FieldChange:
    """One field that differs, e.g. `CORSRules[0].AllowedMethods`, in the user's spelling."""

    path: str
    before: Any
    after: Any


# The one field a change shows when only a deployment is pending (Live.pending_deployment).
PENDING_DEPLOYMENT = FieldChange("deployment", "pending", "current")


@dataclass(frozen=True)
class Change:
    address: str
    action: Action
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    warnings: tuple[str, ...] = ()
    # Digest of the normalized live configuration the change was computed against (saved plans).
    live_digest: str = ""
    # The live resource the address resolved to (Live.identity: an API's id), None where the
    # address alone identifies it; a write over another one than planned is refused as stale.
    live_identity: str | None = None
    # Equal CORS that the stage does not serve yet: an update whose write only deploys.
    pending_deployment: bool = False

    @functools.cached_property
    def fields(self) -> tuple[FieldChange, ...]:
        """The fields that differ, found when first asked: a saved plan and `import` need them, the
        views do not, and deepdiff takes a millisecond or more per change (a plan may hold thousands)."""
        if self.pending_deployment:
            return (PENDING_DEPLOYMENT,)
        if self.action is not Action.UPDATE:
            return ()
        service = service_for(Kind(self.address.partition(".")[0]))
        return _field_changes(service.normalize(self.before), service.normalize(self.after),
                              self.before, self.after)


@dataclass(frozen=True)
class PlannedChange:
    """A change and the resource it was planned for: a saved plan's, not necessarily the file's now."""

    resource: Resource
    change: Change
    # What the provider's `restore` puts back, for kinds whose backup is more than their wire shape
    # (a REST API's backup document); None writes `change.after` as it is.
    restore: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Target:
    """Where a plan was computed: shown in its header line."""

    account: str | None = None
    region: str | None = None
    # (service, effective endpoint URL) of each client the plan used, as botocore resolved it.
    endpoints: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Plan:
    environment: str
    changes: tuple[Change, ...]
    target: Target = field(default_factory=Target)

    @property
    def summary(self) -> dict[str, int]:
        counts = {action.value: 0 for action in Action}
        for change in self.changes:
            counts[change.action.value] += 1
        return counts

    @property
    def has_changes(self) -> bool:
        return any(change.action is not Action.NOOP for change in self.changes)


@dataclass(frozen=True)
class EnvironmentPlan:
    """One environment's line of `plan --all`: its plan, or why it could not be planned."""

    name: str
    plan: Plan | None
    errors: tuple[str, ...] = ()


def make_plan(environment: str, resources: Sequence[Resource], lives: Mapping[str, Live],
              target: Target | None = None) -> Plan:
    """One change per resource, in the file's order."""
    return Plan(environment, tuple(plan_resource(r, lives[r.address]) for r in resources), target or Target())


def planned_changes(resources: Sequence[Resource], plan: Plan) -> tuple[PlannedChange, ...]:
    """Each change of `plan` with the resource it is for (one of `resources`, by address)."""
    by_address = {r.address: r for r in resources}
    return tuple(PlannedChange(by_address[c.address], c) for c in plan.changes)


def plan_resource(resource: Resource, live: Live) -> Change:
    return _change(resource, live, service_for(resource.kind).desired(resource, live))


def plan_restore(resource: Resource, live: Live, saved: Mapping[str, Any] | None) -> PlannedChange:
    """The change that puts back `saved`, a backup's configuration (rollback). A REST API's backup is
    a document that its provider restores piece by piece; its plan shows the backup's view."""
    if resource.kind is Kind.REST_API and saved is not None:
        return PlannedChange(resource, _change(resource, live, saved.get("view")), restore=saved)
    return PlannedChange(resource, _change(resource, live, saved))


def _change(resource: Resource, live: Live, after: Mapping[str, Any] | None) -> Change:
    service = service_for(resource.kind)
    before = live.wire
    old, new = service.normalize(before), service.normalize(after)
    action = _action(old, new)
    warnings = tuple(w for w in live.warnings if not silenced(w, resource.lint_ignore))
    pending = action is Action.NOOP and bool(live.pending_deployment)
    if pending:
        # Equal CORS that is not served yet: the write deploys it (before/after stay the service's shape).
        action = Action.UPDATE
        warnings += (str(live.pending_deployment),)
    return Change(resource.address, action, before, after, warnings, digest(old), live.identity, pending)


def live_digest(resource: Resource, live: Live) -> str:
    """The digest of a resource's normalized live configuration, as `plan_resource` records it."""
    return digest(service_for(resource.kind).normalize(live.wire))


def staleness(planned: PlannedChange, live: Live) -> str | None:
    """Why `live`, read just now, is not what the change was computed from; None when it is."""
    change = planned.change
    if live.identity != change.live_identity:
        return (f"stale: it now resolves to {live.identity or 'another resource'}, "
                f"not {change.live_identity or 'the one planned'}")
    if live_digest(planned.resource, live) != change.live_digest:
        return "stale: its live CORS changed since the plan was made"
    return None


def _action(old: Any, new: Any) -> Action:
    if old == new:
        return Action.NOOP
    if old is None:
        return Action.CREATE
    if new is None:
        return Action.DELETE
    return Action.UPDATE


def _field_changes(old: Any, new: Any, before: Any, after: Any) -> tuple[FieldChange, ...]:
    """The fields deepdiff finds different after normalization, shown with the raw values."""
    from deepdiff import DeepDiff  # here, not at the top: it is a third of the CLI's start-up time

    paths: dict[tuple[Any, ...], None] = {}
    for items in DeepDiff(old, new, view="tree", verbose_level=2).values():
        for item in items:
            paths[_field_path(item.path(output_format="list"), old, new)] = None
    # deepdiff reports by kind of difference; a plan must read the same on every run.
    ordered = sorted(paths, key=lambda p: [(isinstance(k, str), k) for k in p])
    return tuple(FieldChange(_render_path(p), _get(before, p), _get(after, p)) for p in ordered)


def _field_path(path: list[Any], old: Any, new: Any) -> tuple[Any, ...]:
    """Cut a deepdiff path at the field: an element of a list of scalars stands for its list."""
    for depth in range(len(path)):
        if isinstance(path[depth], int) and _is_scalar_list(_get(old, path[:depth]), _get(new, path[:depth])):
            return tuple(path[:depth])
    return tuple(path)


def _is_scalar_list(*values: Any) -> bool:
    lists = [v for v in values if isinstance(v, list)]
    return bool(lists) and all(not isinstance(x, (dict, list)) for v in lists for x in v)


def _get(value: Any, path: Iterable[Any]) -> Any:
    for key in path:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _render_path(path: Iterable[Any]) -> str:
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text
