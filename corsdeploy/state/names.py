"""The only names state is stored under: generated apply and lock ids, encoded addresses, fixed folders.

Names in environment files may come from untrusted pull requests, so no name becomes a path or an
object key as written: each is encoded into one safe part (`file_name_for`), and the real name stays
inside the stored document. Ids are generated, and checked when they come back as input.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from corsdeploy.errors import CorsdeployError, LockError

BACKUPS = "backups"
HISTORY = "history"
LOCKS = "locks"
JSON_SUFFIX = ".json"

_APPLY_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{4}")
_LOCK_ID_BYTES = 8
_LOCK_ID = re.compile(rf"[0-9a-f]{{{2 * _LOCK_ID_BYTES}}}")
# Kept as written in file names; everything else is percent-encoded (UTF-8), a leading dot too.
_PLAIN = re.compile(r"[A-Za-z0-9._-]")
# Well under the 255 bytes most filesystems allow, leaving room for the digest and the extension.
MAX_ENCODED_LENGTH = 120
_DIGEST_SEPARATOR = "~"  # never in an encoded name: `~` itself is encoded
_DIGEST_LENGTH = 16
# One component of a key: what the functions above produce, plus fixed names and suffixes.
_SAFE_PART = re.compile(r"[A-Za-z0-9_%~-][A-Za-z0-9._%~-]{0,199}")


def new_apply_id(now: datetime | None = None) -> str:
    """Sortable and unique: `20261123T140501Z-3f2a`."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"


def is_apply_id(text: str) -> bool:
    return _APPLY_ID.fullmatch(text) is not None


def checked_apply_id(apply_id: str) -> str:
    """`apply_id` when it has the shape `new_apply_id` gives (so it is safe as a folder name)."""
    if not is_apply_id(apply_id):
        raise CorsdeployError(f"{apply_id!r} is not an apply id (they look like 20261123T140501Z-3f2a)")
    return apply_id


def new_lock_id() -> str:
    return secrets.token_hex(_LOCK_ID_BYTES)


def checked_lock_id(lock_id: str) -> str:
    """`lock_id` when it has the shape `new_lock_id` gives."""
    if not _LOCK_ID.fullmatch(lock_id):
        raise LockError(f"{lock_id!r} is not a lock id (they look like {'3f2a9c1d' * 2}); "
                        "the message that refused the apply names the lock's id")
    return lock_id


def _encoded(character: str) -> str:
    return "".join(f"%{byte:02X}" for byte in character.encode("utf-8", "surrogatepass"))


def file_name_for(address: str) -> str:
    """One readable, safe file name per address: `s3_bucket.assets`, `http_api.a%2Fb`, `http_api.Api~1f2e...`.

    A digest of the address is added when the name was cut short or holds capitals, so names that
    differ only in case stay apart on case-insensitive filesystems (macOS, Windows).
    """
    name = "".join(c if _PLAIN.fullmatch(c) else _encoded(c) for c in address)
    if name.startswith("."):
        name = "%2E" + name[1:]
    cut = len(name) > MAX_ENCODED_LENGTH
    if cut:
        name = name[:MAX_ENCODED_LENGTH]
        name = name[: name.rfind("%")] if "%" in name[-2:] else name  # never half an escape
    if cut or any(c.isupper() for c in address):
        digest = hashlib.sha256(address.encode("utf-8", "surrogatepass")).hexdigest()[:_DIGEST_LENGTH]
        name += _DIGEST_SEPARATOR + digest
    return name


@dataclass(frozen=True)
class Key:
    """Where one document lives in a store, as safe parts (`backups/<apply-id>/<name>.json`).

    Every part is one path component and one segment of an object key: no separator, no leading dot
    (so never `.` or `..`), nothing but the characters the functions above produce.
    """

    parts: tuple[str, ...]

    def __post_init__(self) -> None:
        unsafe = [part for part in self.parts if not _SAFE_PART.fullmatch(part)]
        if unsafe or not self.parts:
            raise ValueError(f"unsafe state key parts: {unsafe!r}")  # a bug: keys come from this module

    def __str__(self) -> str:
        return "/".join(self.parts)

    def child(self, part: str) -> Key:
        return Key((*self.parts, part))


def backups_key(apply_id: str) -> Key:
    return Key((BACKUPS, checked_apply_id(apply_id)))


def backup_key(apply_id: str, address: str) -> Key:
    return backups_key(apply_id).child(file_name_for(address) + JSON_SUFFIX)


def history_key(environment: str) -> Key:
    return Key((HISTORY, file_name_for(environment)))


def record_key(environment: str, apply_id: str) -> Key:
    return history_key(environment).child(checked_apply_id(apply_id) + JSON_SUFFIX)


def lock_key(environment: str) -> Key:
    return Key((LOCKS, file_name_for(environment) + JSON_SUFFIX))
