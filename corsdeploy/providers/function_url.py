"""Lambda function URLs: read and write the `Cors` of a function's (or an alias's) URL.

A read is one GetFunctionUrlConfig. Whether another IaC tool manages the function is read from its
tags at apply, once per URL written (ListTags), so plan stays at one call per URL.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from botocore.exceptions import ClientError

from corsdeploy.aws import NOT_AWS, error_code, translate
from corsdeploy.errors import AwsError, PlanError, Problem
from corsdeploy.model import Kind, Live, Resource
from corsdeploy.providers.calls import Calls
from corsdeploy.providers.operations import LAMBDA_FUNCTION, Grant, Operation, Phase, grants_of, render_arn
from corsdeploy.services.co_managed import NOT_CHECKED_AT_PLAN, other_manager, refuse_write
from corsdeploy.services.function_url import SERVICE, split_function_name

if TYPE_CHECKING:
    from corsdeploy.aws import Clients

GET_URL = Operation("lambda", "GetFunctionUrlConfig", "lambda:GetFunctionUrlConfig", LAMBDA_FUNCTION,
                    Phase.PLAN)
UPDATE_URL = Operation("lambda", "UpdateFunctionUrlConfig", "lambda:UpdateFunctionUrlConfig", LAMBDA_FUNCTION,
                       Phase.APPLY)
# Tags belong to the function, never to an alias: ListTags names the unqualified function ARN.
LIST_TAGS = Operation("lambda", "ListTags", "lambda:ListTags", "{Resource}", Phase.APPLY)
OPERATIONS = (GET_URL, UPDATE_URL, LIST_TAGS)
_UNQUALIFIED = "arn:{partition}:lambda:{region}:{account}:function:{FunctionName}"
# An ARN's parts up to the function name (arn:partition:lambda:region:account:function:name).
_FUNCTION_ARN_PARTS = 7

# Lambda has no call that removes only the CORS: delete_function_url_config deletes the URL itself,
# and a new URL gets another address. `absent` updates the URL with this Cors instead. `Cors={}` clears
# it on AWS, after which GetFunctionUrlConfig omits `Cors` (facts §7.7; Terraform sends the same).
# Whether the other form, {"AllowCredentials": False}, also clears it is UNCONFIRMED (the acceptance
# suite settles it). moto 5.2.5 ignores `Cors={}` and keeps the old CORS.
NO_CORS: Mapping[str, Any] = {}


@dataclass(frozen=True)
class FunctionUrlHandle:
    """Which URL a resource names, its address, and the function's ARN (without qualifier)."""

    function_name: str
    qualifier: str | None
    url: str
    function_arn: str

    def params(self) -> dict[str, str]:
        return function_url_params(self.function_name, self.qualifier)


def function_url_params(function_name: str, qualifier: str | None) -> dict[str, str]:
    """FunctionName and, for an alias, Qualifier."""
    return {"FunctionName": function_name, **({"Qualifier": qualifier} if qualifier else {})}


class FunctionUrlProvider:
    """Reads and writes the CORS of Lambda function URLs; never creates or deletes a URL."""

    kind = Kind.FUNCTION_URL
    operations: ClassVar[tuple[Operation, ...]] = OPERATIONS

    def __init__(self, clients: Clients) -> None:
        self._calls = Calls(clients, OPERATIONS)

    def read(self, resource: Resource) -> Live:
        function_name, qualifier = split_function_name(resource.name)
        try:
            config = self._calls.call(GET_URL, **function_url_params(function_name, qualifier))
        except ClientError as error:
            if error_code(error) == "ResourceNotFoundException":
                alias = f" (alias {qualifier!r})" if qualifier else ""
                message = (f"function {function_name!r}{alias} has no function URL, or does not exist "
                           f"({error.response['Error'].get('Message', '')})")
                raise PlanError(Problem(message, address=resource.address)) from error
            raise translate(error, GET_URL.action, resource.address) from error
        missing = [key for key in ("FunctionUrl", "FunctionArn") if key not in config]
        if missing:
            raise AwsError("InvalidResponse", f"{NOT_AWS} (it has no {', '.join(missing)})", resource.address)
        cors = config.get("Cors")
        wire = dict(cors) if cors is not None and SERVICE.normalize(cors) is not None else None
        function_arn = ":".join(str(config["FunctionArn"]).split(":")[:_FUNCTION_ARN_PARTS])
        changes = SERVICE.changes(resource, wire)
        return Live(
            address=resource.address,
            wire=wire,
            handle=FunctionUrlHandle(function_name, qualifier, config["FunctionUrl"], function_arn),
            warnings=(NOT_CHECKED_AT_PLAN,) if changes and not resource.co_managed else (),
        )

    def write(self, resource: Resource, live: Live, wire: Mapping[str, Any] | None) -> None:
        handle: FunctionUrlHandle = live.handle
        if not resource.co_managed:
            refuse_write(resource, other_manager(self._tags(resource, handle)))
        cors = dict(wire if wire is not None else NO_CORS)
        try:
            self._calls.call(UPDATE_URL, **handle.params(), Cors=cors)
        except ClientError as error:
            raise translate(error, UPDATE_URL.action, resource.address) from error

    def grants(self, resource: Resource, phases: Collection[Phase]) -> list[Grant]:
        function_name, qualifier = split_function_name(resource.name)
        found = grants_of([GET_URL, UPDATE_URL], phases, **function_url_params(function_name, qualifier))
        if not resource.co_managed:
            function_arn = render_arn(_UNQUALIFIED, self._calls.context(), {"FunctionName": function_name})
            found += grants_of([LIST_TAGS], phases, Resource=function_arn)
        return found

    def _tags(self, resource: Resource, handle: FunctionUrlHandle) -> Mapping[str, str]:
        try:
            reply = self._calls.call(LIST_TAGS, Resource=handle.function_arn)
        except ClientError as error:
            raise translate(error, LIST_TAGS.action, resource.address) from error
        tags: Mapping[str, str] = reply.get("Tags", {})
        return tags
