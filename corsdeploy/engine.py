"""The core operations the CLI calls: plan an environment, apply a plan. Imports boto3 (via
providers), so the CLI imports this lazily and offline commands stay fast."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from corsdeploy.apply import ApplyResult, Writer, apply_plan
from corsdeploy.aws import OPERATIONS as STS_OPERATIONS
from corsdeploy.aws import Clients
from corsdeploy.errors import CorsdeployError, Problem
from corsdeploy.live import providers_for, read_live
from corsdeploy.model import Environment, Kind, Live, Resource
from corsdeploy.permissions import Permissions, notes, policy
from corsdeploy.plan import Plan, Target, make_plan
from corsdeploy.providers import Provider
from corsdeploy.providers.operations import ArnContext, Grant, Phase, Principal
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


def environment_permissions(environment: Environment, read_only: bool = False) -> Permissions:
    """The least-privilege policy plan (`read_only`) or apply and rollback need for the environment's
    resources. Reads AWS only for what the file does not say: an API's id when it is named by name, a
    REST API's resources for its writes, and the account (sts) for Lambda ARNs without aws.account_id."""
    clients = Clients(environment.aws, source=environment.path)
    phases = (Phase.PLAN,) if read_only else (Phase.PLAN, Phase.APPLY)
    providers = providers_for(environment.resources, clients)
    grants: list[Grant] = []
    problems: list[Problem] = []
    for resource in environment.resources:
        try:
            grants += providers[resource.kind].grants(resource, phases)
        except CorsdeployError as error:
            problems += [p if p.address else Problem(p.message, p.location, resource.address)
                         for p in error.problems]
    if problems:
        raise CorsdeployError(problems)
    document = policy(grants, ArnContext(clients.partition, clients.region, clients.account))
    source = [op for op in STS_OPERATIONS if op.principal is Principal.SOURCE]
    return Permissions(document, notes(document, environment.aws.assume_role, source))
