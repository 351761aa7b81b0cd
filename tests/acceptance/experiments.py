"""Shared steps of the UNCONFIRMED tests: write a configuration with a fresh control origin, wait
until the control is answered (so the new configuration is live), then observe."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from tests.acceptance.probes import Answer, Probe, eventually, preflight, samples
from tests.acceptance.scenario import fresh_origin

# What a write did: "accepted", or "refused: CODE: message".
ACCEPTED = "accepted"


def outcome(call: Callable[[], Any]) -> str:
    """Run one AWS write and say what the service answered."""
    try:
        call()
    except ClientError as error:
        details = error.response.get("Error", {})
        return f"refused: {details.get('Code')}: {details.get('Message')}"
    return ACCEPTED


def live_with_control(write: Callable[[str], None], url: str, what: str) -> str:
    """Write a configuration that allows a fresh control origin (`write(control)`), and return the
    control once `url` answers it."""
    control = fresh_origin("control")
    write(control)
    eventually(preflight(url, control, "GET"), lambda answer: answer.allows(control),
               f"{what}: the new configuration is live")
    return control


def settled(probe: Probe, record: Callable[[str], str]) -> Answer:
    """The answer to `probe` once it no longer varies between samples (each variation is recorded)."""
    answers = samples(probe)
    seen = {(answer.status, answer.allow_origin) for answer in answers}
    if len(seen) > 1:
        record(f"answers varied across samples (propagation?): {sorted(map(str, seen))}")
    return answers[-1]


def verdict(answer: Answer, origin: str) -> str:
    """How a browser at `origin` would read the answer, with what it was based on."""
    word = "allowed" if answer.allows(origin) else "refused"
    return f"{word} (status {answer.status}, {answer.cors_headers() or 'no CORS headers'})"


def s3_rules_of_size(size: int, origin: str, count: int) -> list[dict[str, Any]]:
    """`count` rules whose PutBucketCors document is exactly `size` bytes as corsdeploy counts it
    (padding in one AllowedHeader per rule); ValueError when that is impossible."""
    from corsdeploy.config.services import s3_document_bytes

    def rules(paddings: list[int]) -> list[dict[str, Any]]:
        return [{"AllowedOrigins": [origin], "AllowedMethods": ["GET"], "AllowedHeaders": ["x-" + "a" * pad]}
                for pad in paddings]

    extra = size - s3_document_bytes(rules([0] * count))
    if count < 1 or extra < 0:
        raise ValueError(f"{count} rules are already more than {size} bytes")
    share, rest = divmod(extra, count)
    result = rules([share + (1 if index < rest else 0) for index in range(count)])
    assert s3_document_bytes(result) == size
    return result
