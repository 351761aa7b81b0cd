"""The core operations the CLI calls: plan an environment, apply a plan. Imports boto3 (via
providers), so the CLI imports this lazily and offline commands stay fast."""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from corsdeploy.apply import ApplyResult, Writer, apply_plan
from corsdeploy.aws import Clients, Identity
from corsdeploy.errors import CorsdeployError, Problem
from corsdeploy.live import providers_for, read_live
from corsdeploy.model import Environment, Kind, Live, Resource
from corsdeploy.plan import Plan, Target, make_plan
from corsdeploy.providers import Provider
from corsdeploy.state import (
    Backups,
    FolderSetting,
    FolderStore,
    History,
    HistoryListing,
    LockInfo,
    Locks,
    StateSetting,
    Store,
    environment_lock,
    finished_record,
    new_apply_id,
    started_record,
    state_setting,
)


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


def plan_environment(environment: Environment, targets: Sequence[str] = (),
                     clients: Clients | None = None) -> PlanRun:
    resources = select_targets(environment, targets)
    clients = clients or Clients(environment.aws, source=environment.path)
    # The account guard runs before any other call.
    identity = clients.check_account()
    providers = providers_for(resources, clients)
    lives = read_live(resources, providers)
    target = Target(identity.account, clients.region, clients.endpoints())
    plan = make_plan(environment.name, resources, lives, target)
    return PlanRun(environment, resources, lives, providers, plan)


def apply_run(run: PlanRun, session: WriteSession) -> ApplyResult:
    """Apply a plan under the session's lock: backups and the history record go to its store.

    The record is written before the first write and again at the end, so a run that dies in
    between stays in the history as `incomplete`. A plan with nothing to change writes nothing.
    """
    apply_id = new_apply_id()
    backups, history = Backups(session.store), History(session.store)
    writer = Writer(apply_id, run.environment.name, backups, run.providers)
    if not run.plan.has_changes:
        return apply_plan(run.plan, run.resources, run.lives, writer)
    started = started_record(run.plan, apply_id, session.identity.arn, backups.location(apply_id),
                             operation=session.lock.operation)
    history.record(started)
    result = apply_plan(run.plan, run.resources, run.lives, writer)
    history.record(finished_record(started, result))
    return result


# --- state: the store `state:` names, the lock around every write, history, unlock ----------------

@dataclass(frozen=True)
class WriteSession:
    """An environment locked for writing: its client factory, the caller, the state store, the lock."""

    environment: Environment
    clients: Clients
    identity: Identity
    store: Store
    lock: LockInfo


def _store(setting: StateSetting, clients: Callable[[], Clients]) -> Store:
    if isinstance(setting, FolderSetting):
        return FolderStore(setting.folder)
    from corsdeploy.providers.state_s3 import S3Store

    return S3Store(clients(), setting.bucket, setting.prefix)


def open_store(environment: Environment) -> Store:
    """The store `state:` names (an S3 one only after the account guard passed)."""
    setting = state_setting(environment)

    def guarded_clients() -> Clients:
        clients = Clients(environment.aws, source=environment.path)
        clients.check_account()
        return clients

    return _store(setting, guarded_clients)


@contextlib.contextmanager
def write_session(environment: Environment, operation: str = "apply", lock_timeout: float = 0.0,
                  waiting: Callable[[LockInfo], None] | None = None) -> Iterator[WriteSession]:
    """The one way into a write path (apply, apply FILE, rollback): the account guard, then the
    environment's lock, taken before live state is read and released however the block ends."""
    setting = state_setting(environment)
    clients = Clients(environment.aws, source=environment.path)
    identity = clients.check_account()
    store = _store(setting, lambda: clients)
    with environment_lock(store, environment.name, operation, identity.arn, lock_timeout, waiting) as lock:
        yield WriteSession(environment, clients, identity, store, lock)


def environment_history(environment: Environment) -> HistoryListing:
    store = open_store(environment)
    return HistoryListing(environment.name, store.location, History(store).list(environment.name))


def unlock_environment(environment: Environment, lock_id: str) -> LockInfo:
    """Release the lock `lock_id` left by a crashed run; LockError when it is not the lock held."""
    return Locks(open_store(environment)).unlock(environment.name, lock_id)
