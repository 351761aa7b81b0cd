"""Validated plain data and its located tree -> the canonical model (Environment, Resource)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from corsdeploy import limits
from corsdeploy.config.nodes import Node
from corsdeploy.config.paths import Path_
from corsdeploy.config.services import ABSENT, entries, policies_of
from corsdeploy.model import AwsSettings, Environment, Kind, Location, Resource, frozen
from corsdeploy.shapes import rule_from_cors, rules_from_s3


def build_environment(name: str, path: str, data: Mapping[str, Any], root: Node) -> Environment:
    """The Environment of a file that passed every check."""
    return Environment(
        name=name,
        path=path,
        aws=AwsSettings(**(data.get("aws") or {}), locations=frozen(_aws_locations(root))),
        resources=tuple(
            _resource(kind, key, entry, data, root)
            for kind in Kind
            for key, entry in entries(data, kind.section)
        ),
        state=data.get("state"),
        state_location=_state_location(root),
        production=(data.get("lint") or {}).get("production"),
    )


def _state_location(root: Node) -> Location | None:
    state = root.value.get("state") if isinstance(root.value, dict) else None
    return None if state is None else state.loc


def _aws_locations(root: Node) -> dict[str, Location]:
    aws = root.value.get("aws") if isinstance(root.value, dict) else None
    if aws is None or not isinstance(aws.value, dict):
        return {}
    return {key: child.loc for key, child in aws.value.items()}


def _resource(
    kind: Kind, name: str, entry: Mapping[str, Any], data: Mapping[str, Any], root: Node
) -> Resource:
    node = root.value[kind.section].value[name]
    cors = entry["cors"]
    locations = _locations(node)
    if cors == ABSENT:
        config = None
    elif kind is Kind.S3_BUCKET:
        if isinstance(cors, str):
            locations.update(_policy_locations(root.value["policies"].value[cors]))
            cors = policies_of(data)[cors]
        config = rules_from_s3(cors["CORSRules"] if isinstance(cors, dict) else cors)
    else:
        config = rule_from_cors(cors)
    return Resource(
        kind=kind,
        name=name,
        cors=config,
        location=node.key_loc or node.loc,
        settings=frozen(_settings(kind, entry)),
        lint_ignore=frozen(entry.get("lint_ignore") or {}),
        field_locations=frozen(locations),
        co_managed=bool(entry.get("co_managed", False)),
        public=bool(entry.get("public", False)),
    )


def _unwrap(path: Path_) -> Path_:
    """Paths into `{"CORSRules": [...]}` as if the rules were written as a plain list."""
    return ("cors", *path[2:]) if path[:2] == ("cors", "CORSRules") else path


def _locations(node: Node) -> dict[Path_, Location]:
    locations: dict[Path_, Location] = {}
    for path, child in node.walk():
        if path:
            locations.setdefault(_unwrap(path), child.loc)
    return locations


def _policy_locations(policy: Node) -> dict[Path_, Location]:
    """Rule locations of a referenced policy: they point into the policy's definition."""
    found: dict[Path_, Location] = {}
    for path, child in policy.walk(("cors",)):
        if path != ("cors",):
            found.setdefault(_unwrap(path), child.loc)
    # `{"CORSRules": [...]}` unwraps to ("cors",), which stays where the reference is written.
    found.pop(("cors",), None)
    return found


def _settings(kind: Kind, entry: Mapping[str, Any]) -> dict[str, Any]:
    if kind is Kind.HTTP_API:
        return {"id": entry.get("id"), "stage": entry.get("stage")}
    if kind is Kind.REST_API:
        return {
            "id": entry.get("id"),
            "stage": entry["stage"],
            "resources": list(entry["resources"]) if "resources" in entry else None,
            "gateway_responses": list(entry.get("gateway_responses", limits.REST_DEFAULT_GATEWAY_RESPONSES)),
            "adopt_preflights": bool(entry.get("adopt_preflights", False)),
        }
    return {}
