"""Where each resource is served and which of its paths to probe, from its live read (ids, stages,
the function URL and a REST API's resources come from AWS, never from a name in the file alone),
and the configurations its requests are derived from."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corsdeploy.errors import CorsdeployError, Problem
from corsdeploy.model import CorsConfig, Kind, Live, Resource
from corsdeploy.probe.endpoints import (
    DEFAULT_STAGE,
    Endpoint,
    api_endpoint,
    function_url_endpoint,
    s3_endpoint,
)
from corsdeploy.probe.requests import EXAMPLE_LABEL, Target
from corsdeploy.services.rest_api.pattern import managed_resources
from corsdeploy.services.rest_api.state import RestApiState, RestResource
from corsdeploy.shapes import rule_from_cors, rules_from_s3

# A path parameter of a REST resource ({id}, {proxy+}).
_PATH_PARAMETER = re.compile(r"\{[^}/]*\}")


@dataclass(frozen=True)
class Context:
    """What locating needs besides the live read: the region, the endpoint override of a kind (None
    on AWS), and an HTTP API's stage names (read only when `stage:` does not say)."""

    region: str
    override: Callable[[Kind], str | None]
    stage_names: Callable[[Resource, str], Sequence[str]]


@dataclass(frozen=True)
class Location:
    """A resource's endpoint, the places on it to probe, and (S3 on AWS) how to follow it to the
    bucket's own region."""

    endpoint: Endpoint
    targets: tuple[Target, ...] = (Target(),)
    relocate: Callable[[str], Endpoint] | None = None


def locate(resource: Resource, live: Live, context: Context) -> Location:
    return _LOCATORS[resource.kind](resource, live, context)


def _s3(resource: Resource, live: Live, context: Context) -> Location:
    override = context.override(Kind.S3_BUCKET)
    endpoint = s3_endpoint(resource.name, context.region, override)
    if override is not None:
        return Location(endpoint)
    return Location(endpoint, relocate=lambda region: s3_endpoint(resource.name, region, None))


def _http_api(resource: Resource, live: Live, context: Context) -> Location:
    api_id = str(live.handle.api_id)
    names = () if resource.settings.get("stage") else context.stage_names(resource, api_id)
    stage = _http_stage(resource, names)
    return Location(api_endpoint(api_id, context.region, stage, context.override(Kind.HTTP_API)))


def _http_stage(resource: Resource, names: Sequence[str]) -> str:
    """`stage:`, else `$default`, else the API's only stage."""
    wanted = resource.settings.get("stage")
    if wanted:
        return str(wanted)
    if DEFAULT_STAGE in names:
        return DEFAULT_STAGE
    if len(names) == 1:
        return names[0]
    there = ", ".join(map(repr, names)) or "none"
    raise CorsdeployError(Problem(
        f"cannot probe: the API has no {DEFAULT_STAGE} stage (its stages: {there}); set `stage:` to the "
        "stage to probe", resource.location, resource.address))


def _rest_api(resource: Resource, live: Live, context: Context) -> Location:
    state: RestApiState = live.handle
    endpoint = api_endpoint(state.api_id, context.region, state.stage, context.override(Kind.REST_API))
    return Location(endpoint, tuple(rest_target(r) for r in managed_resources(resource, state)))


def rest_target(res: RestResource) -> Target:
    """A REST resource's path, with each path parameter filled in."""
    return Target(path=res.path, url_path=_PATH_PARAMETER.sub(EXAMPLE_LABEL, res.path).lstrip("/"))


def _function_url(resource: Resource, live: Live, context: Context) -> Location:
    return Location(function_url_endpoint(str(live.handle.url), context.override(Kind.FUNCTION_URL)))


_LOCATORS: Mapping[Kind, Callable[[Resource, Live, Context], Location]] = {
    Kind.S3_BUCKET: _s3,
    Kind.HTTP_API: _http_api,
    Kind.REST_API: _rest_api,
    Kind.FUNCTION_URL: _function_url,
}


def configurations(resource: Resource, live: Live) -> tuple[CorsConfig | None, ...]:
    """The file's configuration, and the live one when it differs: requests come from both, so an
    origin only one of them allows is probed too."""
    live_config = _LIVE_CONFIG[resource.kind](live.wire) if live.wire is not None else None
    return (resource.cors,) if live_config == resource.cors else (resource.cors, live_config)


def _rest_live(wire: Mapping[str, Any]) -> CorsConfig | None:
    cors = wire.get("Cors")
    return rule_from_cors(cors) if cors is not None else None


_LIVE_CONFIG: Mapping[Kind, Callable[[Mapping[str, Any]], CorsConfig | None]] = {
    Kind.S3_BUCKET: lambda wire: rules_from_s3(wire["CORSRules"]),
    Kind.HTTP_API: rule_from_cors,
    Kind.REST_API: _rest_live,
    Kind.FUNCTION_URL: rule_from_cors,
}
