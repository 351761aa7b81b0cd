"""S3 bucket CORS: the wire shape is `{"CORSRules": [...]}` and rule order is behaviour."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from corsdeploy.model import Kind, Live, Resource
from corsdeploy.shapes import rules_to_s3


def _exact(value: Any) -> str:
    return str(value)


def _caseless(value: Any) -> str:
    return str(value).lower()


# How S3 compares one item of each list field: header names without regard to case.
ITEM_FOLDS: Mapping[str, Callable[[Any], str]] = {
    "AllowedOrigins": _exact, "AllowedMethods": _exact,
    "AllowedHeaders": _caseless, "ExposeHeaders": _caseless,
}


def normalize_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    """Methods and origins compare as sets, header names as case-insensitive sets (S3 matches
    requested headers case-insensitively); `[]` equals absent; ID and MaxAgeSeconds exactly."""
    folded = {key: sorted({fold(item) for item in rule.get(key) or ()}) for key, fold in ITEM_FOLDS.items()}
    return {"ID": rule.get("ID"), **folded, "MaxAgeSeconds": rule.get("MaxAgeSeconds")}


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
