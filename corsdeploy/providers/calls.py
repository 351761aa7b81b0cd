"""The one path from a provider to AWS: every call names the declared Operation it makes.

A provider holds a `Calls` built from its own `OPERATIONS`; an operation it did not declare is
refused before anything is sent, so the policy `permissions` prints cannot miss a call. Every call,
and every page of a listing, is retried here (corsdeploy.providers.retry, the client's policy);
when a transport fault outlasts the retries it becomes one AwsError, translated here once.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from botocore import xform_name

from corsdeploy.aws import TRANSPORT_ERRORS, Clients, translate
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
        """One call, retried; AWS's refusals (ClientError) propagate for the provider to interpret."""
        client = self._client(operation, region)
        method = getattr(client, xform_name(operation.name))
        with declared(operation), self._transport_faults_translated(operation):
            return self._clients.retry.run(lambda: method(**params))

    def pages(self, operation: Operation, page_size: int | None = None,
              **params: Any) -> list[Mapping[str, Any]]:
        """Every page of a listing, each page retried on its own (a fault on page 20 does not start
        the listing over)."""
        client = self._client(operation, None)
        paginator = client.get_paginator(xform_name(operation.name))
        # The paginator's one way to send a page (botocore.paginate.Paginator keeps no public hook).
        send_page = paginator._method
        retry = self._clients.retry
        paginator._method = lambda **page_params: retry.run(lambda: send_page(**page_params))
        paging = {"PaginationConfig": {"PageSize": page_size}} if page_size else {}
        with declared(operation), self._transport_faults_translated(operation):
            return list(paginator.paginate(**params, **paging))

    def items(self, operation: Operation, key: str, page_size: int | None = None,
              **params: Any) -> list[Mapping[str, Any]]:
        """Every item (under `key`) of a listing, all pages."""
        return [item for page in self.pages(operation, page_size, **params) for item in page.get(key, [])]

    def context(self) -> ArnContext:
        """What the ARNs of this environment's calls are made of (no AWS call until an account is needed)."""
        return ArnContext(self._clients.partition, self._clients.region, self._clients.account)

    @staticmethod
    @contextmanager
    def _transport_faults_translated(operation: Operation) -> Iterator[None]:
        """The network, or an endpoint that is not AWS, after the retries: one line naming the call
        (the caller adds the resource's address)."""
        try:
            yield
        except TRANSPORT_ERRORS as error:
            raise translate(error, operation.action) from error

    def _client(self, operation: Operation, region: str | None) -> Any:
        if operation not in self._declared:
            raise UndeclaredOperation(f"{operation.service}:{operation.name} is not declared by the provider")
        if self._clients.settings.account_id:
            self._clients.check_account()  # asked once; before any other call
        return self._clients.client(operation.service, region)
