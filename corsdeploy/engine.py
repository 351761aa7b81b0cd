"""The core operations the CLI calls: plan an environment, apply a plan. Imports boto3 (via
providers), so the CLI imports this lazily and offline commands stay fast."""
from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from corsdeploy.apply import Writer, apply_changes
from corsdeploy.aws import Clients
from corsdeploy.errors import CorsdeployError, Problem
from corsdeploy.live import providers_for, read_live
from corsdeploy.model import Environment, Live, Resource
from corsdeploy.plan import Action, EnvironmentPlan, Plan, PlannedChange, Target, make_plan, planned_changes
from corsdeploy.planfile import SavedPlan
from corsdeploy.results import ApplyResult
from corsdeploy.state import BackupStore, new_apply_id

# Environments `plan --all` plans at once (each also reads its resources in parallel).
PARALLEL_ENVIRONMENTS = 4


@dataclass(frozen=True)
class PlanRun:
    """A plan, what it was computed from, and the clients apply reads the targets again with."""

    environment: Environment
    resources: tuple[Resource, ...]
    lives: dict[str, Live]
    plan: Plan
    clients: Clients

    @property
    def planned(self) -> tuple[PlannedChange, ...]:
        return planned_changes(self.resources, self.plan)


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
    return PlanRun(environment, resources, lives, plan, clients)


def apply_run(run: PlanRun, backups: BackupStore | None = None) -> ApplyResult:
    """Apply a plan just made (and confirmed). Its targets with changes are read again first: if any
    changed since (while a prompt waited, say), nothing is written (StalePlanError)."""
    changed = {c.address for c in run.plan.changes if c.action is not Action.NOOP}
    return write_planned(run.environment, run.planned, run.clients, changed, backups)


def apply_saved_plan(saved: SavedPlan, backups: BackupStore | None = None) -> ApplyResult:
    """Apply a saved plan exactly: every target is read again, and any that changed since planning
    (no-ops included) makes the whole plan refuse as stale, writing nothing."""
    environment = saved.environment
    clients = Clients(environment.aws, source=environment.path)
    identity = clients.check_account()
    _check_same_target(saved.plan.target, identity.account, clients.region)
    every_target = {c.address for c in saved.plan.changes}
    return write_planned(environment, saved.planned, clients, every_target, backups)


def _check_same_target(planned: Target, account: str, region: str) -> None:
    """A saved plan writes where it was computed: same-named resources elsewhere may hold the same CORS."""
    for what, then, now in (("account", planned.account, account), ("region", planned.region, region)):
        if then is not None and then != now:
            raise CorsdeployError(f"the plan was made for {what} {then}, but the credentials and settings "
                                  f"now reach {what} {now}; nothing was read or changed")


def write_planned(environment: Environment, planned: Sequence[PlannedChange], clients: Clients,
                  recheck: Collection[str], backups: BackupStore | None = None) -> ApplyResult:
    """The one path of every write (apply, apply FILE, rollback): read the `recheck` targets again,
    refuse all if any is stale, then back up, write exactly each change's `after`, and verify.

    The per-environment lock belongs around this body: then no other writer runs between these
    reads and the writes, and each backup holds what its write really replaces.
    """
    # New providers: the plan's cache API listings, which would hide a change made since.
    providers = providers_for([p.resource for p in planned], clients)
    lives = read_live([p.resource for p in planned if p.change.address in recheck], providers)
    writer = Writer(new_apply_id(), environment.name, backups or BackupStore(), providers)
    return apply_changes(planned, lives, writer)


def plan_all(names: Sequence[str], load: Callable[[str], Environment]) -> tuple[EnvironmentPlan, ...]:
    """Every named environment loaded and planned, several at once; each failure is reported, not raised."""
    def plan_one(name: str) -> EnvironmentPlan:
        try:
            return EnvironmentPlan(name, plan_environment(load(name)).plan)
        except CorsdeployError as error:
            return EnvironmentPlan(name, None, tuple(str(p) for p in error.problems))
        except Exception as error:  # a bug planning one environment must not hide the others' plans
            return EnvironmentPlan(name, None, (f"internal error: {type(error).__name__}: {error}",))

    with ThreadPoolExecutor(max_workers=min(PARALLEL_ENVIRONMENTS, max(1, len(names)))) as pool:
        return tuple(pool.map(plan_one, names))
