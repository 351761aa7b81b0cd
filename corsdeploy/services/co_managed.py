"""Whether another infrastructure-as-code tool also manages a resource, told by its tags.

Two owners of one whole-document configuration overwrite each other on every deploy, so corsdeploy
refuses to write such a resource unless its entry says `co_managed: true`.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from corsdeploy.errors import CorsdeployError, Problem
from corsdeploy.lint.plan_rules import CoManaged, CoManagementCheckedAtApply
from corsdeploy.lint.rule import tagged
from corsdeploy.model import Resource

# CloudFormation tags every resource it creates that can carry tags; CDK and SAM deploy through
# CloudFormation, so theirs carry these too (CDK's `aws:cdk:path` is template metadata, not a tag).
CLOUDFORMATION_STACK = "aws:cloudformation:stack-name"
CLOUDFORMATION_PREFIX = "aws:cloudformation:"
# SAM also tags what it generates: functions and HTTP APIs.
SAM_TAGS = ("lambda:createdBy", "httpapi:createdBy")
# HEURISTIC: Terraform and OpenTofu add no tag of their own. These are the conventions teams use in
# `default_tags`: a key naming the tool (`terraform`, `tf:workspace`, `terraform:module`), or a
# "managed by" style key whose value names an IaC tool. A team's own convention may differ.
_TOOL_KEYS = ("terraform", "tf:", "terraform:", "terraform_", "terraform-")
_MANAGER_KEYS = frozenset({"managedby", "managed_by", "managed-by", "provisioner", "provisionedby",
                           "provisioned_by", "provisioned-by", "createdby", "created_by", "created-by",
                           "iac", "deployedby", "deployed_by", "deployed-by"})
_TOOLS = {"terraform": "Terraform", "opentofu": "OpenTofu", "cdktf": "CDK for Terraform",
          "pulumi": "Pulumi", "cloudformation": "CloudFormation", "cdk": "AWS CDK", "sam": "AWS SAM"}

CO_MANAGED_KEY = "co_managed"
# The error code an apply result carries for a refused write.
CO_MANAGED_CODE = "CoManaged"
NOT_CHECKED_AT_PLAN = tagged(CoManagementCheckedAtApply, "whether another IaC tool also manages it is not "
                             "checked at plan: apply reads its tags just before writing")


def other_manager(tags: Mapping[str, str]) -> str | None:
    """Which other tool the tags say manages the resource, naming the tag; None when none says so."""
    if CLOUDFORMATION_STACK in tags:
        return f"CloudFormation stack {tags[CLOUDFORMATION_STACK]!r} (tag {CLOUDFORMATION_STACK})"
    for key in sorted(tags):
        if key.startswith(CLOUDFORMATION_PREFIX):
            return f"CloudFormation (tag {key})"
    for key in SAM_TAGS:
        if key in tags:
            return f"AWS SAM (tag {key}={tags[key]})"
    for key in sorted(tags):
        folded, value = key.lower(), str(tags[key]).lower()
        if folded == "terraform" or folded.startswith(_TOOL_KEYS):
            return f"Terraform (tag {key})"
        words = set(re.split(r"[^a-z0-9]+", value))
        tool = next((name for word, name in _TOOLS.items() if word in words), None)
        if folded in _MANAGER_KEYS and tool:
            return f"{tool} (tag {key}={tags[key]})"
    return None


def plan_warning(resource: Resource, manager: str | None) -> tuple[str, ...]:
    """What the plan says about another tool managing `resource` (nothing when none does)."""
    if manager is None:
        return ()
    if resource.co_managed:
        return (tagged(CoManaged, f"also managed by {manager}; written anyway ({CO_MANAGED_KEY}: true): "
                                  "that tool's next deployment may put back its own CORS"),)
    return (tagged(CoManaged, f"also managed by {manager}: apply will refuse to write it, since each tool "
                              f"would overwrite the other's CORS; set {CO_MANAGED_KEY}: true on this entry "
                              "to write it anyway"),)


def refuse_write(resource: Resource, manager: str | None) -> None:
    """Raise when another tool manages `resource` and its entry does not say `co_managed: true`."""
    if manager is None or resource.co_managed:
        return
    raise CorsdeployError(Problem(
        f"not written: also managed by {manager}, and each tool would overwrite the other's CORS; move "
        f"the CORS into one tool, or set {CO_MANAGED_KEY}: true on this entry to write it anyway",
        address=resource.address), code=CO_MANAGED_CODE)
