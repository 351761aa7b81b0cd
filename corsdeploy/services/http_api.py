"""API Gateway HTTP APIs: the `Cors` object (CorsConfiguration) and how the service compares it."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corsdeploy.errors import PlanError, Problem
from corsdeploy.lint.plan_rules import StageNotAutoDeployed, StageSettingNotNeeded
from corsdeploy.lint.rule import tagged
from corsdeploy.model import Kind, Live, Resource
from corsdeploy.services import digest
from corsdeploy.services.deployments import Deployment, stage_is_current
from corsdeploy.shapes import rule_to_cors

# How each list field of the `Cors` object is folded before comparing it as a set.
CaseFolds = Mapping[str, Callable[[str], str]]

# HTTP APIs lowercase header names on read; methods and origins are matched case-insensitively
# (Terraform's practice; whether the service also rewrites their case on read is UNCONFIRMED).
HTTP_API_FOLDS: CaseFolds = {
    "AllowHeaders": str.lower,
    "ExposeHeaders": str.lower,
    "AllowMethods": str.upper,
    "AllowOrigins": str.lower,
}


def normalize_cors(
    wire: Mapping[str, Any] | None, folds: CaseFolds, *, empty_is_cors: bool
) -> dict[str, Any] | None:
    """The `Cors` object as sorted case-folded sets with unset = false/0; None for no configuration
    (and, unless `empty_is_cors`, for one whose fields are all empty)."""
    if wire is None:
        return None
    value: dict[str, Any] = {
        field: sorted({fold(item) for item in wire.get(field) or ()}) for field, fold in folds.items()
    }
    value["AllowCredentials"] = bool(wire.get("AllowCredentials") or False)
    value["MaxAge"] = int(wire.get("MaxAge") or 0)
    if not empty_is_cors and not any(value.values()):
        return None
    return dict(sorted(value.items()))


def complete_cors(wire: Mapping[str, Any]) -> dict[str, Any]:
    """All six fields, `[]`/false/0 for unset: UpdateApi keeps any field a request leaves out (§7.2)."""
    return {**{field: [] for field in HTTP_API_FOLDS}, "AllowCredentials": False, "MaxAge": 0, **wire}


@dataclass(frozen=True)
class CorsObjectService:
    """A service configured by AWS's `Cors` object (HTTP APIs, function URLs); they differ only in
    which lists the service compares without regard to case, and in whether an empty object is CORS."""

    kind: Kind
    folds: CaseFolds
    # HTTP APIs: a present but empty CorsConfiguration is still CORS (facts §7.3); function URLs:
    # `Cors` absent is the same as `{}` (§4.4).
    empty_is_cors: bool

    def desired(self, resource: Resource, live: Live | None = None) -> Mapping[str, Any] | None:
        """The file's `Cors` object in the user's spelling; None for `absent` (or, where an empty
        object is no CORS, for one configuring nothing)."""
        if resource.cors is None:
            return None
        wire = rule_to_cors(resource.cors)
        return wire if self.normalize(wire) is not None else None

    def normalize(self, wire: Mapping[str, Any] | None) -> dict[str, Any] | None:
        return normalize_cors(wire, self.folds, empty_is_cors=self.empty_is_cors)

    def changes(self, resource: Resource, wire: Mapping[str, Any] | None) -> bool:
        """Whether the resource asks for other CORS than the live `wire`."""
        return self.normalize(wire) != self.normalize(self.desired(resource))


SERVICE = CorsObjectService(Kind.HTTP_API, HTTP_API_FOLDS, empty_is_cors=True)


@dataclass(frozen=True)
class Stage:
    """An HTTP API stage as far as CORS cares: one without auto-deploy serves its last deployment."""

    name: str
    auto_deploy: bool
    # The deployment it serves (GetStages' DeploymentId); None if it was never deployed.
    deployment: str | None = None


# Deployments corsdeploy creates start with this and name the CORS they snapshot by digest.
DEPLOYMENT_PREFIX = "corsdeploy:"


def cors_digest(wire: Mapping[str, Any] | None) -> str:
    """A short digest of the normalized CORS (equivalent spellings share it; absent is not `{}`)."""
    return digest(SERVICE.normalize(wire))[:20]


def deployment_description(wire: Mapping[str, Any] | None) -> str:
    """The description of a deployment corsdeploy makes after writing `wire` to the API."""
    return f"{DEPLOYMENT_PREFIX} CORS {cors_digest(wire)}"


def deployment_pending(
    stage: Stage, deployments: Sequence[Deployment], wire: Mapping[str, Any] | None
) -> str | None:
    """Why `stage` may not serve the live CORS `wire` (one line), or None when it does."""
    description = deployment_description(wire)
    if stage_is_current(stage.deployment, deployments, _is_ours, lambda d: d.description == description):
        return None
    ours = [d for d in deployments if _is_ours(d)]
    newest_time = max((d.created or 0 for d in ours), default=None)
    served = next((d for d in ours if d.id == stage.deployment), None)
    if (served is not None and served.description != description) or newest_time is None or any(
            d.description != description for d in ours if (d.created or 0) == newest_time):
        return (f"stage {stage.name!r} may serve other CORS than the API's: corsdeploy's latest "
                f"deployment of this API (if any) is not of the live CORS: apply deploys the stage")
    return (f"stage {stage.name!r} does not serve corsdeploy's deployment of the live CORS or a later one: "
            f"it serves older CORS until apply deploys it")


def _is_ours(deployment: Deployment) -> bool:
    return (deployment.description or "").startswith(DEPLOYMENT_PREFIX)


def stage_to_deploy(resource: Resource, stages: Sequence[Stage]) -> str | None:
    """The stage named by `stage:` when corsdeploy must deploy it after a change; PlanError if missing."""
    wanted = resource.settings.get("stage")
    if not wanted:
        return None
    stage = next((stage for stage in stages if stage.name == wanted), None)
    if stage is None:
        there = ", ".join(repr(stage.name) for stage in stages) or "none"
        message = f"`stage:` {wanted!r} is not a stage of this HTTP API (its stages: {there})"
        raise PlanError(Problem(message, location=resource.location_of("stage"), address=resource.address))
    return None if stage.auto_deploy else stage.name


def stage_warnings(resource: Resource, stages: Sequence[Stage], changes: bool) -> tuple[str, ...]:
    """A warning for each stage that will not serve a CORS change, and for a `stage:` not needed."""
    wanted = resource.settings.get("stage")
    warnings = [
        tagged(StageSettingNotNeeded, f"stage {stage.name!r} deploys automatically: `stage: {stage.name}` "
               "is not needed, and corsdeploy creates no deployment for it")
        for stage in stages if stage.name == wanted and stage.auto_deploy
    ]
    if changes:
        fix = (f"`stage:` names {wanted!r}, so deploy this one yourself (or name it in `stage:`)" if wanted
               else "set `stage: <name>` to have corsdeploy deploy it after a change")
        warnings.extend(
            tagged(StageNotAutoDeployed, f"stage {stage.name!r} does not deploy automatically: it serves the "
                   f"old CORS until the API is deployed to it; {fix}")
            for stage in stages if not stage.auto_deploy and stage.name != wanted
        )
    return tuple(warnings)
