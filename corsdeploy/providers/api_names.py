"""Find an API by name (or by `id:`) in one listing per environment, shared by all its resources."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from corsdeploy.errors import PlanError, Problem
from corsdeploy.model import Resource

Item = TypeVar("Item")

# (name, id, item) of every API of the kind, the item being what the listing says about it; given
# the resource that triggered the listing, so a failure to list is reported against it.
ItemLister = Callable[[Resource], Iterable[tuple[str, str, Item]]]


class ApiListing(Generic[Item]):
    """Thread-safe: the first resource to ask lists the APIs, the others reuse that listing."""

    def __init__(self, noun: str, lister: ItemLister[Item]) -> None:
        self._noun = noun
        self._lister = lister
        self._lock = threading.Lock()
        self._index: _Index[Item] | None = None

    def select(self, resource: Resource) -> tuple[str, Item]:
        """(id, item) of the API the resource names: by its `id:` when given, otherwise by its name."""
        api_id = resource.settings.get("id")
        return self.by_id(resource, str(api_id)) if api_id else self.by_name(resource)

    def by_name(self, resource: Resource) -> tuple[str, Item]:
        """The one API named like the resource; none or several is a PlanError."""
        matches = self._indexed(resource).by_name.get(resource.name, [])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            message = f"no {self._noun} is named {resource.name!r}"
        else:
            ids = ", ".join(sorted(api_id for api_id, _ in matches))
            message = (f"{len(matches)} {self._noun}s are named {resource.name!r} "
                       f"(ids: {ids}); select one with `id:`")
        raise PlanError(Problem(message, address=resource.address))

    def by_id(self, resource: Resource, api_id: str) -> tuple[str, Item]:
        """The API with this id, whose name must equal the resource's key; otherwise a PlanError."""
        found = self._indexed(resource).by_id.get(api_id)
        if found is None:
            raise PlanError(Problem(f"no {self._noun} has id {api_id!r}", address=resource.address))
        name, item = found
        require_key_name(self._noun, resource, api_id, name)
        return api_id, item

    def _indexed(self, resource: Resource) -> _Index[Item]:
        with self._lock:
            if self._index is None:
                index: _Index[Item] = _Index({}, {})
                for name, api_id, item in self._lister(resource):
                    index.by_name.setdefault(name, []).append((api_id, item))
                    index.by_id[api_id] = (name, item)
                self._index = index
            return self._index


def require_key_name(noun: str, resource: Resource, api_id: str, name: str) -> None:
    """With `id:`, the API's name must equal the entry's key, so an entry never changes another API."""
    if name != resource.name:
        message = (f"{noun} {api_id!r} is named {name!r}, not {resource.name!r}: "
                   f"with `id:`, the API's name must equal the key")
        raise PlanError(Problem(message, address=resource.address))


@dataclass(frozen=True)
class _Index(Generic[Item]):
    by_name: dict[str, list[tuple[str, Item]]]
    by_id: dict[str, tuple[str, Item]]

