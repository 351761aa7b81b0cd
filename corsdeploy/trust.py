"""What an environment file may decide about the runner's credentials, checked before any request.

A file may come from an untrusted pull request. Its `aws.endpoint_url` is where the runner's signed
requests (and session token) go, so it is used only on loopback or when the runner lists the same
URL in CORSDEPLOY_TRUSTED_ENDPOINTS. Its `aws.profile` and `aws.assume_role` choose among the
runner's profiles and roles; with CORSDEPLOY_PINNED=1 the runner decides them instead.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import urlsplit

from corsdeploy.endpoints import is_loopback_url
from corsdeploy.errors import CorsdeployError, Problem
from corsdeploy.model import AwsSettings

TRUSTED_ENDPOINTS_VARIABLE = "CORSDEPLOY_TRUSTED_ENDPOINTS"
PINNED_VARIABLE = "CORSDEPLOY_PINNED"
PROFILE_VARIABLE = "CORSDEPLOY_PROFILE"
ROLE_VARIABLE = "CORSDEPLOY_ASSUME_ROLE"
_ON = {"1", "true", "yes"}
_OFF = {"", "0", "false", "no"}
_DEFAULT_PORTS = {"http": 80, "https": 443}
# A URL echoed in a message is cut here: a file's value must not become a 10 MB error line.
_SHOWN_LENGTH = 200

# (scheme, host, port, path): two spellings of one endpoint compare equal.
NormalizedUrl = tuple[str, str, int, str]


def trusted_settings(settings: AwsSettings, environ: Mapping[str, str],
                     source: str | None = None) -> AwsSettings:
    """The settings to use: refuses an untrusted endpoint or, when pinned, a file-chosen profile or role."""
    _check_endpoint(settings, environ, source)
    return _pinned(settings, environ, source)


def normalized_url(url: str) -> NormalizedUrl | None:
    """Scheme, host, port (the scheme's default when absent) and path without its trailing slash."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    return scheme, host, port or _DEFAULT_PORTS[scheme], parts.path.rstrip("/")


def is_trusted_endpoint(url: str, environ: Mapping[str, str]) -> bool:
    """Loopback, or the same URL as one listed in CORSDEPLOY_TRUSTED_ENDPOINTS."""
    wanted = normalized_url(url)
    if wanted is None:
        return False
    listed = {normalized_url(item) for item in environ.get(TRUSTED_ENDPOINTS_VARIABLE, "").split(",")}
    return is_loopback_url(url) or wanted in listed


def _check_endpoint(settings: AwsSettings, environ: Mapping[str, str], source: str | None) -> None:
    url = settings.endpoint_url
    if url is None or is_trusted_endpoint(url, environ):
        return
    raise _refusal(
        _where(settings, "endpoint_url", source), "aws.endpoint_url",
        f"{_shown(url)} is not a loopback address (127.0.0.0/8, ::1, localhost) nor listed in "
        f"{TRUSTED_ENDPOINTS_VARIABLE}: a file cannot choose where the runner's credentials go; to "
        f"use this endpoint, add the same URL to {TRUSTED_ENDPOINTS_VARIABLE} (comma-separated) "
        "outside the file; nothing was sent")


def _pinned(settings: AwsSettings, environ: Mapping[str, str], source: str | None) -> AwsSettings:
    """With CORSDEPLOY_PINNED=1, the profile and role are CORSDEPLOY_PROFILE and CORSDEPLOY_ASSUME_ROLE."""
    switch = environ.get(PINNED_VARIABLE, "").strip().lower()
    if switch not in _ON | _OFF:
        raise CorsdeployError(f"{PINNED_VARIABLE} must be 1 or 0, not {_shown(switch)}")
    profile, role = environ.get(PROFILE_VARIABLE) or None, environ.get(ROLE_VARIABLE) or None
    if switch in _OFF:
        given = [name for name, value in ((PROFILE_VARIABLE, profile), (ROLE_VARIABLE, role)) if value]
        if given:
            # Said rather than ignored: a pipeline that meant to pin must not run unpinned.
            raise CorsdeployError(f"{' and '.join(given)} is set but {PINNED_VARIABLE} is not: "
                                  f"set {PINNED_VARIABLE}=1 to pin the profile and role")
        return settings
    for field, chosen, pinned, variable in (("aws.profile", settings.profile, profile, PROFILE_VARIABLE),
                                            ("aws.assume_role", settings.assume_role, role, ROLE_VARIABLE)):
        if chosen is not None and chosen != pinned:
            pinned_to = _shown(pinned) if pinned else "none"
            raise _refusal(
                _where(settings, field.removeprefix("aws."), source), field,
                f"{_shown(chosen)} is not the pinned value ({variable}: {pinned_to}): with "
                f"{PINNED_VARIABLE}=1 the file cannot choose it; remove {field} from the file or "
                f"set {variable} outside it; nothing was sent")
    return replace(settings, profile=profile, assume_role=role)


def _where(settings: AwsSettings, field: str, source: str | None) -> str | None:
    """file:line:col of the field when the settings came from a file, else the file's name."""
    location = settings.locations.get(field)
    return str(location) if location is not None else source


def _refusal(source: str | None, field: str, message: str) -> CorsdeployError:
    return CorsdeployError(Problem(f"{source + ': ' if source else ''}{field}: {message}"))


def _shown(value: str) -> str:
    return repr(value if len(value) <= _SHOWN_LENGTH else value[:_SHOWN_LENGTH] + "…")
