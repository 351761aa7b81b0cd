"""What the lifecycle asks corsdeploy for, phase by phase, and the environment file saying it."""
from __future__ import annotations

import enum
import secrets
from collections.abc import Mapping
from typing import Any

import yaml

from tests.acceptance.naming import HTTP_MANUAL_STAGE, REST_STAGE, Names

# Origins under the reserved .example TLD: nothing real answers or sends them.
APP = "https://app.cdacc.example"
ADMIN = "https://admin.cdacc.example"
EVIL = "https://evil.cdacc.example"
PROBE_HEADER = "x-cdacc-probe"
EXPOSED_HEADER = "x-cdacc-exposed"
REST_PATH = "/items"
ABSENT = "absent"


def fresh_origin(label: str) -> str:
    """An origin no earlier configuration listed: once it is answered, the new configuration is live."""
    return f"https://{label}-{secrets.token_hex(4)}.cdacc.example"


class Phase(enum.Enum):
    INITIAL = "initial"  # CORS everywhere, as the first apply creates it
    CHANGED = "changed"  # fields and origins removed or added
    ABSENT = "absent"  # `cors: absent` for each resource


S3_RULES: list[dict[str, Any]] = [{
    "ID": "app",
    "AllowedOrigins": [APP],
    "AllowedMethods": ["GET", "PUT"],
    "AllowedHeaders": ["Content-Type", PROBE_HEADER],
    "ExposeHeaders": ["ETag"],
    "MaxAgeSeconds": 300,
}]

HTTP_CORS: dict[Phase, Any] = {
    Phase.INITIAL: {"AllowOrigins": [APP, ADMIN], "AllowMethods": ["GET", "PUT"],
                    "AllowHeaders": ["Content-Type", PROBE_HEADER], "ExposeHeaders": [EXPOSED_HEADER],
                    "MaxAge": 300, "AllowCredentials": True},
    # Every field but two removed from the file: each must be removed live too (UpdateApi merges).
    Phase.CHANGED: {"AllowOrigins": [APP], "AllowMethods": ["GET"]},
    Phase.ABSENT: ABSENT,
}

REST_CORS: dict[Phase, Any] = {
    Phase.INITIAL: {"AllowOrigins": [APP], "AllowMethods": ["GET", "PUT"],
                    "AllowHeaders": ["Content-Type", PROBE_HEADER], "MaxAge": 300},
    # Two origins: the preflight answers through the response template.
    Phase.CHANGED: {"AllowOrigins": [APP, ADMIN], "AllowMethods": ["GET"]},
    Phase.ABSENT: ABSENT,
}

FUNCTION_CORS: dict[Phase, Any] = {
    Phase.INITIAL: {"AllowOrigins": [APP], "AllowMethods": ["GET", "PUT"],
                    "AllowHeaders": ["Content-Type", PROBE_HEADER], "ExposeHeaders": [EXPOSED_HEADER],
                    "MaxAge": 300},
    Phase.CHANGED: {"AllowOrigins": [ADMIN], "AllowMethods": ["GET"]},
    Phase.ABSENT: ABSENT,
}


def addresses(names: Names) -> dict[str, str]:
    """Each kind's address in the environment file."""
    return {
        "s3": f"s3_bucket.{names.bucket}",
        "http": f"http_api.{names.http_api}",
        "rest": f"rest_api.{names.rest_api}",
        "function": f"function_url.{names.function}",
    }


def environment(names: Names, region: str, account_id: str | None, phase: Phase, *,
                http_stage: bool = True) -> dict[str, Any]:
    """The environment document for one phase (`http_stage=False` leaves the HTTP API's
    non-auto-deploy stage to the plan's warning)."""
    http_entry: dict[str, Any] = {"cors": HTTP_CORS[phase]}
    if http_stage:
        http_entry = {"stage": HTTP_MANUAL_STAGE, **http_entry}
    aws: dict[str, Any] = {"region": region}
    if account_id:
        aws["account_id"] = account_id
    return {
        "aws": aws,
        "s3_buckets": {names.bucket: {"cors": ABSENT if phase is Phase.ABSENT else S3_RULES}},
        "http_apis": {names.http_api: http_entry},
        "rest_apis": {names.rest_api: {"stage": REST_STAGE, "resources": [REST_PATH],
                                       "cors": REST_CORS[phase]}},
        "function_urls": {names.function: {"cors": FUNCTION_CORS[phase]}},
    }


def render(document: Mapping[str, Any], prefix: str) -> str:
    """The document as an environment file (YAML), saying where it came from."""
    header = (f"# Written by corsdeploy's acceptance suite for throwaway resources named {prefix}-*.\n"
              "# They are deleted when the run ends.\n")
    return header + yaml.safe_dump(dict(document), sort_keys=False, default_flow_style=False)
