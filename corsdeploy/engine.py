"""The core operations the CLI calls: plan an environment, apply a plan. Imports boto3 (via
providers), so the CLI imports this lazily and offline commands stay fast."""
from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from corsdeploy.apply import Writer, apply_changes, refuse_stale
from corsdeploy.aws import OPERATIONS as STS_OPERATIONS
from corsdeploy.aws import Clients, Identity
from corsdeploy.errors import CorsdeployError, Problem
from corsdeploy.interruption import Interruption
from corsdeploy.live import providers_for, read_live
from corsdeploy.model import Environment, Kind, Live, Resource
from corsdeploy.permissions import Permissions, notes, policy
from corsdeploy.plan import (
    Action,
    EnvironmentPlan,
    Plan,
    PlannedChange,
    Target,
    make_plan,
    plan_restore,
    planned_changes,
)
from corsdeploy.planfile import SavedPlan
from corsdeploy.probe.locate import Context as ProbeContext
from corsdeploy.probe.run import PlannedProbe, ProbeReport
from corsdeploy.providers import Provider
from corsdeploy.providers.operations import ArnContext, Grant, Phase, Principal
from corsdeploy.results import ApplyResult, Result
from corsdeploy.simulate import check, resource_at
from corsdeploy.simulate.browser_error import Given
from corsdeploy.simulate.from_browser_error import ErrorCheck, check_from_browser_error
from corsdeploy.simulate.request import Answer, BrowserRequest
from corsdeploy.simulate.urls import endpoint_overrides
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


def plan_environment(environment: Environment, targets: Sequence[str] = (),
                     clients: Clients | None = None, on_read: Callable[[str], None] | None = None) -> PlanRun:
    resources = select_targets(environment, targets)
    clients = clients or Clients(environment.aws, source=environment.path)
    # The account guard runs before any other call.
    identity = clients.check_account()
    providers = providers_for(resources, clients)
    lives = read_live(resources, providers, clients.parallelism, on_read=on_read)
    plan = make_plan(environment.name, resources, lives, _target(identity, clients))
    return PlanRun(environment, resources, lives, plan, clients)


def _target(identity: Identity, clients: Clients) -> Target:
    """Where a plan was computed (its header line; a saved plan is applied only there)."""
    return Target(identity.account, clients.region, clients.endpoints())


def _with_changes(plan: Plan) -> set[str]:
    """The addresses a plan changes: the targets read again just before writing."""
    return {c.address for c in plan.changes if c.action is not Action.NOOP}


def apply_run(run: PlanRun, session: WriteSession, watch: WriteWatch | None = None) -> ApplyResult:
    """Apply a plan just made (and confirmed). Its targets with changes are read again first: if any
    changed since (while a prompt waited, say), nothing is written (StalePlanError)."""
    return write_planned(session, run.planned, _with_changes(run.plan), watch)


def apply_saved_plan(saved: SavedPlan, session: WriteSession, watch: WriteWatch | None = None) -> ApplyResult:
    """Apply a saved plan exactly: every target is read again, and any that changed since planning
    (no-ops included) makes the whole plan refuse as stale, writing nothing."""
    _check_same_target(saved.plan.target, session.identity.account, session.clients.region)
    every_target = {c.address for c in saved.plan.changes}
    return write_planned(session, saved.planned, every_target, watch)


def _check_same_target(planned: Target, account: str, region: str) -> None:
    """A saved plan writes where it was computed: same-named resources elsewhere may hold the same CORS."""
    for what, then, now in (("account", planned.account, account), ("region", planned.region, region)):
        if then is not None and then != now:
            raise CorsdeployError(f"the plan was made for {what} {then}, but the credentials and settings "
                                  f"now reach {what} {now}; nothing was read or changed")


@dataclass(frozen=True)
class WriteWatch:
    """What the caller of a write path hears and says while it runs: the signals that stop it (routed
    to `interruption` from the first history record to the last) and each resource's result."""

    interruption: Interruption = field(default_factory=Interruption)
    on_done: Callable[[Result], None] | None = None


def write_planned(session: WriteSession, planned: Sequence[PlannedChange],
                  recheck: Collection[str], watch: WriteWatch | None = None) -> ApplyResult:
    """The one path of every write (apply, apply FILE, rollback), inside the session's lock: read the
    `recheck` targets again, refuse all if any is stale, then back up, write exactly each change's
    `after`, and verify. The history record is written before the first write and again at the end,
    so a run that dies in between stays listed as `incomplete`, and one stopped by a signal as
    `interrupted` with what it wrote. Nothing to change records nothing.
    """
    watch = watch or WriteWatch()
    # New providers: the plan's cache API listings, which would hide a change made since.
    providers = providers_for([p.resource for p in planned], session.clients)
    lives = read_live([p.resource for p in planned if p.change.address in recheck], providers,
                      session.clients.parallelism)
    apply_id = new_apply_id()
    backups, history = Backups(session.store), History(session.store)
    writer = Writer(apply_id, session.environment.name, backups, providers,
                    parallelism=session.clients.parallelism)
    changes = Plan(session.environment.name, tuple(p.change for p in planned))
    if not changes.has_changes:
        return apply_changes(planned, lives, writer, on_done=watch.on_done)
    refuse_stale(planned, lives)
    started = started_record(changes, apply_id, session.identity.arn, backups.location(apply_id),
                             operation=session.lock.operation)
    with watch.interruption.catching():
        history.record(started)
        result = apply_changes(planned, lives, writer, watch.interruption, watch.on_done)
        history.record(finished_record(started, result))
    return result


@dataclass(frozen=True)
class RollbackRun:
    """What a rollback would put back: the apply it undoes and one change per resource it replaced."""

    apply_id: str
    plan: Plan
    planned: tuple[PlannedChange, ...]


def rollback_plan(session: WriteSession, apply_id: str | None = None) -> RollbackRun:
    """Plan putting back what apply `apply_id` (default: the last one that replaced anything)
    overwrote, from its backups, against live state read now (inside the session's lock)."""
    environment = session.environment
    apply_id, saved = _backups_to_restore(session, apply_id)
    missing = [address for address in saved if environment.resource(address) is None]
    if missing:
        raise CorsdeployError([Problem(f"apply {apply_id} changed it, but it is no longer in "
                                       f"{environment.path}: put its entry back to roll it back", address=a)
                               for a in missing])
    resources = [r for r in environment.resources if r.address in saved]
    lives = read_live(resources, providers_for(resources, session.clients), session.clients.parallelism)
    planned = tuple(plan_restore(r, lives[r.address], saved[r.address]) for r in resources)
    target = _target(session.identity, session.clients)
    plan = Plan(environment.name, tuple(p.change for p in planned), target)
    return RollbackRun(apply_id, plan, planned)


def _backups_to_restore(session: WriteSession, apply_id: str | None) -> tuple[str, dict[str, Any]]:
    name, store = session.environment.name, session.store
    backups = Backups(store)
    if apply_id is not None:
        if History(store).get(name, apply_id) is None:
            raise CorsdeployError(f"no apply {apply_id} in the history of {name!r} ({store.location}); "
                                  f"`corsdeploy history --env {name}` lists them")
        return apply_id, backups.load(apply_id, name)
    for record in History(store).list(name):
        saved = backups.load(record.apply_id, name)
        if saved:
            return record.apply_id, saved
    raise CorsdeployError(f"nothing to roll back: no apply of {name!r} in {store.location} replaced "
                          "a configuration")


def apply_rollback(session: WriteSession, run: RollbackRun, watch: WriteWatch | None = None) -> ApplyResult:
    """Put back what the rollback plan says, through the one write path (backed up and recorded too,
    so a rollback can itself be rolled back). A target changed since the plan refuses it all."""
    return write_planned(session, run.planned, _with_changes(run.plan), watch)


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


# --- check: one browser request against one resource ----------------------------------------------

def check_request(environment: Environment, address: str, request: BrowserRequest,
                  live: bool = False) -> Answer:
    """How the service answers `request` and whether the browser lets it through: against the file's
    configuration, or with `live` the resource's live one, read like plan reads it (the trust rule,
    then the account guard, then the one provider)."""
    resource = resource_at(environment, address)
    if not live:
        return check(resource, request)
    clients = Clients(environment.aws, source=environment.path)
    clients.check_account()
    lives = read_live([resource], providers_for([resource], clients))
    return check(resource, request, lives[resource.address])


# --- probe: real requests to the deployed endpoints, compared with check's predictions -------------

# More requests than this in one probe is a mistake to stop before sending any (--target narrows it).
MAX_PROBE_REQUESTS = 2000


def probe_environment(environment: Environment, targets: Sequence[str] = (), timeout: float | None = None,
                      clients: Clients | None = None) -> ProbeReport:
    """Read the targets live (account guard first), derive requests from their configurations, send
    them to the deployed endpoints and compare every answer with `check`'s prediction for the live
    configuration."""
    from corsdeploy.probe.run import run_probes
    from corsdeploy.probe.send import DEFAULT_TIMEOUT

    resources = select_targets(environment, targets)
    clients = clients or Clients(environment.aws, source=environment.path)
    clients.check_account()
    providers = providers_for(resources, clients)
    lives = read_live(resources, providers)
    override = _probe_override(clients)
    context = ProbeContext(clients.region, override, lambda r, api_id: _stage_names(providers, r, api_id))
    planned = [_planned_probe(r, lives[r.address], context) for r in resources]
    count = sum(len(p.requests) for p in planned)
    if count > MAX_PROBE_REQUESTS:
        raise CorsdeployError(f"the probe would send {count} requests, more than {MAX_PROBE_REQUESTS}: "
                              "probe fewer resources at a time with --target")
    return ProbeReport(environment.name, run_probes(planned, override, timeout or DEFAULT_TIMEOUT))


def _planned_probe(resource: Resource, live: Live, context: ProbeContext) -> PlannedProbe:
    from corsdeploy.probe.locate import configurations, locate
    from corsdeploy.probe.requests import derive

    location = locate(resource, live, context)
    requests = derive(configurations(resource, live), location.targets)
    return PlannedProbe(resource.address, resource.kind, location.endpoint, requests,
                        lambda request: check(resource, request, live), _probe_notes(resource, live),
                        location.relocate)


def _probe_notes(resource: Resource, live: Live) -> tuple[str, ...]:
    """What a reader of disagreements should know: the answers were predicted from the live
    configuration, which differs from the file, or which a stage may not serve yet."""
    from corsdeploy.services import service_for

    service = service_for(resource.kind)
    notes = []
    if service.normalize(live.wire) != service.normalize(service.desired(resource, live)):
        notes.append("the live CORS differs from the file (`corsdeploy plan` shows how): answers were "
                     "predicted from the live configuration")
    if live.pending_deployment:
        notes.append(live.pending_deployment)
    return tuple(notes)


# The client each kind's endpoint override is read from.
_PROBE_SERVICES = {Kind.S3_BUCKET: "s3", Kind.HTTP_API: "apigatewayv2", Kind.REST_API: "apigateway",
                   Kind.FUNCTION_URL: "lambda"}


def _probe_override(clients: Clients) -> Callable[[Kind], str | None]:
    """A kind's endpoint override: the endpoint its client talks to when that is not AWS (the file's
    trusted aws.endpoint_url, or AWS_ENDPOINT_URL[_SERVICE] set by the runner); None on AWS."""
    from corsdeploy.probe.endpoints import is_aws_service_endpoint

    def override(kind: Kind) -> str | None:
        url = str(clients.client(_PROBE_SERVICES[kind]).meta.endpoint_url)
        return None if is_aws_service_endpoint(url) else url

    return override


def _stage_names(providers: dict[Kind, Provider], resource: Resource, api_id: str) -> list[str]:
    from corsdeploy.providers.http_api import HttpApiProvider

    provider = providers[Kind.HTTP_API]
    assert isinstance(provider, HttpApiProvider)
    return provider.stage_names(resource, api_id)


# --- check --from-browser-error --live: what only AWS knows --------------------------------------

def check_browser_error(environment: Environment, text: str, given: Given,
                        address: str | None = None) -> ErrorCheck:
    """`check --from-browser-error --live`: the message's request against the live configuration of
    the resource serving its URL, found among API ids and function URLs read from AWS when the file
    does not hold them (the trust rule, then the account guard, as plan)."""
    from corsdeploy.lint.engine import lint_environment

    reads = _LiveReads(environment)
    return check_from_browser_error(environment, text, given, lint_environment,
                                    endpoint_overrides(environment.aws, os.environ), reads, address)


class _LiveReads:
    """AwsReads through the providers; each resource is read once."""

    def __init__(self, environment: Environment) -> None:
        self._clients = Clients(environment.aws, source=environment.path)
        self._clients.check_account()
        self._providers = providers_for(environment.resources, self._clients)
        self._lives: dict[str, Live] = {}

    def identities(self, resources: Sequence[Resource]) -> tuple[dict[str, str], tuple[Problem, ...]]:
        """The API id or function URL host of each resource that could be read; the others' problems."""
        with ThreadPoolExecutor(max_workers=min(PARALLEL_ENVIRONMENTS, max(1, len(resources)))) as pool:
            outcomes = list(pool.map(self._try_read, resources))
        found: dict[str, str] = {}
        problems: list[Problem] = []
        for resource, outcome in zip(resources, outcomes, strict=True):
            if isinstance(outcome, CorsdeployError):
                problems += outcome.problems
            elif _identity(outcome) is not None:
                found[resource.address] = str(_identity(outcome))
        return found, tuple(problems)

    def live(self, resource: Resource) -> Live:
        if resource.address not in self._lives:
            self._lives.update(read_live([resource], self._providers))
        return self._lives[resource.address]

    def _try_read(self, resource: Resource) -> Live | CorsdeployError:
        try:
            return self.live(resource)
        except CorsdeployError as error:
            return error


def _identity(live: Live) -> str | None:
    """What a URL names the live resource by: an API's id, a function URL's host."""
    from corsdeploy.providers.function_url import FunctionUrlHandle

    if isinstance(live.handle, FunctionUrlHandle):
        return urlsplit(live.handle.url).hostname
    return live.identity
