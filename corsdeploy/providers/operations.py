"""Every AWS call corsdeploy makes, declared once as data: the API operation, the IAM action that
authorises it and the ARN of the resource IAM checks it against.

Providers reach AWS only through `providers.calls.Calls`, which takes one of these; `permissions`
renders the same patterns into a least-privilege policy, and a meta-test checks every real call
against both. Pure: importing this loads no AWS code.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Phase(StrEnum):
    """When a call happens: `plan` (plan and apply both read) or `apply` (writes, and what only a
    write needs to know first)."""

    PLAN = "plan"
    APPLY = "apply"


class Principal(StrEnum):
    """Whose policy must allow the action."""

    # The identity corsdeploy works as: the assumed role, or the caller when no role is assumed.
    WORKER = "worker"
    # The identity that assumes `aws.assume_role` (it needs sts:AssumeRole on the role).
    SOURCE = "source"
    # Nobody: AWS allows the call whatever the policies say (sts:GetCallerIdentity).
    ANYONE = "anyone"


# `{Name}` is a call parameter (or partition, region, account); `{:Name}` is ":" and the parameter
# when the call passes it, nothing otherwise (a Lambda qualifier).
_PLACEHOLDER = re.compile(r"\{(:?)(\w+)\}")


@dataclass(frozen=True)
class ArnContext:
    """What an ARN needs beyond the call's parameters. `account` is asked only when a pattern uses it
    (Lambda ARNs), so environments without function URLs never need the caller's identity."""

    partition: str
    region: str
    account: Callable[[], str]


@dataclass(frozen=True)
class Operation:
    """One AWS API operation as corsdeploy calls it."""

    service: str  # the boto3 client name
    name: str  # the API operation, as botocore names it (GetBucketCors)
    action: str  # the IAM action that authorises it (s3:GetBucketCORS)
    resource: str  # the ARN IAM checks, with placeholders filled from the call's parameters
    phase: Phase
    principal: Principal = Principal.WORKER

    def arn(self, context: ArnContext, params: Mapping[str, Any]) -> str:
        """The resource ARN of one call with these parameters."""
        return render_arn(self.resource, context, params)


def render_arn(pattern: str, context: ArnContext, params: Mapping[str, Any]) -> str:
    """`pattern` with its placeholders filled."""
    def fill(match: re.Match[str]) -> str:
        optional, name = match.group(1), match.group(2)
        if name == "partition":
            return context.partition
        if name == "region":
            return context.region
        if name == "account":
            return context.account()
        if optional:
            return f":{params[name]}" if params.get(name) else ""
        return str(params[name])

    return _PLACEHOLDER.sub(fill, pattern)


@dataclass(frozen=True)
class Grant:
    """One operation a resource needs, with the parameters that name its resource."""

    operation: Operation
    params: Mapping[str, str]


# --- declared calls, as they happen (the meta-test reads this) ------------------------------------

_in_progress = threading.local()


@contextmanager
def declared(operation: Operation) -> Iterator[None]:
    """Mark `operation` as the call this thread is making (calls can nest: a paced API Gateway call
    may first ask STS who the caller is)."""
    stack: list[Operation] = _in_progress.__dict__.setdefault("stack", [])
    stack.append(operation)
    try:
        yield
    finally:
        stack.pop()


def current() -> Operation | None:
    """The declared operation this thread is calling, if any."""
    stack: list[Operation] = _in_progress.__dict__.get("stack", [])
    return stack[-1] if stack else None


# --- ARN patterns ---------------------------------------------------------------------------------

S3_BUCKET = "arn:{partition}:s3:::{Bucket}"
# A function, or its alias (a URL's Qualifier): Lambda checks the ARN the call names.
LAMBDA_FUNCTION = "arn:{partition}:lambda:{region}:{account}:function:{FunctionName}{:Qualifier}"
APIGATEWAY = "arn:{partition}:apigateway:{region}::"


def grants_of(operations: Iterable[Operation], phases: Collection[Phase], **params: str) -> list[Grant]:
    """The grants for `operations` that run in `phases`, all on the resource `params` name."""
    return [Grant(operation, params) for operation in operations if operation.phase in phases]
