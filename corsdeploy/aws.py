"""The one place that builds boto3 sessions and clients (providers and the sandbox share it).

boto3's usual chain applies (credentials, region, and endpoints: botocore itself resolves
AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE> and AWS_IGNORE_CONFIGURED_ENDPOINT_URLS); the file's
`aws` block narrows it. Clients are cached per (service, region) and safe to share between
threads; sessions are not, so all are built under a lock. API Gateway clients are paced to the
account's quotas (corsdeploy.providers.pacing); every call is retried by corsdeploy's own loop
(corsdeploy.providers.retry), never by botocore.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import CredentialResolver, DeferredRefreshableCredentials
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

from corsdeploy.endpoints import is_loopback_url
from corsdeploy.errors import AwsError, CorsdeployError
from corsdeploy.model import AwsSettings
from corsdeploy.providers import pacing
from corsdeploy.providers.operations import Operation, Phase, Principal, declared
from corsdeploy.providers.retry import Retry, notes
from corsdeploy.render.edge import register_secret
from corsdeploy.trust import trusted_settings

# Reads run in parallel: one connection per worker thread.
MAX_PARALLEL_CALLS = 16
# One attempt per botocore call: corsdeploy retries (providers.retry), since botocore's retry quota
# is per client and parallel calls at 50% faults exhaust it (facts §7.8).
_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 1},
    max_pool_connections=MAX_PARALLEL_CALLS,
    connect_timeout=10,
    read_timeout=30,
)
API_GATEWAY_SERVICES = frozenset({"apigateway", "apigatewayv2"})
ROLE_SESSION_NAME = "corsdeploy"
# A local emulator accepts any key: spares sandbox users from configuring fake ones.
_SANDBOX_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
# The two STS calls, declared like every provider's (corsdeploy.providers.operations).
# Any identity may ask who it is: GetCallerIdentity needs no permission.
GET_CALLER_IDENTITY = Operation("sts", "GetCallerIdentity", "sts:GetCallerIdentity", "", Phase.PLAN,
                                Principal.ANYONE)
# Allowed by the identity that assumes the role, not by the role itself.
ASSUME_ROLE = Operation("sts", "AssumeRole", "sts:AssumeRole", "{RoleArn}", Phase.PLAN, Principal.SOURCE)
OPERATIONS = (GET_CALLER_IDENTITY, ASSUME_ROLE)
SANDBOX_HINT = "for the local sandbox, run `corsdeploy sandbox up`"
NO_REGION = ("no AWS region: set aws.region in the environment file, `region` in the AWS profile, "
             "or AWS_REGION")


@dataclass(frozen=True)
class Identity:
    account: str
    arn: str


class Clients:
    """Session/client factory for one environment's `aws` settings.

    Every request corsdeploy sends goes through one of these, so building one is where a file's
    choices about credentials are checked (corsdeploy.trust): an untrusted endpoint, or a profile or
    role the runner pinned otherwise, is refused before anything is sent. `source` is the file the
    settings came from (for the message). `credentials` (boto3.Session keyword arguments) replace
    the chain; `pacers` replaces the process's shared API Gateway pacing (pacing.SHARED); `retry` is
    the retry policy of every call made through these clients (providers.calls and the identity).
    """

    def __init__(self, settings: AwsSettings, credentials: Mapping[str, str] | None = None,
                 pacers: pacing.PacerRegistry | None = None, source: str | None = None,
                 retry: Retry | None = None) -> None:
        self.settings = trusted_settings(settings, os.environ, source)
        self.retry = retry or Retry()
        self._explicit_credentials = dict(credentials or {})
        self._pacers = pacers
        self._lock = threading.Lock()
        self._identity_lock = threading.Lock()
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._session: boto3.Session | None = None
        self._identity: Identity | None = None

    @property
    def region(self) -> str:
        with self._lock:
            return self._region_locked()

    @property
    def partition(self) -> str:
        """The AWS partition of the environment's region (aws, aws-cn, aws-us-gov, ...): ARNs name it."""
        with self._lock:
            session = self._session_locked()
            return str(session.get_partition_for_region(self._region_locked()))

    def account(self) -> str:
        """The account the environment works in: `aws.account_id`, else the caller's (asked once)."""
        return self.settings.account_id or self.identity().account

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self._create_client(service, region or self._region_locked())
            return self._clients[key]

    def endpoints(self) -> tuple[tuple[str, str], ...]:
        """(service, effective endpoint URL) of every client made so far (the plan header shows them)."""
        with self._lock:
            return tuple(sorted({(service, str(client.meta.endpoint_url))
                                 for (service, _), client in self._clients.items()}))

    def identity(self) -> Identity:
        """The caller's account, from sts:GetCallerIdentity (asked once)."""
        with self._identity_lock:
            if self._identity is None:
                try:
                    with declared(GET_CALLER_IDENTITY):
                        sts = self.client("sts")
                        reply = self.retry.run(sts.get_caller_identity)
                except (ClientError, *TRANSPORT_ERRORS) as error:
                    raise translate(error, "sts:GetCallerIdentity") from error
                self._identity = Identity(account=reply["Account"], arn=reply["Arn"])
            return self._identity

    def check_account(self) -> Identity:
        """Refuse to go on when the caller is not in the file's `aws.account_id`."""
        identity = self.identity()
        expected = self.settings.account_id
        if expected and identity.account != expected:
            raise CorsdeployError(
                f"wrong AWS account: the environment expects account {expected}, "
                f"but the credentials belong to {identity.account}; nothing was read or changed"
            )
        return identity

    # --- building ---------------------------------------------------------------------------------

    def _region_locked(self) -> str:
        region = self._session_locked().region_name
        if not region:
            raise CorsdeployError(NO_REGION)
        return str(region)

    def _create_client(self, service: str, region: str) -> Any:
        session, endpoint_url = self._session_locked(), self.settings.endpoint_url
        client = _sandbox_aware_client(session, service, region, endpoint_url, _CONFIG)
        if service in API_GATEWAY_SERVICES:
            registry = self._pacers or pacing.SHARED
            hooks = pacing.ApiGatewayHooks(lambda: registry.pacer(self.identity().account, region))
            hooks.install(client)
        return client

    def _session_locked(self) -> boto3.Session:
        if self._session is None:
            source = self._source_session()
            self._session = self._assumed_session(source) if self.settings.assume_role else source
        return self._session

    def _source_session(self) -> boto3.Session:
        settings = self.settings
        try:
            session = boto3.Session(profile_name=settings.profile, region_name=settings.region,
                                    **self._explicit_credentials)
        except ProfileNotFound as error:
            raise CorsdeployError(_unknown_profile(settings.profile, error)) from error
        # A profile's, SSO's or credential_process's credentials: the output edge must redact them.
        found = session.get_credentials()
        if found is not None:
            register_secret(*found.get_frozen_credentials())
        return session

    def _assumed_session(self, source: boto3.Session) -> boto3.Session:
        """The role's session: refreshable credentials, and every setting of the source's profile."""
        role_arn = str(self.settings.assume_role)
        region = source.region_name
        if not region:
            raise CorsdeployError(NO_REGION)

        def sts() -> Any:
            return _sandbox_aware_client(source, "sts", region, self.settings.endpoint_url, _CONFIG)

        credentials = assumed_role_credentials(sts, role_arn)
        # Same profile, same config files: region, endpoints, CA bundle, ... carry over; only
        # where credentials come from changes.
        core = botocore.session.Session(profile=self.settings.profile)
        core.register_component("credential_provider", CredentialResolver([_Given(credentials)]))
        return boto3.Session(botocore_session=core, region_name=region)


class _Given:
    """Credentials built elsewhere (the assumed role's), offered to botocore's resolver (which only
    asks a provider for METHOD, CANONICAL_NAME and load())."""

    METHOD = "assume-role"
    CANONICAL_NAME = None

    def __init__(self, credentials: DeferredRefreshableCredentials) -> None:
        self._credentials = credentials

    def load(self) -> DeferredRefreshableCredentials:
        return self._credentials


def _utc_now() -> datetime:
    return datetime.now(UTC)


def assumed_role_credentials(sts: Callable[[], Any], role_arn: str,
                             now: Callable[[], datetime] = _utc_now) -> DeferredRefreshableCredentials:
    """Credentials of `role_arn`, assumed on first use and again before they expire (1 h by default)."""
    def assume() -> dict[str, str]:
        try:
            with declared(ASSUME_ROLE):
                reply = sts().assume_role(RoleArn=role_arn, RoleSessionName=ROLE_SESSION_NAME)["Credentials"]
        except (ClientError, BotoCoreError) as error:
            raise translate(error, "sts:AssumeRole") from error
        # Never in the environment: the output edge must know them to redact them.
        register_secret(reply["AccessKeyId"], reply["SecretAccessKey"], reply["SessionToken"])
        return {"access_key": reply["AccessKeyId"], "secret_key": reply["SecretAccessKey"],
                "token": reply["SessionToken"], "expiry_time": reply["Expiration"].isoformat()}

    return DeferredRefreshableCredentials(refresh_using=assume, method="assume-role", time_fetcher=now)


def _sandbox_aware_client(session: boto3.Session, service: str, region: str, endpoint_url: str | None,
                          config: Config) -> Any:
    """A client; with the sandbox's credentials when it talks to loopback and none are configured."""
    client = session.client(service, region_name=region, endpoint_url=endpoint_url, config=config)
    if is_loopback_url(str(client.meta.endpoint_url)) and session.get_credentials() is None:
        client = session.client(service, region_name=region, endpoint_url=endpoint_url, config=config,
                                **_SANDBOX_CREDENTIALS)
    return client


def _unknown_profile(profile: str | None, error: ProfileNotFound) -> str:
    name = profile or error.kwargs.get("profile", "")
    where = "aws.profile" if profile else "AWS_PROFILE"
    known = ", ".join(sorted(botocore.session.Session(profile=None).available_profiles)) or "none"
    return (f"{where}: no AWS profile named {name!r} in the AWS config files (~/.aws/config, "
            f"~/.aws/credentials): create it with `aws configure --profile {name}` or name one "
            f"that exists (profiles: {known})")


_ACCESS_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Forbidden",
                  "UnrecognizedClientException", "InvalidAccessKeyId", "SignatureDoesNotMatch"}
_EXPIRED = {"ExpiredToken", "ExpiredTokenException"}


def error_code(error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", "") or type(error).__name__)


# Failures before, or instead of, an AWS answer: the network, or an endpoint that is not AWS.
TRANSPORT_ERRORS: tuple[type[Exception], ...] = (BotoCoreError, ResponseParserError)
NOT_AWS = "the endpoint's answer is not an AWS response: check aws.endpoint_url or AWS_ENDPOINT_URL"


def translate(error: Exception, action: str, address: str | None = None) -> AwsError:
    """One translation of botocore errors into messages that say cause and fix (never a secret)."""
    code = error_code(error)
    response = getattr(error, "response", None) or {}
    message = str(response.get("Error", {}).get("Message", "") or error)
    if code in _ACCESS_DENIED:
        message = f"access denied for {action}: the caller needs permission {action} ({message})"
    elif code in _EXPIRED:
        message = ("the AWS credentials have expired: renew them (e.g. `aws sso login`, or new keys "
                   f"for the profile) and run again ({message})")
    elif isinstance(error, BotoCoreError):
        message = _botocore_message(error) or message
    elif isinstance(error, ResponseParserError):
        code, message = "InvalidResponse", f"{NOT_AWS} ({message})"
    if address is None and isinstance(error, TRANSPORT_ERRORS):
        message = f"{action}: {message}"  # no resource to name: say which call met it
    message += notes(error)
    return AwsError(code, message, address=address)


def _botocore_message(error: BotoCoreError) -> str | None:
    """Cause and fix for failures that happen before AWS answers."""
    if isinstance(error, (NoCredentialsError, PartialCredentialsError)):
        return ("no AWS credentials found: set AWS_PROFILE or aws.profile, or AWS_ACCESS_KEY_ID and "
                f"AWS_SECRET_ACCESS_KEY; {SANDBOX_HINT}")
    url = str(error.kwargs.get("endpoint_url", ""))
    if isinstance(error, (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError)):
        if url and is_loopback_url(url):
            return (f"nothing answers at {_origin(url)}: {SANDBOX_HINT} (or correct aws.endpoint_url "
                    "or AWS_ENDPOINT_URL)")
        return (f"cannot reach {_origin(url) or 'AWS'}: check the network connection, proxy settings "
                "and the endpoint (aws.endpoint_url, AWS_ENDPOINT_URL)")
    if isinstance(error, ConnectionClosedError):
        return (f"{_origin(url) or 'the endpoint'} closed the connection without answering: check the "
                "network connection, proxy settings and the endpoint")
    return None


def _origin(url: str) -> str:
    parts = urlparse(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else url
