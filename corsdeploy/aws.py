"""The one place that builds boto3 sessions and clients (providers and the sandbox share it).

boto3's usual credential chain applies; the file's `aws` block narrows it. Clients are cached
per (service, region) and safe to share between threads; sessions are not, so all are built
under a lock.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import boto3
from botocore.config import Config

from corsdeploy.errors import AwsError, CorsdeployError
from corsdeploy.model import AwsSettings

# Reads run in parallel: one connection per worker thread.
MAX_PARALLEL_CALLS = 16
_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 5},
    max_pool_connections=MAX_PARALLEL_CALLS,
    connect_timeout=10,
    read_timeout=30,
)


@dataclass(frozen=True)
class Identity:
    account: str
    arn: str


def is_loopback_url(url: str) -> bool:
    host = urlparse(url).hostname or ""
    return host == "localhost" or host == "::1" or host.startswith("127.")


class Clients:
    """Session/client factory for one environment's `aws` settings."""

    def __init__(self, settings: AwsSettings, credentials: dict[str, str] | None = None) -> None:
        self.settings = settings
        self.endpoint_url = settings.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
        self._explicit_credentials = credentials or {}
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._session: boto3.Session | None = None

    @property
    def region(self) -> str:
        return self._base_session().region_name or "us-east-1"

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self._session_locked().client(
                    service,
                    region_name=region or self._session_locked().region_name or "us-east-1",
                    endpoint_url=self.endpoint_url,
                    config=_CONFIG,
                )
            return self._clients[key]

    def identity(self) -> Identity:
        """The caller's account, from sts:GetCallerIdentity."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            reply = self.client("sts").get_caller_identity()
        except ClientError as error:
            raise translate(error, "sts:GetCallerIdentity") from error
        except BotoCoreError as error:
            raise CorsdeployError(f"cannot reach AWS: {error}") from error
        return Identity(account=reply["Account"], arn=reply["Arn"])

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

    def _base_session(self) -> boto3.Session:
        with self._lock:
            return self._session_locked()

    def _session_locked(self) -> boto3.Session:
        if self._session is None:
            self._session = self._build_session()
        return self._session

    def _build_session(self) -> boto3.Session:
        from botocore.exceptions import BotoCoreError, ClientError

        settings = self.settings
        try:
            session = boto3.Session(
                profile_name=settings.profile, region_name=settings.region, **self._explicit_credentials
            )
        except BotoCoreError as error:
            raise CorsdeployError(f"aws.profile: {error}") from error
        if self.endpoint_url and is_loopback_url(self.endpoint_url) and session.get_credentials() is None:
            # A local emulator accepts any key: spare sandbox users from configuring fake ones.
            session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name=session.region_name)
        if not settings.assume_role:
            return session
        sts = session.client("sts", endpoint_url=self.endpoint_url, config=_CONFIG)
        try:
            creds = sts.assume_role(RoleArn=settings.assume_role, RoleSessionName="corsdeploy")["Credentials"]
        except ClientError as error:
            raise translate(error, "sts:AssumeRole") from error
        return boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=session.region_name,
        )


_ACCESS_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Forbidden",
                  "UnrecognizedClientException", "InvalidAccessKeyId", "SignatureDoesNotMatch"}


def error_code(error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", "") or type(error).__name__)


def translate(error: Exception, action: str, address: str | None = None) -> AwsError:
    """One translation of botocore errors into messages a user can act on (never a secret)."""
    code = error_code(error)
    response = getattr(error, "response", None) or {}
    message = str(response.get("Error", {}).get("Message", "") or error)
    if code in _ACCESS_DENIED:
        message = f"access denied for {action}: the caller needs permission {action} ({message})"
    return AwsError(code, message, address=address)
