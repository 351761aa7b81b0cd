"""The environment-file entry that reproduces a REST API's live CORS (for `import`). Pure.

Only corsdeploy's own pattern can be read back as a file entry: the rule is taken from the
preflights corsdeploy created, `resources:` lists the resources that carry one (left out when all
do), and `gateway_responses:` the types that carry exactly the rule's headers (left out when that is
the default pair). Which gateway responses an earlier file managed cannot always be told from what
they carry, so two candidates come back; whether one really reproduces the live state is decided
by planning it.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from corsdeploy import limits
from corsdeploy.errors import PlanError, Problem
from corsdeploy.model import Resource, frozen
from corsdeploy.services.rest_api.pattern import (
    DEFAULT_GATEWAY_RESPONSES,
    gateway_headers,
    is_ours,
)
from corsdeploy.services.rest_api.state import RestApiState
from corsdeploy.services.rest_api.view import gateway_view, live_view, method_view, preflight_view
from corsdeploy.shapes import rule_from_cors

_CORS_HEADER_PREFIX = "Access-Control-"


@dataclass(frozen=True)
class RestEntry:
    """What the file says about one REST API besides its stage."""

    # The file's Cors object; None for `absent`.
    cors: Mapping[str, Any] | None
    # Resource paths to manage; None for the default (every resource).
    resources: tuple[str, ...] | None = None
    # Gateway response types to manage; None for the default pair.
    gateway_responses: tuple[str, ...] | None = None
    # What a reader of the entry should know about the live state it leaves alone.
    notes: tuple[str, ...] = ()


def rest_entries(resource: Resource, state: RestApiState) -> tuple[RestEntry, ...]:
    """Candidate entries for the API `resource` names (with default settings), read as `state`: the
    one leaving out gateway responses whose CORS headers are not the rule's, then (if different) the
    one managing every gateway response that carries CORS headers (its plan says what differs).

    A PlanError when the API has CORS that corsdeploy did not set up: a file cannot describe it."""
    owned = tuple(sorted(r.path for r in state.resources if is_ours(r.methods.get("OPTIONS"))))
    if not owned:
        foreign = _foreign_cors(state)
        if foreign:
            raise PlanError(Problem(
                "its CORS was not set up by corsdeploy (no OPTIONS method is corsdeploy's), so an "
                f"environment file cannot describe it: {'; '.join(foreign)}. Write the entry by hand "
                "(adopt_preflights: true lets corsdeploy replace those OPTIONS methods) and review the "
                "first plan", address=resource.address))
        return (RestEntry(None),)
    every = len(owned) == len(state.resources)
    settings = {**resource.settings, "resources": None if every else list(owned)}
    managed = replace(resource, settings=frozen(settings))
    view = live_view(managed, state)
    cors = dict((view or {}).get("Cors") or {})
    if not cors.get("AllowOrigins"):
        raise PlanError(Problem(
            "corsdeploy's preflights on it answer without an Access-Control-Allow-Origin that names "
            "origins (changed by hand?), so no rule describes them", address=resource.address))
    notes = tuple(f"OPTIONS {path} was not created by corsdeploy: left out of `resources:` "
                  "(adopt_preflights: true would let corsdeploy replace it)"
                  for path in _foreign_preflights(state))
    matching, other = _gateway_types(resource, cors, state)
    entry = RestEntry(cors, None if every else owned, _setting(matching), notes + tuple(
        f"gateway response {t} carries other CORS headers than the rule's: left out of "
        "`gateway_responses:` (corsdeploy leaves it as it is)" for t in other))
    if not other:
        return (entry,)
    carrying = tuple(t for t in limits.REST_GATEWAY_RESPONSE_TYPES if t in matching + other)
    return entry, replace(entry, gateway_responses=_setting(carrying), notes=notes)


def _setting(types: tuple[str, ...]) -> tuple[str, ...] | None:
    return None if types == DEFAULT_GATEWAY_RESPONSES else types


def _gateway_types(resource: Resource, cors: Mapping[str, Any],
                   state: RestApiState) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(types carrying exactly the rule's headers, other types carrying CORS headers)."""
    (rule,) = rule_from_cors(cors).rules
    try:
        expected = gateway_headers(resource, rule)
    except PlanError:
        expected = None  # several origins with credentials: no gateway response can carry them
    carrying = [t for t in limits.REST_GATEWAY_RESPONSE_TYPES if gateway_view(state.gateway_responses.get(t))]
    matching = tuple(t for t in carrying if gateway_view(state.gateway_responses.get(t)) == expected)
    return matching, tuple(t for t in carrying if t not in matching)


def _foreign_preflights(state: RestApiState) -> list[str]:
    """Paths whose OPTIONS method answers with CORS headers but is not corsdeploy's."""
    found = []
    for res in sorted(state.resources, key=lambda r: r.path):
        options = res.methods.get("OPTIONS")
        if options is not None and not is_ours(options) and any(
                key.startswith(_CORS_HEADER_PREFIX) for key in preflight_view(options)):
            found.append(res.path)
    return found


def _foreign_cors(state: RestApiState) -> list[str]:
    """Where CORS headers are set up other than by corsdeploy's preflights, said for a reader."""
    found = [f"OPTIONS {path} answers with CORS headers" for path in _foreign_preflights(state)]
    for res in sorted(state.resources, key=lambda r: r.path):
        for name, method in sorted(res.methods.items()):
            if method_view(method):
                found.append(f"{name} {res.path} maps static CORS headers")
    found += [f"gateway response {t} carries CORS headers" for t in limits.REST_GATEWAY_RESPONSE_TYPES
              if gateway_view(state.gateway_responses.get(t))]
    return found
