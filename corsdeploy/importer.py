"""`corsdeploy import`: the live CORS of existing resources as the content of an environment file.

Reads through the providers, as plan does, and turns each service's wire shape back into the file's
shape. Before anything is printed, the result is checked the way a file is (schema and AWS limits)
and planned against what was read: an entry that would plan as a change is an error that says why,
never output. Imports boto3 (via providers), so the CLI imports this lazily.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from corsdeploy import limits
from corsdeploy.aws import Clients
from corsdeploy.config import check_data
from corsdeploy.config.hints import Suggester
from corsdeploy.config.names import bucket_name_problem, function_name_problem
from corsdeploy.config.shown import escaped, quoted
from corsdeploy.errors import CorsdeployError, PlanError, Problem
from corsdeploy.imported import Imported, ImportedEntry
from corsdeploy.live import providers_for, read_live
from corsdeploy.model import AwsSettings, Environment, Kind, Live, Location, Resource, frozen
from corsdeploy.plan import PENDING_DEPLOYMENT, Action, plan_resource
from corsdeploy.providers import Provider
from corsdeploy.providers.rest_api import RestApiProvider
from corsdeploy.services.rest_api import live_from_state
from corsdeploy.services.rest_api.entry import RestEntry, rest_entries
from corsdeploy.services.rest_api.state import RestApiState
from corsdeploy.shapes import rule_from_cors, rule_to_cors, rules_from_s3, rules_to_s3

# `rest_api.NAME@STAGE`: API Gateway stage names are letters, digits, '-' and '_' (at most 128).
_STAGE = re.compile(r"[A-Za-z0-9_-]{1,128}")
_SURROGATE = re.compile("[\ud800-\udfff]")
_KINDS = ", ".join(kind.value for kind in Kind)
# An HTTP API's empty CorsConfiguration is still CORS (facts §7.3); the file cannot say `{}`, and
# this object means the same configuration (every field empty, false or 0).
_EMPTY_HTTP_CORS: Mapping[str, Any] = {"AllowCredentials": False}
_FIELDS_SHOWN = 5
_IMPORTED = "the imported environment"


@dataclass(frozen=True)
class Address:
    """One resource to import; `stage` only for a REST API named `rest_api.NAME@STAGE`."""

    kind: Kind
    name: str
    stage: str | None = None

    @property
    def address(self) -> str:
        return f"{self.kind.value}.{self.name}"


def parse_address(text: str) -> Address:
    """`KIND.NAME` (`rest_api.NAME@STAGE` too); a CorsdeployError saying what is wrong otherwise."""
    kind_text, dot, name = text.partition(".")
    shown = quoted(text, 100)
    if not dot or not name:
        raise CorsdeployError(f"{shown} is not an address: write KIND.NAME, e.g. s3_bucket.assets "
                              f"(kinds: {_KINDS})")
    try:
        kind = Kind(kind_text)
    except ValueError:
        close = Suggester().suggest(kind_text, [k.value for k in Kind])
        hint = f"did you mean {close}?" if close else f"kinds: {_KINDS}"
        raise CorsdeployError(f"{shown}: unknown kind {quoted(kind_text)} ({hint})") from None
    stage = None
    if kind is Kind.REST_API:
        api, at, suffix = name.rpartition("@")
        if at and api and _STAGE.fullmatch(suffix):
            name, stage = api, suffix
    reason = _name_problem(kind, name)
    if reason:
        raise CorsdeployError(f"{shown}: {reason}")
    return Address(kind, name, stage)


def _name_problem(kind: Kind, name: str) -> str | None:
    if _SURROGATE.search(name):
        return "the name holds a byte that is not text (an environment file cannot hold it)"
    if kind is Kind.S3_BUCKET:
        return bucket_name_problem(name)
    if kind is Kind.FUNCTION_URL:
        return function_name_problem(name)
    return None


def import_resources(addresses: Sequence[str], environment: Environment | None = None) -> Imported:
    """The live CORS of the named resources as an environment file's content.

    With `environment`, its `aws` settings are used (and printed); otherwise boto3's defaults. Every
    problem (an unknown address, a missing resource, a configuration no file can describe) is
    raised together, and nothing is returned then."""
    wanted = _parse_all(addresses)
    clients = Clients(environment.aws if environment else AwsSettings(),
                      source=environment.path if environment else None)
    identity = clients.check_account()
    problems: list[Problem] = []
    resources = [_resource(address) for address in wanted]
    providers = providers_for(resources, clients)
    resources = [r for r in (_with_stage(r, providers, problems) for r in resources) if r is not None]
    try:
        lives = read_live(resources, providers)
    except PlanError as error:
        problems.extend(error.problems)
        lives = {}
    entries = [entry for r in resources if r.address in lives
               if (entry := _entry(r, lives[r.address], problems)) is not None]
    imported = Imported(identity.account, clients.region, tuple(entries),
                        aws=_aws_block(environment), source=environment.path if environment else None)
    if problems:
        order = {address.address: index for index, address in enumerate(wanted)}
        raise PlanError(sorted(problems, key=lambda p: order.get(p.address or "", -1)))
    return imported


def _parse_all(addresses: Sequence[str]) -> list[Address]:
    """Each address once, in the order given; every malformed one reported together."""
    problems: list[Problem] = []
    parsed: dict[str, Address] = {}
    for text in addresses:
        try:
            address = parse_address(text)
        except CorsdeployError as error:
            problems.extend(error.problems)
            continue
        earlier = parsed.setdefault(address.address, address)
        if earlier.stage != address.stage:
            problems.append(Problem(
                f"{address.address} is asked for with stages {earlier.stage or '(none)'} and "
                f"{address.stage or '(none)'}: an environment file holds one entry per API, with one stage"))
    if problems:
        raise CorsdeployError(problems)
    return list(parsed.values())


def _resource(address: Address) -> Resource:
    """The resource to read, with the settings a file that names only its CORS would have."""
    settings: dict[str, Any] = {}
    if address.kind is Kind.HTTP_API:
        settings = {"id": None, "stage": None}
    elif address.kind is Kind.REST_API:
        settings = {"id": None, "stage": address.stage, "resources": None, "adopt_preflights": False,
                    "gateway_responses": list(limits.REST_DEFAULT_GATEWAY_RESPONSES)}
    return Resource(address.kind, address.name, None, Location(_IMPORTED, 1, 1), frozen(settings))


def _with_stage(resource: Resource, providers: Mapping[Kind, Provider],
                problems: list[Problem]) -> Resource | None:
    """A REST API's stage: as the address gives it, or its only one; None (and a problem) otherwise."""
    if resource.kind is not Kind.REST_API or resource.settings["stage"]:
        return resource
    try:
        stages = cast(RestApiProvider, providers[Kind.REST_API]).stage_names(resource)
    except CorsdeployError as error:
        problems.extend(_addressed(error.problems, resource))
        return None
    if len(stages) == 1:
        return Resource(resource.kind, resource.name, None, resource.location,
                        frozen({**resource.settings, "stage": stages[0]}))
    if not stages:
        message = ("the API has no stage: deploy it to one first (an environment file needs `stage:`, "
                   "the stage corsdeploy redeploys after a change)")
    else:
        listed = ", ".join(escaped(stage) for stage in stages)
        message = (f"the API has {len(stages)} stages ({listed}): say which one corsdeploy redeploys "
                   f"after a change, e.g. {escaped(resource.address)}@{escaped(stages[0])}")
    problems.append(Problem(message, address=resource.address))
    return None


def _entry(resource: Resource, live: Live, problems: list[Problem]) -> ImportedEntry | None:
    """The file entry that holds `live` and plans as no change; None (and a problem) if there is none."""
    failure: CorsdeployError | None = None
    try:
        for candidate in _candidates(resource, live):
            failure = _failure(candidate, live)
            if failure is None:
                return candidate
    except CorsdeployError as error:
        failure = error
    problems.extend(_addressed(failure.problems if failure else (), resource))
    return None


def _addressed(problems: Iterable[Problem], resource: Resource) -> Iterator[Problem]:
    """Each problem naming the resource's address (those from reads already do)."""
    return (p if p.address else Problem(p.message, None, resource.address) for p in problems)


def _candidates(resource: Resource, live: Live) -> list[ImportedEntry]:
    """Entries that may hold `live`, preferred first (several only for REST APIs)."""
    if resource.kind is Kind.REST_API:
        return [_rest(resource, rest) for rest in rest_entries(resource, cast(RestApiState, live.handle))]
    cors, notes = _file_cors(resource.kind, live.wire)
    return [ImportedEntry(resource.kind, resource.name, {"cors": cors}, notes)]


def _file_cors(kind: Kind, wire: Mapping[str, Any] | None) -> tuple[Any, tuple[str, ...]]:
    """A `cors` value in the file's shape, from the service's (S3, HTTP APIs, function URLs)."""
    if wire is None:
        return "absent", ()
    if kind is Kind.S3_BUCKET:
        return rules_to_s3(rules_from_s3(wire["CORSRules"])), ()
    cors = rule_to_cors(rule_from_cors(wire))
    if cors:
        return cors, ()
    return dict(_EMPTY_HTTP_CORS), (
        "the API's CorsConfiguration is empty, which is still CORS (API Gateway answers preflights "
        "itself, allowing nothing); `AllowCredentials: false` alone is the same configuration",)


def _rest(resource: Resource, rest: RestEntry) -> ImportedEntry:
    entry: dict[str, Any] = {"stage": resource.settings["stage"]}
    if rest.resources is not None:
        entry["resources"] = list(rest.resources)
    entry["cors"] = dict(rest.cors) if rest.cors is not None else "absent"
    if rest.gateway_responses is not None:
        entry["gateway_responses"] = list(rest.gateway_responses)
    return ImportedEntry(resource.kind, resource.name, entry, rest.notes)


def _failure(candidate: ImportedEntry, live: Live) -> CorsdeployError | None:
    """Why `candidate` does not hold `live` as a file would (checked as a file is, then planned)."""
    unwritable = next(_unwritable(candidate.entry), None)
    if unwritable is not None:
        return CorsdeployError(Problem(f"{unwritable}: an environment file cannot hold it"))
    document = {candidate.kind.section: {candidate.name: dict(candidate.entry)}}
    try:
        (resource,) = check_data("import", _IMPORTED, document).resources
    except CorsdeployError as error:
        return CorsdeployError(Problem(f"the live configuration is not valid in an environment file: "
                                       f"{p.message}", address=p.address) for p in error.problems)
    if resource.kind is Kind.REST_API:
        # What a plan of the entry reads: the REST view depends on the entry's settings.
        live = live_from_state(resource, cast(RestApiState, live.handle))
    change = plan_resource(resource, live)
    if change.action is Action.NOOP:
        return None
    return CorsdeployError(Problem(_not_reproducible(resource, [f.path for f in change.fields])))


def _unwritable(value: Any, path: str = "") -> Iterator[str]:
    """Where `value` holds a string no file can (a lone surrogate: no YAML file or API takes one)."""
    if isinstance(value, str) and _SURROGATE.search(value):
        yield f"{path or 'a value'} holds a character that is not text"
    elif isinstance(value, Mapping):
        for key, child in value.items():
            yield from _unwritable(child, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _unwritable(child, f"{path}[{index}]")


def _aws_block(environment: Environment | None) -> dict[str, str]:
    """The `aws` settings to print: the environment's, those it sets, in the contract's order."""
    if environment is None:
        return {}
    settings = environment.aws
    values = {"account_id": settings.account_id, "region": settings.region, "profile": settings.profile,
              "assume_role": settings.assume_role, "endpoint_url": settings.endpoint_url}
    return {key: value for key, value in values.items() if value is not None}


def _not_reproducible(resource: Resource, fields: list[str]) -> str:
    if fields == [PENDING_DEPLOYMENT.path]:
        stage = escaped(str(resource.settings.get("stage")))
        return (f"stage {stage!r} does not serve the API's current CORS (it changed after corsdeploy last "
                "deployed it), so a plan would redeploy it; deploy the stage (or apply once), then import "
                "again")
    # A redeployment follows from the other differences; they are what to say.
    fields = [f for f in fields if f != PENDING_DEPLOYMENT.path]
    shown = ", ".join(escaped(f) for f in fields[:_FIELDS_SHOWN]) or "its whole configuration"
    more = f" and {len(fields) - _FIELDS_SHOWN} more" if len(fields) > _FIELDS_SHOWN else ""
    why = (" (one rule on every resource, method and gateway response it manages: different CORS per "
           "resource or method cannot be written in the file)" if resource.kind is Kind.REST_API else "")
    return (f"the live CORS cannot be written in an environment file exactly{why}; a plan of the "
            f"imported entry would change {shown}{more}")
