"""Least-privilege IAM policies, rendered from the operations providers declare (pure).

A policy names each resource ARN the environment's calls touch, one statement per IAM action, and
never a wildcard: every ARN comes from a declared pattern filled with a name from the file or an id
read from AWS. The README's permissions table is rendered here too, from the same declarations.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corsdeploy.providers.operations import ArnContext, Grant, Operation, Phase, Principal

POLICY_VERSION = "2012-10-17"
# A pattern that is one parameter: the call names the ARN itself (ListTags, AssumeRole).
_WHOLE_PARAMETER = re.compile(r"\{(\w+)\}")
# IAM counts a policy's characters without whitespace: at most 6,144 in a managed policy, 10,240 in
# all of a role's inline policies together.
MANAGED_POLICY_LIMIT = 6144
ROLE_INLINE_LIMIT = 10240


@dataclass(frozen=True)
class Permissions:
    """A policy document and what to tell its reader beside it (stderr)."""

    document: Mapping[str, Any]
    notes: tuple[str, ...] = ()


def policy(grants: Iterable[Grant], context: ArnContext) -> dict[str, Any]:
    """One Allow statement per IAM action, naming every resource ARN it is needed on, sorted."""
    resources: dict[str, set[str]] = {}
    for grant in grants:
        operation = grant.operation
        if operation.principal is Principal.WORKER:
            resources.setdefault(operation.action, set()).add(operation.arn(context, grant.params))
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {"Sid": _sid(action), "Effect": "Allow", "Action": action, "Resource": sorted(arns)}
            for action, arns in sorted(resources.items())
        ],
    }


def _sid(action: str) -> str:
    """`s3:GetBucketCORS` -> `S3GetBucketCORS` (a Sid is letters and digits)."""
    service, name = action.split(":", 1)
    return "".join(part[:1].upper() + part[1:] for part in (service, name) if part.isalnum())


def size(document: Mapping[str, Any]) -> int:
    """The document's length as IAM counts it (whitespace left out)."""
    return len(json.dumps(document, separators=(",", ":")))


def notes(document: Mapping[str, Any], assume_role: str | None,
          source_operations: Sequence[Operation]) -> tuple[str, ...]:
    """What the policy alone does not say: who else needs a permission, and whether IAM takes it whole."""
    found = []
    if assume_role:
        actions = ", ".join(op.action for op in source_operations)
        found.append(f"this policy is for {assume_role}; the identity that assumes it needs {actions} on it "
                     "(and the role's trust policy must allow that identity)")
    if not document["Statement"]:
        found.append("the environment names no resource, so it needs no permission")
    length = size(document)
    if length > MANAGED_POLICY_LIMIT:
        found.append(f"the policy is {length} characters long without whitespace: IAM takes at most "
                     f"{MANAGED_POLICY_LIMIT} in a managed policy and {ROLE_INLINE_LIMIT} in a role's "
                     "inline policies; split its statements over several policies")
    return tuple(found)


def table(operations: Mapping[str, Sequence[Operation]]) -> str:
    """The README's table: every operation corsdeploy may call, by kind, with its action and resource."""
    lines = ["| kind | operation | IAM action | resource | needed by |", "| --- | --- | --- | --- | --- |"]
    for kind, declared in operations.items():
        for op in declared:
            whole = _WHOLE_PARAMETER.fullmatch(op.resource)
            resource = (f"the ARN the call names (`{whole.group(1)}`)" if whole
                        else f"`{op.resource}`" if op.resource else "none")
            lines.append(f"| {kind} | {op.name} | `{op.action}` | {resource} | {_needed_by(op)} |")
    return "\n".join(lines)


def _needed_by(op: Operation) -> str:
    if op.principal is Principal.SOURCE:
        return "the identity that assumes `aws.assume_role`"
    if op.principal is Principal.ANYONE:
        return "nobody: always allowed"
    return "plan and apply" if op.phase is Phase.PLAN else "apply"
