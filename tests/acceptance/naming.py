"""Names for the suite's throwaway resources: one unique prefix per run, valid for every service."""
from __future__ import annotations

import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

PREFIX_ROOT = "cdacc"
# cdacc-YYYYMMDD-HHMMSS-xxxxxxxx: sortable by creation time, and recognisable when a run was killed.
PREFIX_PATTERN = re.compile(rf"{PREFIX_ROOT}-\d{{8}}-\d{{6}}-[0-9a-f]{{8}}")
TOKEN_BYTES = 4

# Service naming rules (each service's documentation and the botocore models).
BUCKET_MIN, BUCKET_MAX = 3, 63
_BUCKET_CHARS = re.compile(r"[a-z0-9][a-z0-9.-]*[a-z0-9]")
_BUCKET_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
FUNCTION_MAX = 64
_FUNCTION_CHARS = re.compile(r"[A-Za-z0-9_-]+")
ROLE_MAX = 64
_ROLE_CHARS = re.compile(r"[\w+=,.@-]+")
API_NAME_MAX = 128
STAGE_MAX = 128
_REST_STAGE_CHARS = re.compile(r"[A-Za-z0-9_]+")  # CreateDeployment refuses hyphens in REST stage names
_HTTP_STAGE_CHARS = re.compile(r"[A-Za-z0-9_-]+")
STATEMENT_ID_MAX = 100
_STATEMENT_ID_CHARS = re.compile(r"[A-Za-z0-9_.-]+")

REST_STAGE = "acc"
HTTP_MANUAL_STAGE = "manual"  # created with AutoDeploy false
HTTP_AUTO_STAGE = "$default"


def new_prefix(now: datetime | None = None, token: str | None = None) -> str:
    """`cdacc-<UTC date>-<UTC time>-<8 random hex digits>`."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return f"{PREFIX_ROOT}-{moment:%Y%m%d-%H%M%S}-{token or secrets.token_hex(TOKEN_BYTES)}"


def is_suite_name(name: str) -> bool:
    """Whether a resource name was made by this suite (to find what a killed run left behind)."""
    return PREFIX_PATTERN.match(name) is not None


def bucket_name_problems(name: str) -> list[str]:
    """Why S3 would refuse `name` as a general purpose bucket name (empty when it would not)."""
    problems = []
    if not BUCKET_MIN <= len(name) <= BUCKET_MAX:
        problems.append(f"bucket name {name!r} must be {BUCKET_MIN}-{BUCKET_MAX} characters long")
    if not _BUCKET_CHARS.fullmatch(name):
        problems.append(f"bucket name {name!r}: lowercase letters, digits, '.' and '-', "
                        "beginning and ending with a letter or digit")
    if ".." in name:
        problems.append(f"bucket name {name!r} has two adjacent periods")
    if _is_ip_address(name):
        problems.append(f"bucket name {name!r} is formatted as an IP address")
    if name.startswith(_BUCKET_RESERVED_PREFIXES) or name.endswith(_BUCKET_RESERVED_SUFFIXES):
        problems.append(f"bucket name {name!r} uses a reserved prefix or suffix")
    return problems


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _pattern_problems(kind: str, name: str, pattern: re.Pattern[str], most: int) -> list[str]:
    problems = []
    if not 1 <= len(name) <= most:
        problems.append(f"{kind} {name!r} must be 1-{most} characters long")
    if not pattern.fullmatch(name):
        problems.append(f"{kind} {name!r} has characters outside {pattern.pattern}")
    return problems


@dataclass(frozen=True)
class Names:
    """Every name one run uses, all derived from its prefix."""

    prefix: str

    @property
    def bucket(self) -> str:
        return f"{self.prefix}-bucket"

    @property
    def role(self) -> str:
        return f"{self.prefix}-role"

    @property
    def function(self) -> str:
        return f"{self.prefix}-fn"

    @property
    def http_api(self) -> str:
        return f"{self.prefix}-http"

    @property
    def rest_api(self) -> str:
        return f"{self.prefix}-rest"

    def statement_id(self, purpose: str) -> str:
        """A Lambda permission statement id (unique within the function's policy)."""
        return f"{self.prefix}-{purpose}"

    def problems(self) -> list[str]:
        """Everything any service would refuse among these names (empty when all are valid)."""
        return [
            *bucket_name_problems(self.bucket),
            *_pattern_problems("function name", self.function, _FUNCTION_CHARS, FUNCTION_MAX),
            *_pattern_problems("role name", self.role, _ROLE_CHARS, ROLE_MAX),
            *_pattern_problems("REST API name", self.rest_api, re.compile(r"\S+"), API_NAME_MAX),
            *_pattern_problems("HTTP API name", self.http_api, re.compile(r"\S+"), API_NAME_MAX),
            *_pattern_problems("REST stage", REST_STAGE, _REST_STAGE_CHARS, STAGE_MAX),
            *_pattern_problems("HTTP stage", HTTP_MANUAL_STAGE, _HTTP_STAGE_CHARS, STAGE_MAX),
            *_pattern_problems("statement id", self.statement_id("apigateway"), _STATEMENT_ID_CHARS,
                               STATEMENT_ID_MAX),
        ]


def new_names(now: datetime | None = None, token: str | None = None) -> Names:
    """A fresh set of names; ValueError if any service would refuse one."""
    names = Names(new_prefix(now, token))
    problems = names.problems()
    if problems:
        raise ValueError("; ".join(problems))
    return names
