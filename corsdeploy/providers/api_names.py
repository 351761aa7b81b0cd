"""Resolve an API's name to its id from one listing per environment, shared by all its resources."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from corsdeploy.errors import PlanError, Problem
from corsdeploy.model import Resource

# (name, id) pairs of every API of the kind; given the resource that triggered the listing, so
# a failure to list is reported against it.
Lister = Callable[[Resource], Iterable[tuple[str, str]]]


class ApiNames:
    """Thread-safe: the first resource to ask lists the APIs, the others reuse that listing."""

    def __init__(self, noun: str, lister: Lister) -> None:
        self._noun = noun
        self._lister = lister
        self._lock = threading.Lock()
        self._ids_by_name: dict[str, list[str]] | None = None

    def resolve(self, resource: Resource) -> str:
        """The id of the one API named like the resource; none or several is a PlanError."""
        ids = self._index(resource).get(resource.name, [])
        if len(ids) == 1:
            return ids[0]
        if not ids:
            message = f"no {self._noun} is named {resource.name!r}"
        else:
            message = (f"{len(ids)} {self._noun}s are named {resource.name!r} "
                       f"(ids: {', '.join(sorted(ids))}); select one with `id:`")
        raise PlanError(Problem(message, address=resource.address))

    def _index(self, resource: Resource) -> dict[str, list[str]]:
        with self._lock:
            if self._ids_by_name is None:
                by_name: dict[str, list[str]] = {}
                for name, api_id in self._lister(resource):
                    by_name.setdefault(name, []).append(api_id)
                self._ids_by_name = by_name
            return self._ids_by_name
