"""The structural check: the environment schema applied with jsonschema, errors said in the file's terms."""
from __future__ import annotations

from collections.abc import Collection
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import extend

from corsdeploy.config import hints
from corsdeploy.config.paths import SECTION_KINDS, Path_
from corsdeploy.config.report import Reporter
from corsdeploy.config.schema import PATTERN_MESSAGES, environment_schema
from corsdeploy.config.services import S3_LIMITS
from corsdeploy.config.shown import escaped, quoted
from corsdeploy.model import Kind
from corsdeploy.shapes import S3_FIELDS

_TYPE_NAMES = {"string": "a string", "array": "a list", "object": "a mapping", "integer": "an integer",
               "number": "a number", "boolean": "true or false", "null": "nothing"}
_S3_RULE_LIST = {"$ref": "#/$defs/s3Rule"}
_ABSENT = "write `cors: absent` for no CORS"
_EMPTY_RULE_LIST = f"an empty rule list is not allowed (S3 rejects it); {_ABSENT}"


def _strict_integer(_checker: Any, value: Any) -> bool:
    # YAML's 3000.0 and true are not integers to AWS, whatever JSON Schema says.
    return isinstance(value, int) and not isinstance(value, bool)


_StrictValidator = extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _strict_integer),
)


@cache
def _validator() -> Validator:
    return _StrictValidator(environment_schema())


def check_structure(data: dict[str, Any], report: Reporter, policy_names: Collection[str]) -> None:
    """Report every way `data` departs from the environment schema."""
    for error in _validator().iter_errors(data):
        _translate(error, report, policy_names)


def _translate(error: ValidationError, report: Reporter, policy_names: Collection[str]) -> None:
    path: Path_ = tuple(error.absolute_path)
    empty = _empty_cors_message(path, error.instance)
    if empty:
        report.add(path, empty)
        return
    if str(error.validator) == "type" and isinstance(error.instance, str) and hints.is_s3_xml(error.instance):
        report.add(path, hints.S3_XML)
        return
    if "propertyNames" in error.absolute_schema_path:
        report.add(path, _name_message(error), at=(*path, error.instance), key=True)
        return
    kind = str(error.validator)
    if _single_rule(error):
        if kind == "required":
            first = escaped(str(next(iter(error.instance))))
            report.add(path, "the rules must be a list: put '- ' before the rule's first key "
                             f"({first}), or nest the rules under CORSRules")
        return
    if kind == "additionalProperties" and error.validator_value is False:
        allowed = list(error.schema.get("properties", {}))
        for key in error.instance:
            if key not in allowed:
                report.add(path, hints.unknown_key(key, allowed, _hints_for(allowed)),
                           at=(*path, key), key=True)
        return
    if kind == "required":
        for name in error.validator_value:
            if name not in error.instance:
                report.add(path, _required_message(name), key=True)
        return
    report.add(path, _message(error, path, policy_names), rule=_rule_of(error))


def _rule_of(error: ValidationError) -> str | None:
    """The lint rule a schema error is an instance of: more than 100 S3 rules is one of S3's limits."""
    too_many_s3_rules = str(error.validator) == "maxItems" and error.schema.get("items") == _S3_RULE_LIST
    return S3_LIMITS if too_many_s3_rules else None


def _empty_cors_message(path: Path_, value: Any) -> str | None:
    """`cors: {}` or `cors: []` said once, whatever the schema finds: `absent` is how to say no CORS."""
    if len(path) != 3 or path[0] not in SECTION_KINDS or path[2] != "cors" or value not in ([], {}):
        return None
    kind = SECTION_KINDS[str(path[0])]
    if isinstance(value, list):
        return _EMPTY_RULE_LIST if kind is Kind.S3_BUCKET else (
            "an empty list is not CORS: write a Cors object, or `cors: absent` for no CORS")
    if kind is Kind.S3_BUCKET:
        return f"an empty mapping is not CORS: give the rules (a list, or {{CORSRules: [...]}}), or {_ABSENT}"
    if kind is Kind.HTTP_API:
        # An HTTP API's empty CorsConfiguration is still CORS (facts §7.3).
        return ("an empty Cors object is not allowed: on an HTTP API it still enables CORS "
                f"(API Gateway answers preflights itself); {_ABSENT}")
    return f"an empty Cors object is not allowed; {_ABSENT}"


def _single_rule(error: ValidationError) -> bool:
    """One S3 rule written where the `{"CORSRules": [...]}` document is expected."""
    return (str(error.validator) in ("required", "additionalProperties")
            and list(error.schema.get("properties", {})) == ["CORSRules"]
            and isinstance(error.instance, dict) and "CORSRules" not in error.instance
            and any(key in S3_FIELDS for key in error.instance))


def _hints_for(allowed: Collection[str]) -> dict[str, tuple[str, str]] | None:
    if "AllowedOrigins" in allowed:
        return hints.S3_RULE_HINTS
    if "AllowOrigins" in allowed:
        return hints.CORS_OBJECT_HINTS
    if "CORSRules" in allowed:
        return hints.CORS_DOCUMENT_HINTS
    return None


def _name_message(error: ValidationError) -> str:
    if error.validator == "not":
        return "'absent' is reserved (it means no CORS), so it cannot name a policy"
    if error.validator == "pattern":
        return f"{quoted(error.instance)} {PATTERN_MESSAGES[str(error.validator_value)]}"
    return "a name must not be empty"


def _required_message(name: str) -> str:
    if name == "cors":
        return "'cors' is required (the CORS to keep in place, or `absent` for none)"
    return f"{name!r} is required"


def _message(error: ValidationError, path: Path_, policy_names: Collection[str]) -> str:
    kind, value, limit, schema = str(error.validator), error.instance, error.validator_value, error.schema
    if kind == "type":
        return _type_message(value, limit if isinstance(limit, list) else [limit], path)
    if kind == "enum":
        return _enum_message(value, limit)
    if kind == "const":
        hint = ("; policies hold S3 rules, for s3_buckets only" if value in policy_names else "")
        return f"{quoted(value)} is not allowed here: write a Cors object or 'absent'{hint}"
    if kind == "minItems":
        if schema.get("items") == _S3_RULE_LIST and not value:
            return _EMPTY_RULE_LIST
        return f"must list at least {limit} item{'s' if limit != 1 else ''}"
    if kind == "maxItems":
        return f"lists {len(value)} items; at most {limit} are allowed"
    if kind in ("minimum", "maximum"):
        low, high = schema.get("minimum"), schema.get("maximum")
        span = f"between {low} and {high}" if high is not None and low is not None else (
            f"at least {low}" if low is not None else f"at most {high}")
        return f"{quoted(value)} is out of range: must be {span}"
    if kind == "minLength":
        return "must not be empty" if limit == 1 else (
            f"{quoted(value)} is too short: at least {limit} characters")
    if kind == "maxLength":
        return f"{quoted(value)} is {len(value)} characters long; at most {limit} are allowed"
    if kind == "pattern":
        return f"{quoted(value)} {PATTERN_MESSAGES[str(limit)]}"
    if kind == "uniqueItems":
        return f"lists {quoted(_first_repeat(value))} twice"
    return escaped(str(error.message), 200)


def _first_repeat(values: list[Any]) -> Any:
    seen: list[Any] = []
    for item in values:
        if item in seen:
            return item
        seen.append(item)
    return None


def _type_message(value: Any, expected: list[str], path: Path_) -> str:
    wanted = " or ".join(_TYPE_NAMES[name] for name in expected)
    got = "nothing" if value is None else quoted(value)
    message = f"expected {wanted}, got {got}"
    if path == ("aws", "account_id") and isinstance(value, int):
        return (f"account_id must be quoted, as in account_id: \"{value:012d}\" "
                "(unquoted digits are a number in YAML, and leading zeros are lost)")
    if "string" not in expected or set(expected) - {"string", "number"}:
        return message  # quoting would not help
    if isinstance(value, bool):
        return f"{message} (YAML reads unquoted yes/no/on/off/true/false as booleans: quote the value)"
    if isinstance(value, int | float) and "number" not in expected:
        return f"{message} (quote the value)"
    return message


def _enum_message(value: Any, allowed: list[Any]) -> str:
    message = f"{quoted(value)} is not one of {', '.join(map(str, allowed))}"
    if isinstance(value, str) and value.upper() in allowed:
        return f"{message} (write {quoted(value.upper())}: the case must match exactly)"
    if value == "OPTIONS":
        return f"{message} (the service answers preflights itself: OPTIONS need not be listed)"
    return message
