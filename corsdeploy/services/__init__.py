"""Per-service semantics that are pure (no AWS calls): the service's wire shape, what the file
asks for in that shape, and the normalization that makes "equal" mean "behaves the same"."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from corsdeploy.model import Kind, Live, Resource


class Service(Protocol):
    @property
    def kind(self) -> Kind: ...

    def desired(self, resource: Resource, live: Live) -> Mapping[str, Any] | None:
        """What `resource` asks for, in the service's own shape (plan JSON `after`); None = none.

        Writes send this verbatim, so it keeps the user's spelling and order. `live` is there for
        services whose desired shape depends on live structure (REST APIs' resources)."""
        ...

    def normalize(self, wire: Mapping[str, Any] | None) -> Any:
        """A JSON-like value equal for two configurations exactly when the service treats them
        alike (and nothing cleverer). Lists that are sets must come back sorted."""
        ...


# Imported on demand: a command touching one kind never loads the others' modules.
def _s3() -> Service:
    from corsdeploy.services.s3 import SERVICE

    return SERVICE


def _http_api() -> Service:
    from corsdeploy.services.http_api import SERVICE

    return SERVICE


def _rest_api() -> Service:
    from corsdeploy.services.rest_api import SERVICE

    return SERVICE


def _function_url() -> Service:
    from corsdeploy.services.function_url import SERVICE

    return SERVICE


SERVICES: Mapping[Kind, Callable[[], Service]] = {
    Kind.S3_BUCKET: _s3,
    Kind.HTTP_API: _http_api,
    Kind.REST_API: _rest_api,
    Kind.FUNCTION_URL: _function_url,
}


def service_for(kind: Kind) -> Service:
    return SERVICES[kind]()


def digest(value: Any) -> str:
    """A stable digest of a JSON-like value (normalized configurations: saved plans, deployments)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()
