"""Which resource of an environment serves a URL a browser requested.

The URL says what kind of endpoint it is and names it: an S3 bucket (virtual-hosted or path-style,
dualstack, FIPS, accelerate and website endpoints; or an endpoint override such as the sandbox, path-
style), an API Gateway API by its id (HTTP and REST APIs share `execute-api` hosts), a Lambda
function URL by its own id. Buckets are named in a file; API ids only with `id:`, function URL ids
never: the engine reads those from AWS (`--live`) and passes them here as `identities`.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from corsdeploy.errors import CorsdeployError
from corsdeploy.model import AwsSettings, Environment, Kind, Resource
from corsdeploy.trust import normalized_url

_AMAZON_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn")
# The S3 endpoint label: s3, s3-REGION (legacy), s3-fips, s3-accelerate, s3-website(-REGION),
# s3-external-1; it may be followed by `dualstack` and a region label.
_REGION_TEXT = r"[a-z]{2}(?:-[a-z]{1,10}){1,3}-\d{1,2}"
_S3_LABEL = re.compile(rf"s3(?:-fips|-accelerate|-website|-external-1)?(?:-{_REGION_TEXT})?")
_REGION = re.compile(_REGION_TEXT)
# API Gateway: API_ID.execute-api.REGION.amazonaws.com; Lambda: URL_ID.lambda-url.REGION.on.aws.
_API_HOST = re.compile(r"(?P<id>[a-z0-9]{1,64})\.execute-api\.[a-z0-9-]{1,40}\.amazonaws\.com(?:\.cn)?")
_FUNCTION_URL_HOST = re.compile(r"[a-z0-9]{1,64}\.lambda-url\.[a-z0-9-]{1,40}\.on\.aws")
_API_KINDS = (Kind.HTTP_API, Kind.REST_API)
_SHOWN = 200


@dataclass(frozen=True)
class Target:
    """What a URL addresses, as far as the URL itself says."""

    url: str
    kinds: tuple[Kind, ...]
    # The bucket's name, the API's id, or the function URL's host.
    key: str
    # The URL's path below the bucket (S3), or the whole path (APIs, function URLs).
    path: str

    @property
    def what(self) -> str:
        """What would serve the URL, in words."""
        if self.kinds == (Kind.S3_BUCKET,):
            return f"the S3 bucket {self.key!r} (an s3_buckets entry named {self.key!r})"
        if self.kinds == _API_KINDS:
            return (f"the API with id {self.key!r} (an http_apis or rest_apis entry with `id: {self.key}`, "
                    "or one that --live finds by name)")
        return f"the function URL {self.key!r} (a function_urls entry that --live finds with that URL)"


@dataclass(frozen=True)
class Served:
    """The resource that serves a URL, and the path the simulator needs (REST: below the stage)."""

    resource: Resource
    path: str | None = None
    notes: tuple[str, ...] = ()


def target_of(url: str, endpoints: Sequence[str] = ()) -> Target:
    """What `url` addresses; `endpoints` are the environment's endpoint overrides (sandbox), whose
    URLs address S3 path-style. A CorsdeployError when it is no endpoint corsdeploy manages."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError as error:
        raise CorsdeployError(f"{_shown(url)} is not a URL ({error})") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise CorsdeployError(f"{_shown(url)} is not an http or https URL")
    path = parts.path or "/"
    found = (_on_endpoint(url, host, port, path, endpoints) or _s3(url, host, path) or _api(url, host, path)
             or _function_url(url, host, path))
    if found is None:
        raise CorsdeployError(
            f"{_shown(url)} is not an endpoint corsdeploy manages: expected an S3 bucket URL "
            "(BUCKET.s3.REGION.amazonaws.com or s3.REGION.amazonaws.com/BUCKET), an API Gateway invoke URL "
            "(API_ID.execute-api.REGION.amazonaws.com/STAGE), a Lambda function URL (URL_ID.lambda-url."
            "REGION.on.aws), or the environment's endpoint_url; a custom domain name cannot be traced to "
            "its resource")
    return found


def _on_endpoint(url: str, host: str, port: int | None, path: str, endpoints: Sequence[str]) -> Target | None:
    """An endpoint override serves S3 path-style (and virtual-hosted below its host, as for localhost)."""
    wanted = normalized_url(url)
    for endpoint in endpoints:
        base = normalized_url(endpoint)
        if wanted is None or base is None or (wanted[0], wanted[2]) != (base[0], base[2]):
            continue
        if host == base[1] and (path + "/").startswith(base[3] + "/"):
            return _path_style(url, path[len(base[3]):])
        if host.endswith("." + base[1]):
            return Target(url, (Kind.S3_BUCKET,), host.removesuffix("." + base[1]), path)
    return None


def _s3(url: str, host: str, path: str) -> Target | None:
    suffix = next((s for s in _AMAZON_SUFFIXES if host.endswith(s)), None)
    if suffix is None:
        return None
    labels = host.removesuffix(suffix).split(".")
    # From the right: [region], [dualstack], the S3 label; what is left of it is the bucket.
    end = len(labels) - 1
    if end > 0 and _REGION.fullmatch(labels[end]):
        end -= 1
    if end > 0 and labels[end] == "dualstack":
        end -= 1
    if not _S3_LABEL.fullmatch(labels[end]):
        return None
    bucket = ".".join(labels[:end])
    return Target(url, (Kind.S3_BUCKET,), bucket, path) if bucket else _path_style(url, path)


def _path_style(url: str, path: str) -> Target:
    bucket, _, rest = path.lstrip("/").partition("/")
    if not bucket:
        raise CorsdeployError(f"{_shown(url)} names no bucket: a path-style S3 URL is ENDPOINT/BUCKET/KEY")
    return Target(url, (Kind.S3_BUCKET,), unquote(bucket), "/" + rest)


def _api(url: str, host: str, path: str) -> Target | None:
    match = _API_HOST.fullmatch(host)
    return Target(url, _API_KINDS, match.group("id"), path) if match else None


def _function_url(url: str, host: str, path: str) -> Target | None:
    return Target(url, (Kind.FUNCTION_URL,), host, path) if _FUNCTION_URL_HOST.fullmatch(host) else None


def candidates(environment: Environment, target: Target) -> tuple[Resource, ...]:
    """The resources whose identity only AWS knows and that could serve `target` (what --live reads):
    APIs without `id:` and every function URL."""
    return tuple(r for r in environment.resources
                 if r.kind in target.kinds and r.kind is not Kind.S3_BUCKET and not r.settings.get("id"))


def served_by(environment: Environment, target: Target,
              identities: Mapping[str, str] | None = None) -> Served | None:
    """The resource of `environment` that serves `target`; `identities` (address -> API id or function
    URL host, read from AWS) for those the file does not identify. None when none does."""
    identities = identities or {}
    for resource in environment.resources:
        if resource.kind in target.kinds and _identity(resource, identities) == target.key:
            return _served(resource, target)
    return None


def _identity(resource: Resource, identities: Mapping[str, str]) -> str | None:
    if resource.kind is Kind.S3_BUCKET:
        return resource.name
    return str(resource.settings.get("id") or "") or identities.get(resource.address)


def _served(resource: Resource, target: Target) -> Served:
    if resource.kind is not Kind.REST_API:
        return Served(resource, target.path)
    # A REST API's invoke URL is /STAGE/PATH; corsdeploy deploys the entry's CORS to its `stage:`.
    stage, _, rest = target.path.lstrip("/").partition("/")
    path = "/" + rest
    wanted = str(resource.settings.get("stage"))
    if unquote(stage) == wanted:
        return Served(resource, path)
    note = (f"the URL names stage {unquote(stage)!r}, but {resource.address} deploys to stage {wanted!r}: "
            f"the answer is what {wanted!r} serves")
    return Served(resource, path, (note,))


def not_served(environment: Environment, target: Target, live: bool) -> CorsdeployError:
    """The one-line error for a URL no resource of the environment serves."""
    hint = "" if live or target.kinds == (Kind.S3_BUCKET,) else "; run with --live to look the ids up in AWS"
    return CorsdeployError(f"{_shown(target.url)}: no resource of environment {environment.name!r} "
                           f"serves it; {target.what} would{hint}")


def _shown(text: str) -> str:
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "…")


def endpoint_overrides(aws: AwsSettings, environ: Mapping[str, str]) -> tuple[str, ...]:
    """Where S3 requests go instead of AWS: the file's endpoint_url, then the variables botocore
    honours (facts §7.8), unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS says not to."""
    ignored = environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() == "true"
    configured = () if ignored else (environ.get("AWS_ENDPOINT_URL_S3"), environ.get("AWS_ENDPOINT_URL"))
    return tuple(url for url in (aws.endpoint_url, *configured) if url)
