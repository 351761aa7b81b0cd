"""An endpoint's answer against `check`'s prediction (pure).

Compared: a preflight's status, and the CORS response headers, names case-insensitively and values
exactly (S3 echoes requested headers lowercased, so that is what it is expected to send). An actual
request's status is the resource's business (credentials, objects, routes), not CORS's: it is
shown, not compared. A header the endpoint sends several times is one value joined by ", " (and so
differs from any single expected value: browsers refuse a repeated Access-Control-Allow-Origin).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from corsdeploy.model import Kind

STATUS = "status"
_CORS_PREFIX = "access-control-"
_VARY = "vary"
# Services whose Vary header check predicts: S3 sends it exactly when CORS evaluation succeeds
# (facts §1.4); on REST APIs it is part of what corsdeploy writes. API Gateway HTTP APIs and
# Lambda may add their own, which nothing documents: not compared there.
_VARY_PREDICTED = frozenset({Kind.S3_BUCKET, Kind.REST_API})


@dataclass(frozen=True)
class Difference:
    """One way the answer differs: `what` is "status" or a header name; None means absent."""

    what: str
    expected: str | None
    got: str | None


def cors_headers(kind: Kind, headers: Iterable[tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """The compared headers, by lowercased name: (name as spelled, value; repeats joined by ", ")."""
    found: dict[str, tuple[str, str]] = {}
    for name, value in headers:
        key = name.lower()
        if not (key.startswith(_CORS_PREFIX) or (key == _VARY and kind in _VARY_PREDICTED)):
            continue
        if key in found:
            spelled, earlier = found[key]
            found[key] = (spelled, f"{earlier}, {value}")
        else:
            found[key] = (name, value)
    return found


def differences(kind: Kind, preflight: bool, expected_status: int, expected_headers: Mapping[str, str],
                got_status: int, got_headers: Iterable[tuple[str, str]]) -> tuple[Difference, ...]:
    """Every difference between the prediction and the answer; () when they agree."""
    found = []
    if preflight and expected_status != got_status:
        found.append(Difference(STATUS, str(expected_status), str(got_status)))
    expected = cors_headers(kind, expected_headers.items())
    got = cors_headers(kind, got_headers)
    for key in sorted(expected.keys() | got.keys()):
        want, have = expected.get(key), got.get(key)
        if want is None or have is None or want[1] != have[1]:
            name = (want or have or (key, ""))[0]
            found.append(Difference(name, want[1] if want else None, have[1] if have else None))
    return tuple(found)
