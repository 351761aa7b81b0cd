"""The core operations the CLI calls: plan an environment, apply a plan. Imports boto3 (via
providers), so the CLI imports this lazily and offline commands stay fast."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from corsdeploy.apply import ApplyResult, Writer, apply_plan
from corsdeploy.aws import Clients
from corsdeploy.errors import CorsdeployError, Problem
from corsdeploy.live import providers_for, read_live
from corsdeploy.model import Environment, Kind, Live, Resource
from corsdeploy.plan import Plan, Target, make_plan
from corsdeploy.providers import Provider
from corsdeploy.state import BackupStore, new_apply_id


@dataclass(frozen=True)
class PlanRun:
    """A plan and everything it was computed from, so apply writes against the same reads."""

    environment: Environment
    resources: tuple[Resource, ...]
    lives: dict[str, Live]
    providers: dict[Kind, Provider]
    plan: Plan


def select_targets(environment: Environment, targets: Sequence[str]) -> tuple[Resource, ...]:
    """The resources `--target` names (all when none); an unknown address is an error."""
    if not targets:
        return environment.resources
    known = {r.address for r in environment.resources}
    unknown = [t for t in targets if t not in known]
    if unknown:
        listing = ", ".join(sorted(known)) or "none"
        raise CorsdeployError([
            Problem(f"--target {t}: no such resource in environment {environment.name!r} "
                    f"(addresses: {listing})")
            for t in unknown
        ])
    wanted = set(targets)
    return tuple(r for r in environment.resources if r.address in wanted)


def plan_environment(environment: Environment, targets: Sequence[str] = ()) -> PlanRun:
    resources = select_targets(environment, targets)
    clients = Clients(environment.aws, source=environment.path)
    # The account guard runs before any other call.
    identity = clients.check_account()
    providers = providers_for(resources, clients)
    lives = read_live(resources, providers)
    target = Target(identity.account, clients.region, clients.endpoints())
    plan = make_plan(environment.name, resources, lives, target)
    return PlanRun(environment, resources, lives, providers, plan)


def apply_run(run: PlanRun, backups: BackupStore | None = None) -> ApplyResult:
    writer = Writer(new_apply_id(), run.environment.name, backups or BackupStore(), run.providers)
    return apply_plan(run.plan, run.resources, run.lives, writer)
