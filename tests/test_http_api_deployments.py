"""Whether an HTTP API stage without auto-deploy serves the live CORS, decided on plain tables from
what AWS lists (the stage's DeploymentId, the API's deployments), never from a local clock."""
from __future__ import annotations

from typing import Any

import pytest

from corsdeploy.services import digest
from corsdeploy.services.http_api import (
    SERVICE,
    Deployment,
    Stage,
    deployment_description,
    deployment_pending,
)

LIVE = {"AllowOrigins": ["https://app.example.com"], "AllowHeaders": ["content-type"]}
EARLIER = {"AllowOrigins": ["https://old.example.com"]}
# Someone else's description naming the live CORS's digest, without corsdeploy's prefix.
LOOKALIKE = "corsdeploy-ish " + digest(SERVICE.normalize(LIVE))[:20]


def ours(deployment_id: str, cors: dict[str, Any] | None, created: int | None) -> Deployment:
    """A deployment corsdeploy made of `cors`, described the way the provider describes it."""
    return Deployment(deployment_id, deployment_description(cors), created)


def theirs(deployment_id: str, created: int | None, description: str | None = None) -> Deployment:
    """A deployment made by someone else (an application's pipeline, the console)."""
    return Deployment(deployment_id, description, created)


def pending(serving: str | None, *deployments: Deployment) -> str | None:
    return deployment_pending(Stage("prod", False, serving), deployments, LIVE)


def test_the_description_names_corsdeploy_and_the_digest_of_the_normalized_cors() -> None:
    description = deployment_description(LIVE)
    assert description.startswith("corsdeploy")
    assert digest(SERVICE.normalize(LIVE))[:20] in description


def test_equivalent_spellings_have_one_description() -> None:
    respelled = {"AllowOrigins": ["https://APP.example.com"], "AllowHeaders": ["Content-Type"], "MaxAge": 0}
    assert deployment_description(respelled) == deployment_description(LIVE)
    assert deployment_description(EARLIER) != deployment_description(LIVE)
    assert deployment_description(None) != deployment_description({})  # absent is not empty CORS (§7.3)


@pytest.mark.parametrize(("serving", "deployments"), [
    ("d2", [ours("d1", EARLIER, 100), ours("d2", LIVE, 200)]),         # corsdeploy's own deployment
    ("p1", [ours("d2", LIVE, 200), theirs("p1", 300)]),                # a pipeline redeployed since
    ("p1", [ours("d2", LIVE, 200), theirs("p1", 200)]),                # in the same (whole) second
    ("d2", [ours("d2", LIVE, None)]),                                  # served by id: no time needed
    ("p1", [ours("d1", LIVE, 100), ours("d2", LIVE, 200), theirs("p1", 250)]),
    # Served by id among corsdeploy's newest (a tie in one second): its description names its CORS.
    ("d1", [ours("d1", LIVE, 200), ours("d2", EARLIER, 200)]),
])
def test_current(serving: str, deployments: list[Deployment]) -> None:
    assert pending(serving, *deployments) is None


@pytest.mark.parametrize(("serving", "deployments", "reason"), [
    # UpdateApi succeeded, CreateDeployment failed: the stage serves corsdeploy's earlier deployment.
    ("d1", [ours("d1", EARLIER, 100)], "not of the live CORS"),
    # Never deployed by corsdeploy: deployed once to adopt it.
    ("p1", [theirs("p1", 100)], "not of the live CORS"),
    ("p1", [theirs("p1", 100, LOOKALIKE)], "not of the live CORS"),
    (None, [], "not of the live CORS"),
    # Deployments from before descriptions carried a digest.
    ("d0", [Deployment("d0", "corsdeploy: CORS changed", 100)], "not of the live CORS"),
    # The stage serves a deployment older than corsdeploy's of the live CORS.
    ("p1", [theirs("p1", 100), ours("d2", LIVE, 200)], "or a later one"),
    # The stage serves nothing, or a deployment AWS no longer lists, or one without a time.
    (None, [ours("d2", LIVE, 200)], "or a later one"),
    ("gone", [ours("d2", LIVE, 200)], "or a later one"),
    ("p1", [ours("d2", LIVE, 200), theirs("p1", None)], "or a later one"),
    # corsdeploy deployed other CORS after its deployment of the live CORS, then the draft went back
    # to the live CORS without a deployment: the pipeline's deployment may predate that change.
    ("p1", [ours("d1", LIVE, 100), ours("d2", EARLIER, 200), theirs("p1", 300)], "not of the live CORS"),
    # Two of corsdeploy's deployments in one second: which came last is unknown to a pipeline's.
    ("p1", [ours("d1", LIVE, 200), ours("d2", EARLIER, 200), theirs("p1", 300)], "not of the live CORS"),
    # The stage serves corsdeploy's deployment of other CORS in the same second as that of the live CORS.
    ("d2", [ours("d1", LIVE, 200), ours("d2", EARLIER, 200)], "not of the live CORS"),
])
def test_pending(serving: str | None, deployments: list[Deployment], reason: str) -> None:
    message = pending(serving, *deployments)
    assert message is not None and message.startswith("stage 'prod' ")
    assert reason in message and "\n" not in message


def test_the_stage_is_compared_with_the_live_cors_not_the_file() -> None:
    deployments = (ours("d1", EARLIER, 100),)
    assert deployment_pending(Stage("prod", False, "d1"), deployments, EARLIER) is None
    assert deployment_pending(Stage("prod", False, "d1"), deployments, LIVE) is not None


def test_absent_cors_has_deployments_of_its_own() -> None:
    assert deployment_pending(Stage("prod", False, "d1"), (ours("d1", None, 100),), None) is None
    assert deployment_pending(Stage("prod", False, "d1"), (ours("d1", LIVE, 100),), None) is not None
