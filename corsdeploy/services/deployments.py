"""Whether a stage serves what corsdeploy last put in an API's draft (REST APIs, HTTP API `stage:`).

Decided from AWS alone, since CI runners keep no local state: deployments corsdeploy creates say so
in their description and name the configuration they snapshot by digest. Only AWS's ids and
whole-second creation times are compared, never a local clock.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Deployment:
    """One of an API's deployments, as GetDeployments lists it."""

    id: str
    description: str | None
    # Whole seconds since the epoch (the deployment's creation date); None if AWS gave none.
    created: int | None


def stage_is_current(served: str | None, deployments: Sequence[Deployment],
                     is_ours: Callable[[Deployment], bool], of_draft: Callable[[Deployment], bool]) -> bool:
    """Current when corsdeploy's newest deployment is of the draft and the stage serves it, or any
    deployment created at or after it (an application's pipeline redeploying carries the same CORS).

    Not current when corsdeploy never deployed the draft, or deployed another one since (the draft
    changed after that and its deployment never happened). Two of corsdeploy's deployments in one
    second (only on an emulator: AWS deploys once per 5 s) are told apart by the one served."""
    ours = [d for d in deployments if is_ours(d)]
    newest_time = max((_created(d) for d in ours), default=None)
    newest = [d for d in ours if _created(d) == newest_time]
    served_newest = next((d for d in newest if d.id == served), None)
    if served_newest is not None:
        return of_draft(served_newest)
    # A tie within one second with another draft is undecidable: pending costs one deployment,
    # current could hide one.
    if not newest or newest_time is None or newest_time < 0 or not all(of_draft(d) for d in newest):
        return False
    deployment = next((d for d in deployments if d.id == served), None)
    return deployment is not None and deployment.created is not None and deployment.created >= newest_time


def _created(deployment: Deployment) -> int:
    return deployment.created if deployment.created is not None else -1
