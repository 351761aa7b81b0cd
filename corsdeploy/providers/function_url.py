"""Lambda function URLs: read and write the `Cors` of a function's (or an alias's) URL."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from corsdeploy.aws import NOT_AWS, error_code, translate
from corsdeploy.errors import AwsError, PlanError, Problem
from corsdeploy.model import Kind, Live, Resource
from corsdeploy.services.function_url import SERVICE, split_function_name

if TYPE_CHECKING:
    from corsdeploy.aws import Clients

READ_ACTION = "lambda:GetFunctionUrlConfig"
WRITE_ACTION = "lambda:UpdateFunctionUrlConfig"
# Lambda has no call that removes only the CORS: delete_function_url_config deletes the URL itself,
# and a new URL gets another address. `absent` updates the URL with this Cors instead. `Cors={}` clears
# it on AWS, after which GetFunctionUrlConfig omits `Cors` (facts §7.7; Terraform sends the same).
# Whether the other form, {"AllowCredentials": False}, also clears it is UNCONFIRMED (the acceptance
# suite settles it). moto 5.2.5 ignores `Cors={}` and keeps the old CORS.
NO_CORS: Mapping[str, Any] = {}


@dataclass(frozen=True)
class FunctionUrlHandle:
    """Which URL a resource names, and its address."""

    function_name: str
    qualifier: str | None
    url: str

    def params(self) -> dict[str, str]:
        return function_url_params(self.function_name, self.qualifier)


def function_url_params(function_name: str, qualifier: str | None) -> dict[str, str]:
    """FunctionName and, for an alias, Qualifier."""
    return {"FunctionName": function_name, **({"Qualifier": qualifier} if qualifier else {})}


class FunctionUrlProvider:
    """Reads and writes the CORS of Lambda function URLs; never creates or deletes a URL."""

    kind = Kind.FUNCTION_URL
    read_actions = (READ_ACTION,)
    write_actions = (WRITE_ACTION,)

    def __init__(self, clients: Clients) -> None:
        self._clients = clients

    def read(self, resource: Resource) -> Live:
        function_name, qualifier = split_function_name(resource.name)
        try:
            config = self._clients.client("lambda").get_function_url_config(
                **function_url_params(function_name, qualifier)
            )
        except ClientError as error:
            if error_code(error) == "ResourceNotFoundException":
                alias = f" (alias {qualifier!r})" if qualifier else ""
                message = (f"function {function_name!r}{alias} has no function URL, or does not exist "
                           f"({error.response['Error'].get('Message', '')})")
                raise PlanError(Problem(message, address=resource.address)) from error
            raise translate(error, READ_ACTION, resource.address) from error
        if "FunctionUrl" not in config:
            raise AwsError("InvalidResponse", f"{NOT_AWS} (it has no FunctionUrl)", resource.address)
        cors = config.get("Cors")
        return Live(
            address=resource.address,
            wire=dict(cors) if cors is not None and SERVICE.normalize(cors) is not None else None,
            handle=FunctionUrlHandle(function_name, qualifier, config["FunctionUrl"]),
        )

    def write(self, resource: Resource, live: Live, wire: Mapping[str, Any] | None) -> None:
        cors = dict(wire if wire is not None else NO_CORS)
        try:
            self._clients.client("lambda").update_function_url_config(**live.handle.params(), Cors=cors)
        except ClientError as error:
            raise translate(error, WRITE_ACTION, resource.address) from error


PROVIDER_CLASS = FunctionUrlProvider
