"""The one path from a provider to AWS: every call names the declared Operation it makes.

A provider holds a `Calls` built from its own `OPERATIONS`; an operation it did not declare is
refused before anything is sent, so the policy `permissions` prints cannot miss a call.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from botocore import xform_name

from corsdeploy.aws import Clients
from corsdeploy.providers.operations import ArnContext, Operation, declared


class UndeclaredOperation(Exception):
    """A provider called an operation missing from its declarations: a bug, not a user's problem."""


class Calls:
    """Declared calls through one environment's `Clients`; with `aws.account_id` set, the account guard
    runs before the first."""

    def __init__(self, clients: Clients, operations: Iterable[Operation]) -> None:
        self._clients = clients
        self._declared = frozenset(operations)

    def call(self, operation: Operation, region: str | None = None, **params: Any) -> Any:
        """One call; botocore's exceptions propagate for the provider to interpret."""
        client = self._client(operation, region)
        with declared(operation):
            return getattr(client, xform_name(operation.name))(**params)

    def pages(self, operation: Operation, page_size: int | None = None,
              **params: Any) -> list[Mapping[str, Any]]:
        """Every page of a listing."""
        client = self._client(operation, None)
        paging = {"PaginationConfig": {"PageSize": page_size}} if page_size else {}
        with declared(operation):
            return list(client.get_paginator(xform_name(operation.name)).paginate(**params, **paging))

    def items(self, operation: Operation, key: str, page_size: int | None = None,
              **params: Any) -> list[Mapping[str, Any]]:
        """Every item (under `key`) of a listing, all pages."""
        return [item for page in self.pages(operation, page_size, **params) for item in page.get(key, [])]

    def context(self) -> ArnContext:
        """What the ARNs of this environment's calls are made of (no AWS call until an account is needed)."""
        return ArnContext(self._clients.partition, self._clients.region, self._clients.account)

    def _client(self, operation: Operation, region: str | None) -> Any:
        if operation not in self._declared:
            raise UndeclaredOperation(f"{operation.service}:{operation.name} is not declared by the provider")
        if self._clients.settings.account_id:
            self._clients.check_account()  # asked once; before any other call
        return self._clients.client(operation.service, region)
