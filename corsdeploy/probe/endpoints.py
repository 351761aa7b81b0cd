"""Where a probe sends requests: each resource's endpoint, built only from ids the live read returned,
and the one rule every connection is checked against (pure; nothing is resolved or sent here).

On AWS the endpoints are AWS's own host names: `BUCKET.s3.REGION.amazonaws.com` (path-style on
`s3.REGION.amazonaws.com` for a bucket name with dots, which the wildcard certificate does not
cover), `API_ID.execute-api.REGION.amazonaws.com/STAGE/`, and the function URL Lambda returned.
Under an endpoint override (an emulator, or an endpoint the runner trusts), every request goes to
that endpoint and nowhere else: S3 path-style (`ENDPOINT/BUCKET/`), the others with the AWS host
name in the Host header (emulators route execute-api and lambda-url requests by host).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from corsdeploy.errors import CorsdeployError, Problem
from corsdeploy.trust import normalized_url

# A stage named `$default` is served at the API's root (no stage segment).
DEFAULT_STAGE = "$default"
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
_API_ID = re.compile(r"[a-z0-9]{1,64}")
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_AWS_DOMAIN = r"amazonaws\.com(\.cn)?"
# Invoke hosts of APIs and function URLs (under an override they name the resource in the Host header).
API_HOSTS = (
    re.compile(rf"[a-z0-9]+\.execute-api\.[a-z0-9-]+\.{_AWS_DOMAIN}"),
    re.compile(r"[a-z0-9]+\.lambda-url\.[a-z0-9-]+\.on\.aws"),
)
# The only hosts a probe connects to without an override, each an AWS endpoint of a probed service.
AWS_HOSTS = (
    re.compile(rf"[a-z0-9][a-z0-9-]{{1,61}}[a-z0-9]\.s3\.[a-z0-9-]+\.{_AWS_DOMAIN}"),
    re.compile(rf"s3\.[a-z0-9-]+\.{_AWS_DOMAIN}"),
    *API_HOSTS,
)
_FUNCTION_URL = re.compile(r"https://[a-z0-9]+\.lambda-url\.[a-z0-9-]+\.on\.aws/?")


@dataclass(frozen=True)
class Endpoint:
    """A resource's endpoint: `url` names it (the Host header and the path prefix of every request);
    `via` is the override endpoint connected to instead of `url`'s host, or None."""

    url: str
    via: str | None = None

    @property
    def connects_to(self) -> str:
        return self.via or self.url


def s3_endpoint(bucket: str, region: str, override: str | None) -> Endpoint:
    """A bucket's URL: virtual-hosted on AWS (path-style when its name has dots), path-style under
    an override."""
    if override is not None:
        return Endpoint(f"{override.rstrip('/')}/{quote(bucket, safe='')}/")
    _require(_BUCKET.fullmatch(bucket), f"{bucket!r} is not an S3 bucket name")
    _require_region(region)
    if "." in bucket:
        return Endpoint(f"https://s3.{region}.{_domain(region)}/{bucket}/")
    return Endpoint(f"https://{bucket}.s3.{region}.{_domain(region)}/")


def api_endpoint(api_id: str, region: str, stage: str, override: str | None) -> Endpoint:
    """An HTTP or REST API's invoke URL for a stage (`$default`: the API's root)."""
    _require(_API_ID.fullmatch(api_id), f"{api_id!r} is not an API Gateway id")
    _require_region(region)
    prefix = "" if stage == DEFAULT_STAGE else f"{quote(stage, safe='')}/"
    return Endpoint(f"https://{api_id}.execute-api.{region}.{_domain(region)}/{prefix}", override)


def function_url_endpoint(function_url: str, override: str | None) -> Endpoint:
    """The URL GetFunctionUrlConfig returned, accepted only in Lambda's own form."""
    _require(_FUNCTION_URL.fullmatch(function_url),
             f"the function URL Lambda returned, {function_url[:200]!r}, is not of the form "
             "https://ID.lambda-url.REGION.on.aws/")
    return Endpoint(function_url.rstrip("/") + "/", override)


def _domain(region: str) -> str:
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"


def _require_region(region: str) -> None:
    _require(_REGION.fullmatch(region), f"{region!r} is not an AWS region")


def _require(condition: object, message: str) -> None:
    if not condition:
        raise CorsdeployError(Problem(f"cannot probe: {message}"))


def refusal(url: str, override: str | None) -> str | None:
    """Why a probe must not connect to `url`, or None: under an override only the override endpoint
    itself; otherwise only https on port 443 to an AWS host name of a probed service."""
    target = normalized_url(url)
    if target is None:
        return f"{url[:200]!r} is not an http(s) URL"
    scheme, host, port, _ = target
    if override is not None:
        allowed = normalized_url(override)
        if allowed is None or (scheme, host, port) != allowed[:3]:
            return f"{scheme}://{host}:{port} is not the endpoint override {override[:200]}"
        return None
    if scheme != "https" or port != 443 or not any(p.fullmatch(host) for p in AWS_HOSTS):
        return f"{scheme}://{host}:{port} is not an AWS endpoint of S3, API Gateway or Lambda"
    return None


def host_header(url: str) -> str:
    """The Host header for a request to `url` (its authority, as written)."""
    return urlsplit(url).netloc


def is_aws_service_endpoint(url: str) -> bool:
    """Whether a client's endpoint is AWS's own (else it is an override: an emulator, a proxy)."""
    host = (urlsplit(url).hostname or "").lower()
    return bool(re.fullmatch(rf"[a-z0-9.-]+\.({_AWS_DOMAIN}|api\.aws)", host))
