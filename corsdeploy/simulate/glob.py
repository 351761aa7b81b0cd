"""S3's wildcard patterns (AllowedOrigins, AllowedHeaders): literal text with at most one `*`,
anchored at both ends, compared as written (scheme and port included, nothing normalized)."""
from __future__ import annotations

import functools
import re

WILDCARD = "*"


def matches(pattern: str, value: str, *, case_sensitive: bool = True, empty: bool = True,
            spans: bool = True) -> bool:
    """Whether `value` matches `pattern`, where `*` stands for any run of characters.

    `empty`: the run may be empty (`prefix*` matches `prefix`); `spans`: it may hold `.` and `/`.
    A lone `*` matches every value ("all origins", "all headers"), whatever those two say. S3
    refuses patterns with two `*`; should one arrive, each `*` is a wildcard all the same.
    """
    if pattern == WILDCARD:
        return True
    return _compiled(pattern, case_sensitive, empty, spans).fullmatch(value) is not None


@functools.lru_cache(maxsize=1024)
def _compiled(pattern: str, case_sensitive: bool, empty: bool, spans: bool) -> re.Pattern[str]:
    run = ("." if spans else "[^./]") + ("*" if empty else "+")
    expression = run.join(re.escape(part) for part in pattern.split(WILDCARD))
    return re.compile(expression, re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE)
