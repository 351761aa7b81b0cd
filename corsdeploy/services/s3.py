"""S3 bucket CORS: the wire shape is `{"CORSRules": [...]}` and rule order is behaviour."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from corsdeploy.model import Kind, Live, Resource
from corsdeploy.shapes import rules_to_s3


def _lower_set(values: Any) -> list[str]:
    return sorted({str(v).lower() for v in values or ()})


def _set(values: Any) -> list[str]:
    return sorted({str(v) for v in values or ()})


def normalize_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    """Methods and origins compare as sets, header names as case-insensitive sets (S3 matches
    requested headers case-insensitively); `[]` equals absent; ID and MaxAgeSeconds exactly."""
    return {
        "ID": rule.get("ID"),
        "AllowedOrigins": _set(rule.get("AllowedOrigins")),
        "AllowedMethods": _set(rule.get("AllowedMethods")),
        "AllowedHeaders": _lower_set(rule.get("AllowedHeaders")),
        "ExposeHeaders": _lower_set(rule.get("ExposeHeaders")),
        "MaxAgeSeconds": rule.get("MaxAgeSeconds"),
    }


class S3Service:
    kind = Kind.S3_BUCKET

    def desired(self, resource: Resource, live: Live) -> dict[str, Any] | None:
        if resource.cors is None:
            return None
        return {"CORSRules": rules_to_s3(resource.cors)}

    def normalize(self, wire: Mapping[str, Any] | None) -> dict[str, Any] | None:
        rules = (wire or {}).get("CORSRules") or []
        # S3 uses the first matching rule, so the list stays ordered.
        return {"CORSRules": [normalize_rule(rule) for rule in rules]} if rules else None


SERVICE = S3Service()
