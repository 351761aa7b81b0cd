"""Read the live CORS of many resources in parallel, one provider per kind."""
from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from corsdeploy.aws import MAX_PARALLEL_CALLS, Clients
from corsdeploy.errors import CorsdeployError, PlanError, Problem
from corsdeploy.model import Kind, Live, Resource
from corsdeploy.providers import Provider, provider_for


def providers_for(resources: Sequence[Resource], clients: Clients) -> dict[Kind, Provider]:
    """One provider per kind present, so listings they cache are shared across resources."""
    return {kind: provider_for(kind, clients) for kind in dict.fromkeys(r.kind for r in resources)}


def read_live(resources: Sequence[Resource], providers: dict[Kind, Provider],
              workers: int = MAX_PARALLEL_CALLS) -> dict[str, Live]:
    """Every resource's live state; raises one PlanError listing every resource that failed."""
    def read(resource: Resource) -> Live | CorsdeployError:
        try:
            return providers[resource.kind].read(resource)
        except CorsdeployError as error:  # transport faults too, translated by providers.calls
            return error

    with ThreadPoolExecutor(max_workers=min(workers, max(1, len(resources)))) as pool:
        outcomes = list(pool.map(read, resources))
    return _collect(resources, outcomes)


def _collect(resources: Sequence[Resource], outcomes: list[Live | CorsdeployError]) -> dict[str, Live]:
    problems: list[Problem] = []
    lives: dict[str, Live] = {}
    for resource, outcome in zip(resources, outcomes, strict=True):
        if isinstance(outcome, CorsdeployError):
            problems.extend(
                p if p.address else Problem(p.message, p.location, resource.address) for p in outcome.problems
            )
        else:
            lives[resource.address] = outcome
    problems.extend(_clashes(resources, lives))
    if problems:
        raise PlanError(problems)
    return lives


def _clashes(resources: Sequence[Resource], lives: dict[str, Live]) -> list[Problem]:
    """Addresses that resolved to a live resource an earlier address already did (a plan would show
    two changes to one resource, the second silently winning)."""
    first: dict[tuple[Kind, str], str] = {}
    problems = []
    for resource in resources:
        identity = lives[resource.address].identity if resource.address in lives else None
        if identity is None:
            continue
        earlier = first.setdefault((resource.kind, identity), resource.address)
        if earlier != resource.address:
            problems.append(Problem(
                f"{earlier} and {resource.address} resolve to the same live resource {identity!r}: "
                "each may be named by one entry only", resource.location))
    return problems
