"""The one canonical CORS model: what a file asks for, independent of any AWS service's wire shape."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class Kind(StrEnum):
    """The AWS surfaces corsdeploy manages; the value is the address prefix."""

    S3_BUCKET = "s3_bucket"
    HTTP_API = "http_api"
    REST_API = "rest_api"
    FUNCTION_URL = "function_url"

    @property
    def section(self) -> str:
        """The top-level key of an environment file that lists resources of this kind."""
        return _SECTIONS[self]

    @classmethod
    def from_section(cls, section: str) -> Kind:
        return {v: k for k, v in _SECTIONS.items()}[section]


_SECTIONS = {
    Kind.S3_BUCKET: "s3_buckets",
    Kind.HTTP_API: "http_apis",
    Kind.REST_API: "rest_apis",
    Kind.FUNCTION_URL: "function_urls",
}


@dataclass(frozen=True)
class Location:
    """A position in a source file (1-based line and column)."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class CorsRule:
    """One CORS rule, kept in the user's spelling and order (writes send it back verbatim).

    S3 fills `id` and never `allow_credentials` (S3 has no such field); the other services have a
    single rule with no `id`.
    """

    allowed_origins: tuple[str, ...]
    allowed_methods: tuple[str, ...]
    allowed_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool | None = None
    id: str | None = None


@dataclass(frozen=True)
class CorsConfig:
    """A whole CORS configuration. S3 evaluates `rules` in order, first match wins."""

    rules: tuple[CorsRule, ...]


def frozen(mapping: Mapping[Any, Any] | None = None) -> Mapping[Any, Any]:
    """A read-only mapping (frozen dataclasses should not hold mutable dicts)."""
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Resource:
    """One resource an environment file names, with the CORS it should have (`None` = absent)."""

    kind: Kind
    name: str
    cors: CorsConfig | None
    location: Location
    # Kind-specific settings: `id` (APIs), `stage` (REST APIs, and optionally HTTP APIs),
    # `resources`, `gateway_responses`, `adopt_preflights` (REST APIs).
    settings: Mapping[str, Any] = field(default_factory=frozen)
    lint_ignore: Mapping[str, str] = field(default_factory=frozen)
    # Where each field of the entry was written, keyed by its path below the entry
    # (e.g. ("cors", 0, "AllowedMethods", 1)); used by lint and check for file:line.
    field_locations: Mapping[tuple[str | int, ...], Location] = field(default_factory=frozen)
    # `co_managed: true`: another IaC tool also manages the resource, and corsdeploy writes it anyway.
    co_managed: bool = False
    # `public: true`: the data is public, so lint allows `*` origins here.
    public: bool = False

    @property
    def address(self) -> str:
        return f"{self.kind.value}.{self.name}"

    def location_of(self, *path: str | int) -> Location:
        """The closest recorded location for a field path, falling back to the entry itself."""
        while path:
            if path in self.field_locations:
                return self.field_locations[path]
            path = path[:-1]
        return self.location


# Concurrent AWS calls (`--parallelism`). S3 and Lambda have no fixed control-plane quotas and a
# call mostly waits on the network: at 100 ms per call, 64 threads read buckets twice as fast as 32
# and as fast as 128 (one core's worth of botocore, about 1.6 ms CPU a call, is the ceiling). API
# Gateway is paced to its quotas whatever the number.
DEFAULT_PARALLELISM = 64
# More threads than this only cost memory: the ceiling above is reached long before.
MAX_PARALLELISM = 256


@dataclass(frozen=True)
class AwsSettings:
    """The `aws` block; every field falls back to boto3's usual chain when unset."""

    account_id: str | None = None
    region: str | None = None
    profile: str | None = None
    assume_role: str | None = None
    endpoint_url: str | None = None
    # Concurrent AWS calls of this run (`--parallelism`; never from a file, never in a saved plan).
    parallelism: int | None = field(default=None, compare=False)
    # Where each field was written (`endpoint_url` -> file:line:col), for errors about its value.
    locations: Mapping[str, Location] = field(default_factory=frozen, compare=False)


@dataclass(frozen=True)
class Environment:
    """A fully loaded environment: files merged, variables resolved, policies expanded, validated."""

    name: str
    path: str
    aws: AwsSettings
    resources: tuple[Resource, ...]
    state: str | None = None
    # Where `state:` was written, for errors about its value.
    state_location: Location | None = field(default=None, compare=False)
    # `lint: production:` as written; None means "decide from the name" (see lint).
    production: bool | None = None

    def resource(self, address: str) -> Resource | None:
        return next((r for r in self.resources if r.address == address), None)


@dataclass(frozen=True)
class Live:
    """What a provider read for one resource.

    `wire` is the live CORS in the service's own shape (plan JSON `before`); `None` means none.
    `handle` carries provider-private facts the write needs (resolved id, region, API structure).
    `backup` is what must be saved to put the resource back exactly as it was, where the plan view
    `wire` is not enough (REST APIs); None means `wire` is.
    `pending_deployment` says in one line why what the resource serves may lag `wire` (a stage not
    yet deployed); the plan then shows a change even when the CORS is equal. None: nothing pending.
    `identity` names the live resource the address resolved to (an API's id), so two addresses
    resolving to one are caught; None where the address alone identifies it.
    """

    address: str
    wire: Mapping[str, Any] | None
    handle: Any = None
    warnings: tuple[str, ...] = ()
    backup: Mapping[str, Any] | None = None
    pending_deployment: str | None = None
    identity: str | None = None

    @property
    def backup_document(self) -> Mapping[str, Any] | None:
        """What a backup of this resource holds before it is overwritten."""
        return self.backup if self.backup is not None else self.wire
