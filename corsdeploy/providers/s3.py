"""S3 bucket CORS: GetBucketCors / PutBucketCors / DeleteBucketCors, one call per read."""
from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from corsdeploy.aws import Clients, error_code, translate
from corsdeploy.errors import AwsError, PlanError, Problem
from corsdeploy.model import Kind, Live, Resource

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
    read_actions = ("s3:GetBucketCORS",)
    # DeleteBucketCors is authorised by s3:PutBucketCORS; there is no separate delete action.
    write_actions = ("s3:PutBucketCORS",)

    def __init__(self, clients: Clients) -> None:
        self._clients = clients
        self._regions: dict[str, str] = {}
        self._lock = threading.Lock()

    def read(self, resource: Resource) -> Live:
        try:
            reply = self._call(resource, "s3:GetBucketCORS", lambda s3, **kw: s3.get_bucket_cors(**kw))
        except _NoCors:
            return Live(resource.address, None)
        return Live(resource.address, {"CORSRules": reply["CORSRules"]})

    def write(self, resource: Resource, live: Live, wire: Mapping[str, Any] | None) -> None:
        if wire is None:
            # Deleting a configuration that is already gone is a 204 on S3: idempotent.
            self._call(resource, "s3:PutBucketCORS", lambda s3, **kw: s3.delete_bucket_cors(**kw))
            return
        configuration = {"CORSRules": list(wire["CORSRules"])}
        self._call(resource, "s3:PutBucketCORS",
                   lambda s3, **kw: s3.put_bucket_cors(CORSConfiguration=configuration, **kw))

    def _call(self, resource: Resource, action: str, call: Callable[..., Any]) -> Any:
        """Run one S3 call for a bucket, following it once to the bucket's own region."""
        bucket = resource.name
        kwargs: dict[str, Any] = {"Bucket": bucket}
        if self._clients.settings.account_id:
            kwargs["ExpectedBucketOwner"] = self._clients.settings.account_id
        with self._lock:
            region = self._regions.get(bucket)
        try:
            return call(self._clients.client("s3", region), **kwargs)
        except ClientError as error:
            moved_to = bucket_region(error)
            if not moved_to or moved_to == region:
                raise _translate(error, resource, action, kwargs.get("ExpectedBucketOwner")) from error
        with self._lock:
            self._regions[bucket] = moved_to
        try:
            return call(self._clients.client("s3", moved_to), **kwargs)
        except ClientError as error:
            raise _translate(error, resource, action, kwargs.get("ExpectedBucketOwner")) from error


def _translate(error: ClientError, resource: Resource, action: str, expected_owner: str | None) -> Exception:
    """An S3 refusal in corsdeploy's terms: no configuration, no bucket, or AWS's own error."""
    code = error_code(error)
    if code == "NoSuchCORSConfiguration":
        return _NoCors()
    if code == "NoSuchBucket":
        message = f"bucket {resource.name!r} does not exist (corsdeploy does not create buckets)"
        return PlanError(Problem(message, address=resource.address), code=code)
    translated = translate(error, action, resource.address)
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


class _NoCors(Exception):
    """The bucket has no CORS configuration (S3's NoSuchCORSConfiguration)."""


PROVIDER_CLASS = S3Provider
