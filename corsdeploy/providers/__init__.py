"""One module per AWS surface: read, write and delete CORS, translating to and from the service's
wire shape. The only code that talks to AWS (through the injected `Clients`)."""
from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from typing import TYPE_CHECKING, Any, Protocol

from corsdeploy.model import Kind, Live, Resource

if TYPE_CHECKING:
    from corsdeploy.aws import Clients


class Provider(Protocol):
    kind: Kind
    # IAM actions, declared as data so `permissions` can print a least-privilege policy.
    read_actions: tuple[str, ...]
    write_actions: tuple[str, ...]

    def read(self, resource: Resource) -> Live:
        """One resource's live CORS. Raises PlanError (missing, ambiguous, not ours) or AwsError."""
        ...

    def write(self, resource: Resource, live: Live, wire: Mapping[str, Any] | None) -> None:
        """Make live match `wire` (the service's shape; None removes the CORS configuration)."""
        ...


def provider_for(kind: Kind, clients: Clients) -> Provider:
    # Imported on demand: a command touching one kind never loads the others.
    return import_module(f"corsdeploy.providers.{kind.module}").PROVIDER_CLASS(clients)
