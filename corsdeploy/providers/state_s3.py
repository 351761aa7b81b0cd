"""A Store in S3 (`state: s3://BUCKET/PREFIX`), for CI runners that keep nothing on disk.

Reached through the environment's `Clients`, so its endpoint trust rule and account guard apply.
`ExpectedBucketOwner` is sent with every call when `aws.account_id` is set: a bucket of another
account (a typo, or a name taken by someone else) is refused instead of written to. Locks are
conditional writes (`If-None-Match: *`), released with a conditional delete (`If-Match: ETag`).
"""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from corsdeploy.aws import Clients, translate
from corsdeploy.errors import AwsError
from corsdeploy.providers.calls import Calls
from corsdeploy.providers.operations import S3_BUCKET, Operation, Phase
from corsdeploy.state.names import Key
from corsdeploy.state.store import Stored, StoreError

# S3 answers a conditional write whose condition fails with 412 PreconditionFailed, and one that
# races another conditional write to the same key with 409 ConditionalRequestConflict.
_ALREADY_THERE = {"PreconditionFailed", "ConditionalRequestConflict", "412", "409"}
_NOT_THERE = {"NoSuchKey", "404"}

_OBJECT = S3_BUCKET + "/{Key}"
PUT = Operation("s3", "PutObject", "s3:PutObject", _OBJECT, Phase.APPLY)
GET = Operation("s3", "GetObject", "s3:GetObject", _OBJECT, Phase.APPLY)
DELETE = Operation("s3", "DeleteObject", "s3:DeleteObject", _OBJECT, Phase.APPLY)
LIST = Operation("s3", "ListObjectsV2", "s3:ListBucket", S3_BUCKET, Phase.APPLY)
OPERATIONS = (PUT, GET, DELETE, LIST)


class S3Store:
    """Documents under `s3://bucket/prefix/`, one object per key."""

    def __init__(self, clients: Clients, bucket: str, prefix: str = "") -> None:
        self._calls = Calls(clients, OPERATIONS)
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        owner = clients.settings.account_id
        self._owner: dict[str, str] = {"ExpectedBucketOwner": owner} if owner else {}

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def _object_key(self, key: Key) -> str:
        return f"{self.prefix}/{key}" if self.prefix else str(key)

    def where(self, key: Key) -> str:
        return f"s3://{self.bucket}/{self._object_key(key)}"

    def put(self, key: Key, data: bytes) -> str:
        self._call(PUT, "write", key,
                   Body=data, ContentType="application/json")
        return self.where(key)

    def create(self, key: Key, data: bytes) -> Stored | None:
        try:
            reply = self._call(PUT, "create", key,
                               Body=data, ContentType="application/json", IfNoneMatch="*")
        except StoreError as refusal:
            if refusal.code in _ALREADY_THERE:
                return None
            raise
        return Stored(data, str(reply["ETag"]))

    def get(self, key: Key) -> Stored | None:
        try:
            reply = self._call(GET, "read", key)
        except StoreError as refusal:
            if refusal.code in _NOT_THERE:
                return None
            raise
        with reply["Body"] as body:
            return Stored(body.read(), str(reply["ETag"]))

    def delete(self, key: Key, version: str) -> bool:
        try:
            self._call(DELETE, "remove", key,
                       IfMatch=version)
        except StoreError as refusal:
            if refusal.code in _ALREADY_THERE | _NOT_THERE:
                return False
            raise
        return True

    def names(self, folder: Key) -> tuple[str, ...]:
        start = self._object_key(folder) + "/"
        found: set[str] = set()
        try:
            pages = self._calls.pages(LIST, None, Bucket=self.bucket, Prefix=start, Delimiter="/",
                                      **self._owner)
            for page in pages:
                found.update(item["Key"][len(start):] for item in page.get("Contents", ()))
                found.update(item["Prefix"][len(start):].rstrip("/")
                             for item in page.get("CommonPrefixes", ()))
        except (ClientError, AwsError) as error:
            raise _store_error("list", f"s3://{self.bucket}/{start}", error, LIST.action) from error
        return tuple(sorted(found))

    def _call(self, operation: Operation, doing: str, key: Key, **arguments: Any) -> Any:
        """One object call; a refusal is a StoreError carrying S3's error code."""
        try:
            return self._calls.call(operation, Bucket=self.bucket, Key=self._object_key(key), **self._owner,
                                    **arguments)
        except (ClientError, AwsError) as error:
            raise _store_error(doing, self.where(key), error, operation.action) from error


def _store_error(doing: str, where: str, error: Exception, action: str) -> StoreError:
    # Transport faults come translated from providers.calls already.
    translated = error if isinstance(error, AwsError) else translate(error, action)
    return StoreError(doing, where, str(translated), code=translated.code)
