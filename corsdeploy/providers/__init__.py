"""One module per AWS surface: read, write and delete CORS, translating to and from the service's
wire shape. The only code that talks to AWS (through the injected `Clients`, by declared operations)."""
from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from corsdeploy.model import Kind, Live, Resource
from corsdeploy.providers.operations import Grant, Operation, Phase

if TYPE_CHECKING:
    from corsdeploy.aws import Clients


class Provider(Protocol):
    kind: Kind
    # Every AWS call the provider makes, declared as data (corsdeploy.providers.operations).
    operations: ClassVar[tuple[Operation, ...]]

    def read(self, resource: Resource) -> Live:
        """One resource's live CORS. Raises PlanError (missing, ambiguous, not ours) or AwsError."""
        ...

    def write(self, resource: Resource, live: Live, wire: Mapping[str, Any] | None) -> None:
        """Make live match `wire` (the service's shape; None removes the CORS configuration)."""
        ...

    def grants(self, resource: Resource, phases: Collection[Phase]) -> list[Grant]:
        """Every operation (with the parameters that name its resource) the provider may call for
        `resource` in these phases; it reads AWS only for what the file does not say (an API's id)."""
        ...


@runtime_checkable
class Restorable(Protocol):
    """A provider whose backups are documents it puts back itself (REST APIs: every method, response
    and gateway response corsdeploy touched, as AWS returned it)."""

    def restore(self, resource: Resource, live: Live, backup: Mapping[str, Any]) -> None:
        """Put back exactly what `backup` (a Live.backup of this resource) held."""
        ...


class ProviderClass(Protocol):
    """A provider's class: its declarations, readable without building one."""

    operations: tuple[Operation, ...]

    def __call__(self, clients: Clients) -> Provider: ...


# Imported on demand: a command touching one kind never loads the others' modules.
def _s3() -> ProviderClass:
    from corsdeploy.providers.s3 import S3Provider

    return S3Provider


def _http_api() -> ProviderClass:
    from corsdeploy.providers.http_api import HttpApiProvider

    return HttpApiProvider


def _rest_api() -> ProviderClass:
    from corsdeploy.providers.rest_api import RestApiProvider

    return RestApiProvider


def _function_url() -> ProviderClass:
    from corsdeploy.providers.function_url import FunctionUrlProvider

    return FunctionUrlProvider


PROVIDERS: Mapping[Kind, Callable[[], ProviderClass]] = {
    Kind.S3_BUCKET: _s3,
    Kind.HTTP_API: _http_api,
    Kind.REST_API: _rest_api,
    Kind.FUNCTION_URL: _function_url,
}


def provider_for(kind: Kind, clients: Clients) -> Provider:
    return PROVIDERS[kind]()(clients)


def operations_of(kind: Kind) -> tuple[Operation, ...]:
    """Every operation the provider of `kind` may call."""
    return PROVIDERS[kind]().operations
