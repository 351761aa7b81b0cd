"""Saved plans (`plan --out FILE`, `apply FILE`): the plan as JSON, with what apply needs to write
exactly it and to refuse it once it no longer holds (imports no AWS code).

A saved plan records, per target, the digest of the normalized live configuration it was computed
from (design note 2) and the exact configuration to write, with the resource's settings, so apply
writes what was reviewed, not what the environment file says by then. A digest over the whole
content refuses a file edited after planning; it detects edits, it is not a signature: anyone who
can write the file can also recompute it, so keep plans where only the pipeline writes them.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from corsdeploy import __version__
from corsdeploy.config.shown import described, quoted
from corsdeploy.errors import CorsdeployError
from corsdeploy.model import AwsSettings, CorsConfig, CorsRule, Environment, Kind, Location, Resource, frozen
from corsdeploy.plan import Action, Change, Plan, PlannedChange, Target
from corsdeploy.services import service_for

FORMAT = "corsdeploy-saved-plan"
FORMAT_VERSION = 1
_DIGEST_PREFIX = "sha256:"
# Far above any real plan (a few KB per target), low enough that a wrong file is refused at once.
MAX_PLAN_BYTES = 64 * 1024 * 1024
_PLAN_AGAIN = "make a new one with `corsdeploy plan --env NAME --out FILE`"
_T = TypeVar("_T")

# The `aws` settings a saved plan keeps: those that make two settings equal (where each was written,
# `locations`, is not part of them, nor of the plan).
AWS_FIELDS = tuple(f.name for f in fields(AwsSettings) if f.compare)


@dataclass(frozen=True)
class SavedPlan:
    """A plan read back from a file: the environment as it was planned (its `resources` are the
    targets, settings and CORS included), the plan, and where it came from."""

    environment: Environment
    plan: Plan
    environment_digest: str
    created_at: str
    corsdeploy_version: str

    @property
    def planned(self) -> tuple[PlannedChange, ...]:
        return tuple(PlannedChange(resource, change)
                     for resource, change in zip(self.environment.resources, self.plan.changes, strict=True))


# --- writing --------------------------------------------------------------------------------------


def plan_document(environment: Environment, planned: tuple[PlannedChange, ...], target: Target,
                  now: datetime | None = None) -> dict[str, Any]:
    """The saved plan's JSON, its content digest included."""
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "corsdeploy_version": __version__,
        "created_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "environment": {
            "name": environment.name,
            "file": environment.path,
            "file_digest": _file_digest(Path(environment.path)),
            "aws": {name: getattr(environment.aws, name) for name in AWS_FIELDS},
            "state": environment.state,
        },
        "target": {"account": target.account, "region": target.region,
                   "endpoints": [list(pair) for pair in target.endpoints]},
        "targets": [_target_document(item) for item in planned],
    }
    return {**document, "digest": content_digest(document)}


def _target_document(item: PlannedChange) -> dict[str, Any]:
    change, resource = item.change, item.resource
    return {
        "address": change.address,
        "action": change.action.value,
        "before": change.before,
        "after": change.after,
        "fields": [{"path": f.path, "before": f.before, "after": f.after} for f in change.fields],
        "warnings": list(change.warnings),
        "live_digest": change.live_digest,
        "live_identity": change.live_identity,
        "resource": {
            "kind": resource.kind.value,
            "name": resource.name,
            "cors": None if resource.cors is None else [asdict(rule) for rule in resource.cors.rules],
            "settings": dict(resource.settings),
            "location": asdict(resource.location),
        },
    }


def content_digest(document: Mapping[str, Any]) -> str:
    """The digest of a plan's content (every key but `digest`), independent of formatting."""
    content = {key: value for key, value in document.items() if key != "digest"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return _DIGEST_PREFIX + hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _file_digest(path: Path) -> str:
    try:
        return _DIGEST_PREFIX + hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as error:
        raise CorsdeployError(f"cannot read {path} to record its digest: {error.strerror}") from error


def write_plan(path: Path, document: Mapping[str, Any]) -> None:
    """Write the plan to exactly `path`, all or nothing, readable by its owner only (0600).

    Not the state folder's writer: the operator names this path, so a symbolic link on the way
    is theirs to choose, and no folder is created for them."""
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=True) + "\n"
    folder = path.parent
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise CorsdeployError(f"cannot write the plan to {path}: {error.strerror}") from error
    try:
        with open(descriptor, "w", encoding="ascii") as handle:  # mkstemp made it 0600
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise CorsdeployError(f"cannot write the plan to {path}: {error.strerror}") from error
    _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (the folder's entry), where the system allows opening a folder."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# --- reading --------------------------------------------------------------------------------------


def read_plan(path: Path) -> SavedPlan:
    """The saved plan in `path`; a CorsdeployError when it is not one, is of another format version,
    or was edited after it was written."""
    document = _load_json(path)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CorsdeployError(f"{path} is not a saved plan; {_PLAN_AGAIN}")
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise CorsdeployError(f"{path} is a saved plan of format version {quoted(version)}; this corsdeploy "
                              f"({__version__}) reads version {FORMAT_VERSION} only: {_PLAN_AGAIN}")
    if document.get("digest") != content_digest(document):
        raise CorsdeployError(f"{path} was edited after it was written (its content digest does not "
                              f"match), so it is not the plan that was reviewed; {_PLAN_AGAIN}")
    try:
        return _saved_plan(document)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        why = described(error)
        raise CorsdeployError(f"{path} is not a valid saved plan ({why}); {_PLAN_AGAIN}") from error


def _load_json(path: Path) -> Any:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_PLAN_BYTES + 1)
    except OSError as error:
        raise CorsdeployError(f"cannot read the plan {path}: {error.strerror}") from error
    if len(data) > MAX_PLAN_BYTES:
        raise CorsdeployError(f"{path} is larger than {MAX_PLAN_BYTES // 2**20} MiB: not a saved plan")
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as error:
        raise CorsdeployError(f"{path} is not a saved plan (not JSON: {described(error)}); {_PLAN_AGAIN}"
                              ) from error


def _saved_plan(document: Mapping[str, Any]) -> SavedPlan:
    environment = _mapping(document["environment"])
    targets = [_mapping(item) for item in _list(document["targets"])]
    resources = tuple(_resource(item) for item in targets)
    addresses = [resource.address for resource in resources]
    if len(set(addresses)) != len(addresses):
        raise ValueError("a target appears twice")
    target = _mapping(document["target"])
    endpoints = tuple((_text(service), _text(url)) for service, url in map(_list, _list(target["endpoints"])))
    plan = Plan(
        _text(environment["name"]),
        tuple(_change(item, resource) for item, resource in zip(targets, resources, strict=True)),
        Target(_optional(target["account"], _text), _optional(target["region"], _text), endpoints),
    )
    aws = _mapping(environment["aws"])
    return SavedPlan(
        environment=Environment(
            name=plan.environment,
            path=_text(environment["file"]),
            aws=_aws_settings(aws),
            resources=resources,
            state=_optional(environment["state"], _text),
        ),
        plan=plan,
        environment_digest=_text(environment["file_digest"]),
        created_at=_text(document["created_at"]),
        corsdeploy_version=_text(document["corsdeploy_version"]),
    )


def _resource(target: Mapping[str, Any]) -> Resource:
    item = _mapping(target["resource"])
    location = _mapping(item["location"])
    resource = Resource(
        kind=Kind(item["kind"]),
        name=_text(item["name"]),
        cors=_optional(item["cors"], _cors),
        location=Location(_text(location["file"]), _number(location["line"]), _number(location["column"])),
        settings=frozen(_mapping(item["settings"])),
    )
    if resource.address != target["address"]:
        raise ValueError(f"target {target['address']!r} holds resource {resource.address!r}")
    return resource


def _cors(rules: Any) -> CorsConfig:
    def rule(item: Mapping[str, Any]) -> CorsRule:
        unknown = set(item) - set(_RULE_FIELDS)
        if unknown:
            raise ValueError(f"unknown CORS rule fields {sorted(unknown)}")
        return CorsRule(**{key: _RULE_FIELDS[key](value) for key, value in item.items()})

    return CorsConfig(tuple(rule(_mapping(item)) for item in _list(rules)))


def _change(item: Mapping[str, Any], resource: Resource) -> Change:
    action = Action(item["action"])
    before, after = _optional(item["before"], _mapping), _optional(item["after"], _mapping)
    # The service's own normalizer refuses a configuration that is not its shape (TypeError,
    # KeyError, ValueError, AttributeError), before anything shows it or writes it.
    normalize = service_for(resource.kind).normalize
    old, new = normalize(before), normalize(after)
    # "fields" is written for a reader of the file; the change finds its own from before and after.
    _list(item["fields"])
    return Change(
        address=resource.address,
        action=action,
        before=before,
        after=after,
        warnings=tuple(map(_text, _list(item["warnings"]))),
        live_digest=_text(item["live_digest"]),
        live_identity=_optional(item["live_identity"], _text),
        # An update between equal configurations is one whose write only deploys (plan._change).
        pending_deployment=action is Action.UPDATE and old == new,
    )


def _checked(kind: type[_T], what: str) -> Callable[[Any], _T]:
    def check(value: Any) -> _T:
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise TypeError(f"expected {what}, found {type(value).__name__}")
        return value
    return check


_mapping: Callable[[Any], dict[str, Any]] = _checked(dict, "an object")
_list: Callable[[Any], list[Any]] = _checked(list, "a list")
_text: Callable[[Any], str] = _checked(str, "a string")
_number: Callable[[Any], int] = _checked(int, "a number")


def _optional(value: Any, parse: Callable[[Any], _T]) -> _T | None:
    return None if value is None else parse(value)


def _texts(value: Any) -> tuple[str, ...]:
    return tuple(map(_text, _list(value)))


def _aws_settings(aws: Mapping[str, Any]) -> AwsSettings:
    values: dict[str, Any] = {name: _optional(aws.get(name), _text) for name in AWS_FIELDS}  # each str | None
    return replace(AwsSettings(), **values)


# How each CorsRule field is read back (every one as asdict wrote it).
_RULE_FIELDS: Mapping[str, Callable[[Any], Any]] = {
    "allowed_origins": _texts,
    "allowed_methods": _texts,
    "allowed_headers": _texts,
    "expose_headers": _texts,
    "max_age": lambda value: _optional(value, _number),
    "allow_credentials": lambda value: _optional(value, _checked(bool, "true or false")),
    "id": lambda value: _optional(value, _text),
}
