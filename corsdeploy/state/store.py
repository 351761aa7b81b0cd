"""Where backups, history and locks are kept: a Store holds bytes by Key (a folder, or an S3 prefix)."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from corsdeploy.errors import CorsdeployError
from corsdeploy.state.names import Key


@dataclass(frozen=True)
class Stored:
    """A document as read, and its version: changes whenever the content does (S3's ETag, or a digest)."""

    data: bytes
    version: str


class StoreError(CorsdeployError):
    """The store refused a read or a write; `where` it was and `why` (the system's or AWS's reason)."""

    def __init__(self, doing: str, where: str, why: str, code: str | None = None) -> None:
        self.where, self.why = where, why
        super().__init__(f"the state store could not {doing} {where} ({why})", code=code)


class Store(Protocol):
    """Documents by key. Every write is durable when it returns; keys come only from `names`."""

    @property
    def location(self) -> str:
        """The store as a user reads it: `.corsdeploy` or `s3://bucket/prefix`."""
        ...

    def where(self, key: Key) -> str:
        """A key as a user reads it: a path, or an s3:// URL."""
        ...

    def put(self, key: Key, data: bytes) -> str:
        """Write (or replace) `key` durably; returns `where(key)`."""
        ...

    def create(self, key: Key, data: bytes) -> Stored | None:
        """Write `key` only if it does not exist, atomically (a lock); None when it already exists."""
        ...

    def get(self, key: Key) -> Stored | None:
        """The document, or None when there is none."""
        ...

    def delete(self, key: Key, version: str) -> bool:
        """Remove `key` only while it still holds `version`; False when it is gone or was replaced."""
        ...

    def names(self, folder: Key) -> tuple[str, ...]:
        """The names directly inside `folder`, sorted (none when it does not exist)."""
        ...


def encoded(document: Mapping[str, Any]) -> bytes:
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("utf-8")


def decoded(store: Store, key: Key, stored: Stored) -> dict[str, Any]:
    """A stored JSON object; anything else is an error that says where."""
    try:
        document = json.loads(stored.data)
    except (ValueError, RecursionError) as error:  # bad JSON or UTF-8, a 5,000-digit number, deep nesting
        raise StoreError("read", store.where(key), f"not JSON: {error}") from error
    if not isinstance(document, dict):
        raise StoreError("read", store.where(key), "not a JSON object")
    return document


def put_json(store: Store, key: Key, document: Mapping[str, Any]) -> str:
    return store.put(key, encoded(document))


def get_json(store: Store, key: Key) -> dict[str, Any] | None:
    stored = store.get(key)
    return None if stored is None else decoded(store, key, stored)
