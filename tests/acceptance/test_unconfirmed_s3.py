"""S3 items of facts §8.1 (and the S3 limits in corsdeploy/limits.py), settled on a real bucket.
Each test records what S3 did; where corsdeploy depends on an answer, the test checks it."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.acceptance.experiments import (
    ACCEPTED,
    live_with_control,
    outcome,
    s3_rules_of_size,
    settled,
    verdict,
)
from tests.acceptance.probes import preflight, send
from tests.acceptance.scenario import fresh_origin
from tests.acceptance.throwaway import Aws, Throwaway

Record = Callable[[str], str]
INT32_MAX = 2**31 - 1


def put_rules(aws: Aws, throwaway: Throwaway, rules: list[dict[str, Any]]) -> None:
    aws.client("s3").put_bucket_cors(Bucket=throwaway.names.bucket, CORSConfiguration={"CORSRules": rules})


def configure(aws: Aws, throwaway: Throwaway, rules: list[dict[str, Any]]) -> str:
    """Put a control rule first and `rules` after it; return the control origin once S3 serves it."""
    def write(control: str) -> None:
        put_rules(aws, throwaway, [{"AllowedOrigins": [control], "AllowedMethods": ["GET"]}, *rules])

    return live_with_control(write, throwaway.s3_object_url, "S3")


def rule(*origins: str, **fields: Any) -> dict[str, Any]:
    return {"AllowedOrigins": list(origins), "AllowedMethods": ["GET"], **fields}


def put_outcome(aws: Aws, throwaway: Throwaway, rules: list[dict[str, Any]]) -> str:
    return outcome(lambda: put_rules(aws, throwaway, rules))


@pytest.fixture
def url(throwaway: Throwaway) -> str:
    return throwaway.s3_object_url


# --- matching (preflights) -------------------------------------------------------------------------


def test_unconfirmed_s3_origin_case_sensitive(aws: Aws, throwaway: Throwaway, url: str,
                                              record: Record) -> None:
    configure(aws, throwaway, [rule("https://case.cdacc.example")])
    assert send(preflight(url, "https://case.cdacc.example", "GET")).allows("https://case.cdacc.example")
    upper = "https://CASE.cdacc.example"
    answer = settled(preflight(url, upper, "GET"), record)
    record(f"Origin {upper} against AllowedOrigins https://case.cdacc.example: {verdict(answer, upper)}")
    assert answer.status in (200, 403), answer.describe()


def test_unconfirmed_s3_method_case_sensitive(aws: Aws, throwaway: Throwaway, url: str,
                                              record: Record) -> None:
    control = configure(aws, throwaway, [])
    answer = settled(preflight(url, control, "get"), record)
    record(f"Access-Control-Request-Method 'get' against AllowedMethods [GET]: {verdict(answer, control)}")
    assert answer.status in (200, 403), answer.describe()


def test_unconfirmed_s3_wildcard_matches_empty(aws: Aws, throwaway: Throwaway, url: str,
                                               record: Record) -> None:
    configure(aws, throwaway, [rule("https://empty*.cdacc.example")])
    longer = "https://emptyx.cdacc.example"
    assert send(preflight(url, longer, "GET")).allows(longer), "the wildcard matches one character"
    bare = "https://empty.cdacc.example"
    answer = settled(preflight(url, bare, "GET"), record)
    record(f"'https://empty*.cdacc.example' against Origin {bare} (* as nothing): {verdict(answer, bare)}")
    assert answer.status in (200, 403), answer.describe()


def test_unconfirmed_s3_wildcard_spans_dots(aws: Aws, throwaway: Throwaway, url: str, record: Record) -> None:
    configure(aws, throwaway, [rule("https://*.span.cdacc.example")])
    one = "https://a.span.cdacc.example"
    assert send(preflight(url, one, "GET")).allows(one), "the wildcard matches one label"
    two = "https://a.b.span.cdacc.example"
    answer = settled(preflight(url, two, "GET"), record)
    record(f"'https://*.span.cdacc.example' against Origin {two} (* across a dot): {verdict(answer, two)}")
    assert answer.status in (200, 403), answer.describe()


def test_unconfirmed_s3_wildcard_beside_specific_origins(aws: Aws, throwaway: Throwaway, url: str,
                                                         record: Record) -> None:
    specific = "https://specific.cdacc.example"
    configure(aws, throwaway, [rule(specific, "*")])
    listed = settled(preflight(url, specific, "GET"), record)
    other = fresh_origin("other")
    unlisted = settled(preflight(url, other, "GET"), record)
    record(f"AllowedOrigins [{specific}, *]: listed origin -> {verdict(listed, specific)}; "
           f"unlisted origin -> {verdict(unlisted, other)}")
    assert listed.allows(specific) and unlisted.allows(other), "'*' allows every origin"


def test_unconfirmed_s3_max_age_zero_sends_header(aws: Aws, throwaway: Throwaway, url: str,
                                                  record: Record) -> None:
    zero = fresh_origin("zero")
    configure(aws, throwaway, [rule(zero, MaxAgeSeconds=0)])
    answer = settled(preflight(url, zero, "GET"), record)
    value = answer.header("Access-Control-Max-Age")
    record(f"MaxAgeSeconds 0 -> Access-Control-Max-Age {value!r} ({verdict(answer, zero)})")
    assert answer.allows(zero) and value in (None, "0"), answer.describe()


# --- what PutBucketCors accepts -------------------------------------------------------------------
# corsdeploy's validate must never pass what S3 refuses: the largest values it lets through must be
# accepted; what S3 does one step beyond is recorded.


def test_unconfirmed_s3_lowercase_methods_in_config(aws: Aws, throwaway: Throwaway, record: Record) -> None:
    said = put_outcome(aws, throwaway, [rule(fresh_origin("lower"), AllowedMethods=["get"])])
    record(f"AllowedMethods ['get'] (corsdeploy requires upper case): {said}")


def test_unconfirmed_s3_negative_max_age(aws: Aws, throwaway: Throwaway, record: Record) -> None:
    said = put_outcome(aws, throwaway, [rule(fresh_origin("negative"), MaxAgeSeconds=-1)])
    record(f"MaxAgeSeconds -1 (corsdeploy refuses below 0): {said}")


def test_unconfirmed_s3_max_age_limit(aws: Aws, throwaway: Throwaway, record: Record) -> None:
    largest = put_outcome(aws, throwaway, [rule(fresh_origin("int32"), MaxAgeSeconds=INT32_MAX)])
    beyond = put_outcome(aws, throwaway, [rule(fresh_origin("int33"), MaxAgeSeconds=INT32_MAX + 1)])
    record(f"MaxAgeSeconds {INT32_MAX}: {largest}; {INT32_MAX + 1}: {beyond}")
    assert largest == ACCEPTED, record(f"S3 refuses MaxAgeSeconds {INT32_MAX}, which validate accepts")


def test_unconfirmed_s3_id_length_limit(aws: Aws, throwaway: Throwaway, record: Record) -> None:
    from corsdeploy.limits import S3_MAX_ID_LENGTH

    longest = put_outcome(aws, throwaway, [rule(fresh_origin("id"), ID="i" * S3_MAX_ID_LENGTH)])
    beyond = put_outcome(aws, throwaway, [rule(fresh_origin("id"), ID="i" * (S3_MAX_ID_LENGTH + 1))])
    record(f"ID of {S3_MAX_ID_LENGTH} characters: {longest}; of {S3_MAX_ID_LENGTH + 1}: {beyond}")
    assert longest == ACCEPTED, longest


def test_unconfirmed_s3_duplicate_rule_ids(aws: Aws, throwaway: Throwaway, record: Record) -> None:
    rules = [rule(fresh_origin("one"), ID="same"), rule(fresh_origin("two"), ID="same")]
    said = put_outcome(aws, throwaway, rules)
    record(f"two rules with ID 'same': {said}")


def test_unconfirmed_s3_rule_count_limit(aws: Aws, throwaway: Throwaway, record: Record) -> None:
    from corsdeploy.limits import S3_MAX_RULES

    most = put_outcome(aws, throwaway, [rule(fresh_origin("r")) for _ in range(S3_MAX_RULES)])
    beyond = put_outcome(aws, throwaway, [rule(fresh_origin("r")) for _ in range(S3_MAX_RULES + 1)])
    record(f"{S3_MAX_RULES} rules: {most}; {S3_MAX_RULES + 1} rules: {beyond}")
    assert most == ACCEPTED, most


def test_unconfirmed_s3_document_size_limit(aws: Aws, throwaway: Throwaway, record: Record) -> None:
    """limits.py: whether 64 KB is measured on the XML body and means 65,536 bytes."""
    from corsdeploy.limits import S3_MAX_DOCUMENT_BYTES, S3_MAX_RULES

    origin = fresh_origin("size")
    largest = put_outcome(aws, throwaway, s3_rules_of_size(S3_MAX_DOCUMENT_BYTES, origin, S3_MAX_RULES))
    beyond = put_outcome(aws, throwaway, s3_rules_of_size(S3_MAX_DOCUMENT_BYTES + 1, origin, S3_MAX_RULES))
    record(f"document of {S3_MAX_DOCUMENT_BYTES} bytes as corsdeploy counts it: {largest}; "
           f"{S3_MAX_DOCUMENT_BYTES + 1} bytes: {beyond}")
    assert largest == ACCEPTED, record(f"S3 refuses a document validate accepts: {largest}")
