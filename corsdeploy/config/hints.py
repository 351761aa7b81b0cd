"""Did-you-mean hints for unknown keys, including other tools' and other services' spellings and forms."""
from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from itertools import islice

from corsdeploy.config import bounds
from corsdeploy.config.shown import quoted

_CFN = "CloudFormation's spelling"
# A misspelling is at most this many characters longer or shorter than what was meant.
_LENGTH_SLACK = 3
_CORS_OBJECT = "the spelling of API Gateway and Lambda's Cors object"
_S3 = "S3's spelling"

# Wrong spelling -> (right spelling, whose spelling the wrong one is), per kind of mapping.
S3_RULE_HINTS = {
    "ExposedHeaders": ("ExposeHeaders", _CFN),
    "MaxAge": ("MaxAgeSeconds", _CFN),
    "Id": ("ID", _CFN),
    "AllowOrigins": ("AllowedOrigins", _CORS_OBJECT),
    "AllowMethods": ("AllowedMethods", _CORS_OBJECT),
    "AllowHeaders": ("AllowedHeaders", _CORS_OBJECT),
    "AllowCredentials": ("", "S3 has no credentials setting: it always allows credentialed requests"),
}
CORS_OBJECT_HINTS = {
    "AllowedOrigins": ("AllowOrigins", _S3),
    "AllowedMethods": ("AllowMethods", _S3),
    "AllowedHeaders": ("AllowHeaders", _S3),
    "ExposedHeaders": ("ExposeHeaders", "CloudFormation's S3 spelling"),
    "MaxAgeSeconds": ("MaxAge", _S3),
    "AllowCredential": ("AllowCredentials", "singular"),
}
CORS_DOCUMENT_HINTS = {
    "CorsRules": ("CORSRules", _CFN),
    "CorsConfiguration": ("CORSRules", _CFN),
    "CORSConfiguration": ("CORSRules", "the XML document's name"),
}

# S3's XML CORS document: PutBucketCors's body, and what the S3 console took before it moved to JSON.
_S3_XML_ELEMENT = re.compile(r"<\s*CORS(Configuration|Rule)\b")
S3_XML = ("this is S3's XML form of CORS; give the rules as YAML or JSON instead, "
          "e.g. - {AllowedOrigins: [...], AllowedMethods: [...]}")


def is_s3_xml(text: str) -> bool:
    """Whether a string is S3's CORS document in XML (`<CORSConfiguration>` or `<CORSRule>` text)."""
    return text.lstrip().startswith("<") and _S3_XML_ELEMENT.search(text) is not None


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def unknown_key(key: str, allowed: Collection[str], hints: dict[str, tuple[str, str]] | None = None) -> str:
    """`unknown key 'X'` with the most useful hint: a known misspelling, a case slip, or a near name."""
    message = f"unknown key {quoted(key)}"
    right, whose = (hints or {}).get(key, ("", ""))
    if whose:
        return f"{message} ({whose}); use {right!r}" if right else f"{message}: {whose}"
    by_shape = {_squash(name): name for name in allowed}
    for candidate in (_squash(key), _squash(key) + "s"):
        if candidate in by_shape:
            return f"{message}; did you mean {quoted(by_shape[candidate])}?"
    close = Suggester().suggest(key, allowed)
    if close:
        return f"{message}; did you mean {quoted(close)}?"
    return f"{message}; expected one of {', '.join(sorted(allowed))}" if allowed else message


@dataclass
class Suggester:
    """Did-you-mean for misspelt names, with bounded work whatever a file holds.

    Only names of a plausible length are compared, at most bounds.MAX_HINT_CANDIDATES of them; no
    hint is looked for a name longer than bounds.MAX_HINT_NAME_LENGTH, nor after bounds.MAX_HINTS
    hints: a file may misspell thousands of names against thousands of candidates."""

    made: int = 0

    def suggest(self, name: str, candidates: Iterable[str]) -> str | None:
        """The candidate closest to `name`, if one is close and the budget allows looking."""
        if len(name) > bounds.MAX_HINT_NAME_LENGTH or self.made >= bounds.MAX_HINTS:
            return None
        self.made += 1
        near = (c for c in candidates if abs(len(c) - len(name)) <= _LENGTH_SLACK)
        close = difflib.get_close_matches(name, list(islice(near, bounds.MAX_HINT_CANDIDATES)), n=1)
        return close[0] if close else None
