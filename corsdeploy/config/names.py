"""Resource names AWS would refuse: S3 bucket names and a function URL's NAME or NAME:ALIAS."""
from __future__ import annotations

import re

from corsdeploy import limits
from corsdeploy.config.shown import NAME_LIMIT, quoted

_IP_ADDRESS = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
_FUNCTION_NAME = re.compile(rf"[A-Za-z0-9_-]{{1,{limits.LAMBDA_MAX_FUNCTION_NAME_LENGTH}}}")
_ALIAS = re.compile(rf"[A-Za-z0-9_-]{{1,{limits.LAMBDA_MAX_ALIAS_LENGTH}}}")
_VERSION = re.compile(r"[0-9]+")


def bucket_name_problem(name: str) -> str | None:
    """Why S3 would refuse `name` as a general purpose bucket name, or None."""
    reason = _bucket_reason(name)
    return f"{quoted(name, NAME_LIMIT)} is not an S3 bucket name: {reason}" if reason else None


def _bucket_reason(name: str) -> str | None:
    if not limits.S3_BUCKET_NAME_MIN_LENGTH <= len(name) <= limits.S3_BUCKET_NAME_MAX_LENGTH:
        return (f"it must be {limits.S3_BUCKET_NAME_MIN_LENGTH} to {limits.S3_BUCKET_NAME_MAX_LENGTH} "
                "characters long")
    if any(c not in limits.S3_BUCKET_NAME_CHARACTERS for c in name):
        return "only lowercase letters, digits, '.' and '-' are allowed"
    if name[0] not in _ALNUM or name[-1] not in _ALNUM:
        return "it must begin and end with a lowercase letter or a digit"
    if ".." in name:
        return "it must not hold two adjacent periods"
    if _IP_ADDRESS.fullmatch(name):
        return "it must not be formatted as an IP address"
    prefix = next((p for p in limits.S3_RESERVED_BUCKET_PREFIXES if name.startswith(p)), None)
    if prefix:
        return f"the prefix {prefix!r} is reserved by S3"
    suffix = next((s for s in limits.S3_RESERVED_BUCKET_SUFFIXES if name.endswith(s)), None)
    return f"the suffix {suffix!r} is reserved by S3" if suffix else None


def function_name_problem(name: str) -> str | None:
    """Why `name` cannot name a function URL (NAME or NAME:ALIAS), or None."""
    reason = _function_reason(name)
    return f"{quoted(name, NAME_LIMIT)} is not a function URL's function: {reason}" if reason else None


def _function_reason(name: str) -> str | None:
    one_qualifier = "write the function's name, or NAME:ALIAS for an alias"
    if name.startswith("arn:"):
        # The name is split at its first ':' into FunctionName and Qualifier, so an ARN cannot work.
        return f"it is an ARN; {one_qualifier}"
    if name.count(":") > 1:
        return f"it has {name.count(':')} qualifiers; {one_qualifier}"
    function, colon, alias = name.partition(":")
    if not _FUNCTION_NAME.fullmatch(function):
        most = limits.LAMBDA_MAX_FUNCTION_NAME_LENGTH
        return f"a function name is 1 to {most} letters, digits, '-' and '_'"
    if colon and _VERSION.fullmatch(alias):
        # Lambda's FunctionUrlQualifier refuses a version number: URLs belong to $LATEST or an alias.
        return f"{quoted(alias)} is a version; function URLs belong to the function or to an alias"
    if colon and not _ALIAS.fullmatch(alias):
        return f"an alias name is 1 to {limits.LAMBDA_MAX_ALIAS_LENGTH} letters, digits, '-' and '_'"
    return None
