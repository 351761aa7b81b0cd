"""S3 bucket CORS: GetBucketCors / PutBucketCors / DeleteBucketCors, one call per read.

Whether another IaC tool manages a bucket is read from its tags at apply, once per bucket written
(GetBucketTagging), so plan stays at one call per bucket.
"""
from __future__ import annotations

import threading
from collections.abc import Collection, Mapping
from typing import Any, ClassVar

from botocore.exceptions import ClientError

from corsdeploy.aws import Clients, error_code, translate
from corsdeploy.errors import AwsError, PlanError, Problem
from corsdeploy.model import Kind, Live, Resource
from corsdeploy.providers.calls import Calls
from corsdeploy.providers.operations import S3_BUCKET, Grant, Operation, Phase, grants_of
from corsdeploy.services.co_managed import NOT_CHECKED_AT_PLAN, other_manager, refuse_write
from corsdeploy.services.s3 import SERVICE

GET_CORS = Operation("s3", "GetBucketCors", "s3:GetBucketCORS", S3_BUCKET, Phase.PLAN)
PUT_CORS = Operation("s3", "PutBucketCors", "s3:PutBucketCORS", S3_BUCKET, Phase.APPLY)
# DeleteBucketCors is authorised by s3:PutBucketCORS; there is no separate delete action.
DELETE_CORS = Operation("s3", "DeleteBucketCors", "s3:PutBucketCORS", S3_BUCKET, Phase.APPLY)
GET_TAGS = Operation("s3", "GetBucketTagging", "s3:GetBucketTagging", S3_BUCKET, Phase.APPLY)
OPERATIONS = (GET_CORS, PUT_CORS, DELETE_CORS, GET_TAGS)

# S3 answers a request sent to the wrong region with one of these and names the right region.
_WRONG_REGION = {"PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException",
                 "301", "400"}


def bucket_region(error: ClientError) -> str | None:
    """The bucket's region when S3 refused a call for being sent to another region."""
    response = error.response
    region = response.get("Error", {}).get("Region") or (
        response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("x-amz-bucket-region")
    )
    return region if error_code(error) in _WRONG_REGION and region else None


class S3Provider:
    kind = Kind.S3_BUCKET
    operations: ClassVar[tuple[Operation, ...]] = OPERATIONS

    def __init__(self, clients: Clients) -> None:
        self._clients = clients
        self._calls = Calls(clients, OPERATIONS)
        self._regions: dict[str, str] = {}
        self._lock = threading.Lock()

    def read(self, resource: Resource) -> Live:
        wire: Mapping[str, Any] | None
        try:
            wire = {"CORSRules": self._call(resource, GET_CORS)["CORSRules"]}
        except _Absent:
            wire = None
        return Live(resource.address, wire, warnings=_plan_notes(resource, wire))

    def write(self, resource: Resource, live: Live, wire: Mapping[str, Any] | None) -> None:
        if not resource.co_managed:
            refuse_write(resource, other_manager(self._tags(resource)))
        if wire is None:
            # Deleting a configuration that is already gone is a 204 on S3: idempotent.
            self._call(resource, DELETE_CORS)
            return
        self._call(resource, PUT_CORS, CORSConfiguration={"CORSRules": list(wire["CORSRules"])})

    def grants(self, resource: Resource, phases: Collection[Phase]) -> list[Grant]:
        # With co_managed: true the tags are never read.
        wanted = [op for op in OPERATIONS if not (op is GET_TAGS and resource.co_managed)]
        return grants_of(wanted, phases, Bucket=resource.name)

    def _tags(self, resource: Resource) -> dict[str, str]:
        try:
            reply = self._call(resource, GET_TAGS)
        except _Absent:
            return {}
        return {tag["Key"]: tag["Value"] for tag in reply.get("TagSet", [])}

    def _call(self, resource: Resource, operation: Operation, **params: Any) -> Any:
        """Run one S3 call for a bucket, following it once to the bucket's own region."""
        bucket = resource.name
        params["Bucket"] = bucket
        if self._clients.settings.account_id:
            params["ExpectedBucketOwner"] = self._clients.settings.account_id
        with self._lock:
            region = self._regions.get(bucket)
        try:
            return self._calls.call(operation, region, **params)
        except ClientError as error:
            moved_to = bucket_region(error)
            if not moved_to or moved_to == region:
                raise _translate(error, resource, operation, params.get("ExpectedBucketOwner")) from error
        with self._lock:
            self._regions[bucket] = moved_to
        try:
            return self._calls.call(operation, moved_to, **params)
        except ClientError as error:
            raise _translate(error, resource, operation, params.get("ExpectedBucketOwner")) from error


def _plan_notes(resource: Resource, wire: Mapping[str, Any] | None) -> tuple[str, ...]:
    """For a bucket apply will write: its tags are read only then (the plan shows this note once)."""
    desired = SERVICE.desired(resource, Live(resource.address, wire))
    changes = SERVICE.normalize(wire) != SERVICE.normalize(desired)
    return (NOT_CHECKED_AT_PLAN,) if changes and not resource.co_managed else ()


# S3's answers for "there is none" of what was asked: no CORS configuration, no tags.
_ABSENT = {"NoSuchCORSConfiguration", "NoSuchTagSet"}


def _translate(error: ClientError, resource: Resource, operation: Operation,
               expected_owner: str | None) -> Exception:
    """An S3 refusal in corsdeploy's terms: nothing configured, no bucket, or AWS's own error."""
    code = error_code(error)
    if code in _ABSENT:
        return _Absent()
    if code == "NoSuchBucket":
        message = f"bucket {resource.name!r} does not exist (corsdeploy does not create buckets)"
        return PlanError(Problem(message, address=resource.address), code=code)
    translated = translate(error, operation.action, resource.address)
    if code == "AccessDenied":
        # S3 answers 403 AccessDenied, not NoSuchBucket, for another account's bucket (facts §7.6).
        return AwsError(code, f"{translated.aws_message}; {_owner_hint(resource, expected_owner)}",
                        address=resource.address)
    return translated


def _owner_hint(resource: Resource, expected_owner: str | None) -> str:
    """The other causes of S3's AccessDenied than a missing permission."""
    hint = f"S3 also answers AccessDenied when bucket {resource.name!r} belongs to another account"
    if expected_owner:
        hint += (f", or when its owner is not account {expected_owner} (aws.account_id, sent as "
                 f"ExpectedBucketOwner)")
    return hint


class _Absent(Exception):
    """The bucket has no CORS configuration, or no tags."""
