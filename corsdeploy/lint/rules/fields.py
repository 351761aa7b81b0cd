"""Where a resource's CORS values are written: field names as each kind's file spells them, and the
paths below the entry that `Resource.location_of` resolves to file:line."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from corsdeploy.config.shown import quoted
from corsdeploy.model import CorsRule, Kind, Resource

Path = tuple[str | int, ...]

# Values in messages are cut to this many characters: long enough for a real origin (a bucket's
# regional endpoint), short enough that a hostile file cannot flood the report.
SHOWN_LIMIT = 120

# Model attribute -> the field name in an S3 CORSRule / in the `Cors` object (APIs, function URLs).
_S3_NAMES = {
    "allowed_origins": "AllowedOrigins",
    "allowed_methods": "AllowedMethods",
    "allowed_headers": "AllowedHeaders",
    "expose_headers": "ExposeHeaders",
    "max_age": "MaxAgeSeconds",
}
_CORS_NAMES = {
    "allowed_origins": "AllowOrigins",
    "allowed_methods": "AllowMethods",
    "allowed_headers": "AllowHeaders",
    "expose_headers": "ExposeHeaders",
    "max_age": "MaxAge",
    "allow_credentials": "AllowCredentials",
}

# Kinds whose origins may hold a `*` that matches like a glob. REST APIs compare origins exactly (and
# validate refuses a `*` inside one), so the wildcard rules mean nothing there.
WILDCARD_KINDS = frozenset({Kind.S3_BUCKET, Kind.HTTP_API, Kind.FUNCTION_URL})
# Kinds with an AllowCredentials switch (S3 has none: it answers credentials for every non-`*` match).
CREDENTIAL_KINDS = frozenset({Kind.HTTP_API, Kind.REST_API, Kind.FUNCTION_URL})


@dataclass(frozen=True)
class Written:
    """One value of a list field, with the field's name as the file spells it and its path."""

    value: str
    field: str
    path: Path


def shown(value: str) -> str:
    """A value as a message names it: quoted, escaped, cut to SHOWN_LIMIT."""
    return quoted(value, SHOWN_LIMIT)


def field_name(kind: Kind, attribute: str) -> str:
    """The file's name for a model attribute (`allowed_origins` -> AllowedOrigins on S3)."""
    return (_S3_NAMES if kind is Kind.S3_BUCKET else _CORS_NAMES)[attribute]


def rules(resource: Resource) -> Iterator[tuple[CorsRule, Path]]:
    """Each rule with its path: `("cors", i)` for S3's rule list, `("cors",)` for a `Cors` object."""
    if resource.cors is None:
        return
    if resource.kind is Kind.S3_BUCKET:
        yield from ((rule, ("cors", index)) for index, rule in enumerate(resource.cors.rules))
    else:
        yield from ((rule, ("cors",)) for rule in resource.cors.rules)


def field_path(resource: Resource, rule_path: Path, attribute: str) -> tuple[str, Path]:
    """A field's name and path within one rule."""
    name = field_name(resource.kind, attribute)
    return name, (*rule_path, name)


def values(resource: Resource, attribute: str) -> Iterator[tuple[CorsRule, Written]]:
    """Every value of a list field (`allowed_origins`, ...) in every rule, with where it is written."""
    for rule, rule_path in rules(resource):
        name, path = field_path(resource, rule_path, attribute)
        items: tuple[str, ...] = getattr(rule, attribute)
        for index, value in enumerate(items):
            yield rule, Written(value, name, (*path, index))


def origins(resource: Resource) -> Iterator[Written]:
    """Every AllowedOrigins / AllowOrigins entry of the resource."""
    return (written for _, written in values(resource, "allowed_origins"))
