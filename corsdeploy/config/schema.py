"""The JSON Schema (draft 2020-12) of an environment file: for editors, and the loader's structural check."""
from __future__ import annotations

from typing import Any

from corsdeploy import limits
from corsdeploy.config.variables import NAME_PATTERN

SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"
ACCOUNT_ID_PATTERN = rf"^[0-9]{{{limits.ACCOUNT_ID_DIGITS}}}$"
REGION_PATTERN = r"^[a-z]{2}(-[a-z]+)+-[0-9]+$"
ROLE_ARN_PATTERN = r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/\S+$"
URL_PATTERN = r"^https?://[^\s/]+\S*$"
# s3://BUCKET[/PREFIX], or a folder below the working directory: relative, no `..`, not `~`, not `.`
# (corsdeploy.state.setting says why each is refused; a test keeps the two in step).
STATE_PATTERN = (r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/\S*)?$"
                 r"|^(?!s3:)(?![/~])(?!(.*/)?\.\.(/|$))(?!(\.?/)*\.?$)[^\\\x00-\x1f\x7f]+$")
RESOURCE_PATH_PATTERN = r"^/"
VAR_NAME_PATTERN = rf"^{NAME_PATTERN}$"
REASON_PATTERN = r"\S"

# What each pattern means, said to the user when a value does not match it.
PATTERN_MESSAGES = {
    ACCOUNT_ID_PATTERN: f"is not an AWS account id ({limits.ACCOUNT_ID_DIGITS} digits)",
    REGION_PATTERN: "is not an AWS region name such as eu-west-1",
    ROLE_ARN_PATTERN: "is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)",
    URL_PATTERN: "is not an http:// or https:// URL",
    STATE_PATTERN: "is not s3://BUCKET or s3://BUCKET/PREFIX, nor a folder below the working directory "
                   "(a relative path without '..')",
    RESOURCE_PATH_PATTERN: "does not start with '/' (resource paths look like /items/{id})",
    VAR_NAME_PATTERN: "is not a variable name (letters, digits, '_', '.' and '-', "
                      "starting with a letter or '_')",
    REASON_PATTERN: "is not a reason: say why the rule does not apply",
}


def _strings(description: str, **constraints: Any) -> dict[str, Any]:
    return {"type": "array", "description": description, "items": {"type": "string", **constraints}}


def _s3_rule() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "One S3 CORSRule, in AWS's shape (the JSON the S3 console and `aws s3api` use).",
        "required": ["AllowedMethods", "AllowedOrigins"],
        "additionalProperties": False,
        "properties": {
            "ID": {"type": "string", "maxLength": limits.S3_MAX_ID_LENGTH,
                   "description": f"Optional rule id, at most {limits.S3_MAX_ID_LENGTH} characters."},
            "AllowedMethods": {
                "type": "array", "minItems": 1,
                "description": "Methods a cross-origin request may use (exact case).",
                "items": {"enum": list(limits.S3_METHODS)},
            },
            "AllowedOrigins": {
                **_strings("Origins allowed; each may hold one '*' (e.g. https://*.example.com)."),
                "minItems": 1,
            },
            "AllowedHeaders": _strings("Headers a preflight may request; each may hold one '*'."),
            "ExposeHeaders": _strings("Response headers the browser may read, by name (S3 refuses '*')."),
            "MaxAgeSeconds": {"type": "integer", "minimum": limits.S3_MIN_MAX_AGE_SECONDS,
                              "maximum": limits.S3_MAX_MAX_AGE_SECONDS,
                              "description": "Seconds a browser may cache the preflight answer."},
        },
    }


def _s3_cors() -> dict[str, Any]:
    return {
        "description": "A policy name, the CORSRule list itself, the object `aws s3api get-bucket-cors` "
                       "prints ({\"CORSRules\": [...]}), or `absent` for no CORS at all.",
        "type": ["string", "array", "object"],
        "if": {"type": "string"},
        "then": {"type": "string", "minLength": 1},
        "else": {"if": {"type": ["array", "object"]}, "then": {"$ref": "#/$defs/s3Rules"}},
    }


def _s3_rules() -> dict[str, Any]:
    return {
        "type": ["array", "object"],
        "if": {"type": "array"},
        "then": {"$ref": "#/$defs/s3RuleList"},
        "else": {"if": {"type": "object"}, "then": {
            "type": "object", "required": ["CORSRules"], "additionalProperties": False,
            "description": "The document `aws s3api get-bucket-cors` prints.",
            "properties": {"CORSRules": {"$ref": "#/$defs/s3RuleList"}},
        }},
    }


def _s3_rule_list() -> dict[str, Any]:
    return {
        "type": "array", "minItems": limits.S3_MIN_RULES, "maxItems": limits.S3_MAX_RULES,
        "description": f"S3 CORS rules, evaluated in order (1 to {limits.S3_MAX_RULES}).",
        "items": {"$ref": "#/$defs/s3Rule"},
    }


def _cors_object(description: str, **fields: dict[str, Any]) -> dict[str, Any]:
    """A `Cors` object; never empty, since `absent` is the only way to say no CORS."""
    base = {
        "AllowOrigins": _strings("Origins allowed."),
        "AllowMethods": _strings("Methods allowed."),
        "AllowHeaders": _strings("Request headers a preflight may ask for."),
        "ExposeHeaders": _strings("Response headers the browser may read."),
        "MaxAge": {"type": "integer", "description": "Seconds a browser may cache the preflight answer."},
        "AllowCredentials": {"type": "boolean", "description": "Whether credentialed requests are allowed."},
    }
    for name, extra in fields.items():
        base[name] = {**base[name], **extra}
    return {"type": "object", "additionalProperties": False, "minProperties": 1,
            "description": description, "properties": base}


def _api_cors(definition: str) -> dict[str, Any]:
    return {
        "description": "AWS's `Cors` object verbatim, or `absent` for no CORS at all.",
        "type": ["string", "object"],
        "if": {"type": "string"},
        "then": {"const": "absent"},
        "else": {"if": {"type": "object"}, "then": {"$ref": f"#/$defs/{definition}"}},
    }


def _entry(description: str, cors: dict[str, Any], **fields: dict[str, Any]) -> dict[str, Any]:
    required = ["cors", *(name for name, spec in fields.items() if spec.pop("required", False))]
    return {
        "type": "object", "description": description, "required": required,
        "additionalProperties": False,
        "properties": {"cors": cors, **fields, "lint_ignore": {"$ref": "#/$defs/lintIgnore"},
                       "co_managed": {"$ref": "#/$defs/coManaged"}, "public": {"$ref": "#/$defs/public"}},
    }


def _section(description: str, entry: str) -> dict[str, Any]:
    return {"type": ["object", "null"], "description": description,
            "propertyNames": {"minLength": 1}, "additionalProperties": {"$ref": f"#/$defs/{entry}"}}


def _api_id() -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "description": "Select the API by id instead of by name."}


def _defs() -> dict[str, Any]:
    return {
        "s3Rule": _s3_rule(),
        "s3RuleList": _s3_rule_list(),
        "s3Rules": _s3_rules(),
        "httpCors": _cors_object(
            "An HTTP API's CorsConfiguration (an empty one still enables CORS: write `absent` for none).",
            AllowMethods={"items": {"type": "string", "minLength": limits.HTTP_MIN_METHOD_LENGTH,
                                    "maxLength": limits.HTTP_MAX_METHOD_LENGTH}},
            MaxAge={"minimum": limits.HTTP_MIN_MAX_AGE, "maximum": limits.HTTP_MAX_MAX_AGE},
        ),
        "restCors": {
            **_cors_object("The CORS headers corsdeploy writes on a REST API's preflights, methods and "
                           "gateway responses.",
                           AllowOrigins={"minItems": 1},
                           MaxAge={"minimum": limits.REST_MIN_MAX_AGE, "maximum": limits.REST_MAX_MAX_AGE}),
            "required": ["AllowOrigins"],
        },
        "lambdaCors": _cors_object(
            "A Lambda function URL's Cors.",
            AllowOrigins={"minItems": limits.LAMBDA_MIN_ORIGINS, "maxItems": limits.LAMBDA_MAX_ORIGINS,
                          "items": {"type": "string", "minLength": limits.LAMBDA_MIN_ORIGIN_LENGTH,
                                    "maxLength": limits.LAMBDA_MAX_ORIGIN_LENGTH}},
            AllowMethods={"maxItems": limits.LAMBDA_MAX_METHODS,
                          "description": f"Methods allowed: {', '.join(limits.LAMBDA_METHODS)} (exact case).",
                          "items": {"enum": list(limits.LAMBDA_METHODS)}},
            AllowHeaders={"maxItems": limits.LAMBDA_MAX_HEADERS,
                          "items": {"type": "string", "maxLength": limits.LAMBDA_MAX_HEADER_LENGTH}},
            ExposeHeaders={"maxItems": limits.LAMBDA_MAX_HEADERS,
                           "items": {"type": "string", "maxLength": limits.LAMBDA_MAX_HEADER_LENGTH}},
            MaxAge={"minimum": limits.LAMBDA_MIN_MAX_AGE, "maximum": limits.LAMBDA_MAX_MAX_AGE},
        ),
        "lintIgnore": {
            "type": "object",
            "description": "Lint rules silenced for this resource: {RULE_ID: \"why it does not apply\"}.",
            "propertyNames": {"minLength": 1},
            "additionalProperties": {"type": "string", "pattern": REASON_PATTERN},
        },
        "coManaged": {
            "type": "boolean", "default": False,
            "description": "Another IaC tool (CloudFormation, CDK, SAM, Terraform) also manages this "
                           "resource: write it anyway (otherwise apply refuses, since each tool would "
                           "overwrite the other's CORS).",
        },
        "public": {
            "type": "boolean", "default": False,
            "description": "The data this resource serves is public: lint allows '*' origins here.",
        },
        "s3Bucket": _entry("An S3 bucket, by name.", {"$ref": "#/$defs/s3Cors"}),
        "s3Cors": _s3_cors(),
        "httpApi": _entry(
            "An API Gateway HTTP API; the key is its name.", _api_cors("httpCors"),
            id=_api_id(),
            stage={"type": "string", "minLength": 1,
                   "description": "A stage without automatic deployment that corsdeploy deploys after a "
                                  "change (otherwise the plan warns that such stages serve the old CORS)."},
        ),
        "restApi": _entry(
            "An API Gateway REST API; the key is its name.", _api_cors("restCors"),
            id=_api_id(),
            stage={"type": "string", "minLength": 1, "required": True,
                   "description": "The stage redeployed after a change; it must exist."},
            resources={"type": "array", "uniqueItems": True,
                       "description": "Resource paths to manage (default: every resource of the API).",
                       "items": {"type": "string", "pattern": RESOURCE_PATH_PATTERN}},
            gateway_responses={
                "type": "array", "uniqueItems": True,
                "description": "Gateway responses that carry CORS headers ([] for none).",
                "default": list(limits.REST_DEFAULT_GATEWAY_RESPONSES),
                "items": {"enum": list(limits.REST_GATEWAY_RESPONSE_TYPES)},
            },
            adopt_preflights={"type": "boolean", "default": False,
                              "description": "Take over OPTIONS methods corsdeploy did not create."},
        ),
        "functionUrl": _entry("A Lambda function URL, by function name (name:qualifier for an alias).",
                              _api_cors("lambdaCors")),
    }


def environment_schema() -> dict[str, Any]:
    """The JSON Schema of an environment file (printed by `corsdeploy schema`)."""
    return {
        "$schema": SCHEMA_URI,
        "title": "corsdeploy environment",
        "description": "The CORS configuration corsdeploy keeps in place for one environment.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "extends": {"type": "string", "minLength": 1,
                        "description": "A file (relative to this one) deep-merged under this one."},
            "state": {"type": "string", "minLength": 1, "pattern": STATE_PATTERN,
                      "description": "Where backups, history and locks live: s3://BUCKET/PREFIX or a "
                                     "folder below the working directory (default .corsdeploy/)."},
            "aws": {
                "type": ["object", "null"], "additionalProperties": False,
                "description": "Connection settings; each falls back to boto3's usual chain.",
                "properties": {
                    "account_id": {"type": "string", "pattern": ACCOUNT_ID_PATTERN,
                                   "description": "Refuse to run against any other account (quoted)."},
                    "region": {"type": "string", "pattern": REGION_PATTERN},
                    "profile": {"type": "string", "minLength": 1},
                    "assume_role": {"type": "string", "pattern": ROLE_ARN_PATTERN},
                    "endpoint_url": {"type": "string", "pattern": URL_PATTERN,
                                     "description": "An emulator's URL (AWS_ENDPOINT_URL when unset)."},
                },
            },
            "vars": {
                "type": ["object", "null"],
                "description": "${name} inside any string value is replaced; $${ is a literal ${.",
                "propertyNames": {"pattern": VAR_NAME_PATTERN},
                "additionalProperties": {"type": ["string", "number"]},
            },
            "policies": {
                "type": ["object", "null"],
                "description": "Reusable S3 rule lists, referred to by name from s3_buckets.",
                "propertyNames": {"minLength": 1, "not": {"const": "absent"}},
                "additionalProperties": {"$ref": "#/$defs/s3Rules"},
            },
            "lint": {
                "type": ["object", "null"], "additionalProperties": False,
                "description": "How `corsdeploy lint` judges this environment.",
                "properties": {
                    "production": {"type": "boolean",
                                   "description": "Whether this is a production environment (default: "
                                                  "yes unless its name contains dev, test, sandbox or "
                                                  "local)."},
                },
            },
            "s3_buckets": _section("S3 buckets, by name.", "s3Bucket"),
            "http_apis": _section("API Gateway HTTP APIs, by name.", "httpApi"),
            "rest_apis": _section("API Gateway REST APIs, by name.", "restApi"),
            "function_urls": _section("Lambda function URLs, by function name.", "functionUrl"),
        },
        "$defs": _defs(),
    }
