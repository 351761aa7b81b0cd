"""One module per AWS surface: read, write and delete CORS, translating to and from the service's
wire shape. The only code that talks to AWS (through the injected `Clients`)."""
from __future__ import annotations

from collections.abc import Mapping
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
    from corsdeploy.providers import function_url, http_api, rest_api, s3

    modules = {
        Kind.S3_BUCKET: s3,
        Kind.HTTP_API: http_api,
        Kind.REST_API: rest_api,
        Kind.FUNCTION_URL: function_url,
    }
    return modules[kind].PROVIDER_CLASS(clients)
