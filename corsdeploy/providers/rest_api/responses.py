"""Writing a user's method responses so that a failure never leaves the method without them.

AWS answers PutMethodResponse on an existing response with ConflictException and changes one in place
with UpdateMethodResponse's JSON-Patch operations; moto lacks the Update* operations and overwrites
on Put (facts §7.5). So each response is written with Put, and on AWS's conflict with the patch.
Each status is changed in steps that are valid on their own (declare the new headers, map them,
undeclare the old ones); when a step fails, the steps already taken are undone in reverse, so the
method ends as it was (or, when nothing failed, as asked).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol

from botocore.exceptions import ClientError

from corsdeploy.aws import error_code
from corsdeploy.errors import AwsError
from corsdeploy.model import frozen
from corsdeploy.providers.operations import Operation
from corsdeploy.providers.rest_api.operations import (
    DELETE_METHOD_RESPONSE,
    PUT_INTEGRATION_RESPONSE,
    PUT_METHOD_RESPONSE,
    UPDATE_INTEGRATION_RESPONSE,
    UPDATE_METHOD_RESPONSE,
)
from corsdeploy.providers.rest_api.wire import integration_response_fields, method_response_fields
from corsdeploy.services.rest_api.reconcile import StatusChange
from corsdeploy.services.rest_api.state import IntegrationResponse, MethodResponse

# The transient kind of ConflictException (retried by the client factory); any other conflict on a
# Put means "already exists", which the patch operation resolves.
CONCURRENT_MODIFICATION = "concurrent modification"

Undo = Callable[[], None]


def _pointer(key: str) -> str:
    """A map key as a JSON-Pointer segment (RFC 6901: `~` -> `~0`, `/` -> `~1`)."""
    return key.replace("~", "~0").replace("/", "~1")


def map_patch(field: str, before: Mapping[str, Any], after: Mapping[str, Any],
              render: Callable[[Any], str] = str) -> list[dict[str, str]]:
    """JSON-Patch operations that turn the map `before` into `after` under /field/."""
    ops = [{"op": "remove", "path": f"/{field}/{_pointer(k)}"} for k in sorted(set(before) - set(after))]
    for key in sorted(after):
        if key not in before or before[key] != after[key]:
            op = "add" if key not in before else "replace"
            ops.append({"op": op, "path": f"/{field}/{_pointer(key)}", "value": render(after[key])})
    return ops


def _scalar_patch(field: str, before: str | None, after: str | None) -> list[dict[str, str]]:
    if before == after:
        return []
    if after is None:
        return [{"op": "remove", "path": f"/{field}"}]
    return [{"op": "replace", "path": f"/{field}", "value": after}]


def method_response_patch(before: MethodResponse, after: MethodResponse) -> list[dict[str, str]]:
    def flag(required: Any) -> str:
        return "true" if required else "false"

    return (map_patch("responseParameters", before.parameters, after.parameters, flag)
            + map_patch("responseModels", before.models, after.models))


def integration_response_patch(
    before: IntegrationResponse, after: IntegrationResponse
) -> list[dict[str, str]]:
    return (map_patch("responseParameters", before.parameters, after.parameters)
            + map_patch("responseTemplates", before.templates, after.templates)
            + _scalar_patch("selectionPattern", before.selection_pattern, after.selection_pattern)
            + _scalar_patch("contentHandling", before.content_handling, after.content_handling))


def _union(before: MethodResponse | None, after: MethodResponse | None) -> MethodResponse | None:
    """A method response declaring what both declare: valid before and after the mapping changes."""
    if before is None or after is None:
        return after if before is None else before
    return replace(after, parameters=frozen({**before.parameters, **after.parameters}),
                   models=frozen({**before.models, **after.models}))


class Caller(Protocol):
    """What makes the calls (providers.calls.Calls, or a fake in tests)."""

    def call(self, operation: Operation, region: str | None = None, **params: Any) -> Any: ...


class ResponseWriter:
    """Changes statuses of one user's method through `calls`."""

    def __init__(self, calls: Caller, target: Mapping[str, str]) -> None:
        self._calls = calls
        self._target = dict(target)

    def apply(self, changes: Sequence[StatusChange]) -> None:
        """Make every change, or (raising the first error) none of them."""
        done: list[Undo] = []
        try:
            for change in changes:
                self._change(change, done)
        except (ClientError, AwsError):
            for undo in reversed(done):
                try:
                    undo()
                except (ClientError, AwsError):
                    break  # the original error is the one to report; what stays is what plan shows
            raise

    def _change(self, change: StatusChange, done: list[Undo]) -> None:
        old_mr, new_mr = change.before.method_response, change.after.method_response
        old_ir, new_ir = change.before.integration_response, change.after.integration_response
        both = _union(old_mr, new_mr)
        # Declare first, map second, undeclare last: every state in between is a valid method.
        self._step(done, lambda frm, to: self._method_response(change.status, frm, to), old_mr, both)
        self._step(done, lambda frm, to: self._integration_response(frm, to), old_ir, new_ir)
        self._step(done, lambda frm, to: self._method_response(change.status, frm, to), both, new_mr)

    @staticmethod
    def _step(done: list[Undo], write: Callable[[Any, Any], None], frm: Any, to: Any) -> None:
        if frm == to:
            return
        write(frm, to)
        done.append(lambda: write(to, frm))

    def _method_response(self, status: str, frm: MethodResponse | None, to: MethodResponse | None) -> None:
        if to is None:
            self._calls.call(DELETE_METHOD_RESPONSE, **self._target, statusCode=status)
            return
        patch = method_response_patch(frm or MethodResponse(status), to)
        self._put_or_patch(PUT_METHOD_RESPONSE, method_response_fields(to), frm is not None,
                           UPDATE_METHOD_RESPONSE, patch)

    def _integration_response(self, frm: IntegrationResponse, to: IntegrationResponse) -> None:
        self._put_or_patch(PUT_INTEGRATION_RESPONSE, integration_response_fields(to), True,
                           UPDATE_INTEGRATION_RESPONSE, integration_response_patch(frm, to))

    def _put_or_patch(self, put: Operation, fields: Mapping[str, Any], exists: bool, update: Operation,
                      patch: list[dict[str, str]]) -> None:
        try:
            self._calls.call(put, **self._target, **fields)
        except ClientError as error:
            if not (exists and _already_exists(error)):
                raise
            self._calls.call(update, **self._target, statusCode=fields["statusCode"], patchOperations=patch)


def _already_exists(error: ClientError) -> bool:
    message = str(error.response.get("Error", {}).get("Message", ""))
    return error_code(error) == "ConflictException" and CONCURRENT_MODIFICATION not in message.lower()
