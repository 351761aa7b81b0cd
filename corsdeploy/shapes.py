"""AWS's two CORS shapes and the canonical model: S3's CORSRule list and the `Cors` object that
API Gateway (HTTP and, in corsdeploy's files, REST) and Lambda function URLs share."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from corsdeploy.model import CorsConfig, CorsRule

# S3 CORSRule field names, in the order AWS documents them.
S3_FIELDS = ("ID", "AllowedHeaders", "AllowedMethods", "AllowedOrigins", "ExposeHeaders", "MaxAgeSeconds")
# The `Cors` object's field names (apigatewayv2 and lambda).
CORS_FIELDS = ("AllowCredentials", "AllowHeaders", "AllowMethods", "AllowOrigins", "ExposeHeaders", "MaxAge")


def rules_from_s3(rules: Sequence[Mapping[str, Any]]) -> CorsConfig:
    return CorsConfig(tuple(
        CorsRule(
            allowed_origins=tuple(rule.get("AllowedOrigins") or ()),
            allowed_methods=tuple(rule.get("AllowedMethods") or ()),
            allowed_headers=tuple(rule.get("AllowedHeaders") or ()),
            expose_headers=tuple(rule.get("ExposeHeaders") or ()),
            max_age=rule.get("MaxAgeSeconds"),
            id=rule.get("ID"),
        )
        for rule in rules
    ))


def rules_to_s3(config: CorsConfig) -> list[dict[str, Any]]:
    """S3 CORSRules in the user's spelling; empty lists and unset fields are left out, as S3 does."""
    out = []
    for rule in config.rules:
        item: dict[str, Any] = {}
        if rule.id is not None:
            item["ID"] = rule.id
        if rule.allowed_headers:
            item["AllowedHeaders"] = list(rule.allowed_headers)
        item["AllowedMethods"] = list(rule.allowed_methods)
        item["AllowedOrigins"] = list(rule.allowed_origins)
        if rule.expose_headers:
            item["ExposeHeaders"] = list(rule.expose_headers)
        if rule.max_age is not None:
            item["MaxAgeSeconds"] = rule.max_age
        out.append(item)
    return out


def rule_from_cors(cors: Mapping[str, Any]) -> CorsConfig:
    return CorsConfig((
        CorsRule(
            allowed_origins=tuple(cors.get("AllowOrigins") or ()),
            allowed_methods=tuple(cors.get("AllowMethods") or ()),
            allowed_headers=tuple(cors.get("AllowHeaders") or ()),
            expose_headers=tuple(cors.get("ExposeHeaders") or ()),
            max_age=cors.get("MaxAge"),
            allow_credentials=cors.get("AllowCredentials"),
        ),
    ))


def rule_to_cors(config: CorsConfig) -> dict[str, Any]:
    """The `Cors` object in the user's spelling; unset fields are left out."""
    (rule,) = config.rules
    item: dict[str, Any] = {}
    if rule.allow_credentials is not None:
        item["AllowCredentials"] = rule.allow_credentials
    for key, values in (
        ("AllowHeaders", rule.allowed_headers),
        ("AllowMethods", rule.allowed_methods),
        ("AllowOrigins", rule.allowed_origins),
        ("ExposeHeaders", rule.expose_headers),
    ):
        if values:
            item[key] = list(values)
    if rule.max_age is not None:
        item["MaxAge"] = rule.max_age
    return item
