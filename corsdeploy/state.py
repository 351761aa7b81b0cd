"""Durable local state under `.corsdeploy/`: backups of every configuration before it is overwritten.

Names in environment files may come from untrusted pull requests, so no name becomes a path as
written: each is encoded into one file name (`file_name_for`), and the real address stays inside the
file. Apply ids are generated, never taken from input. State is private: folders are created 0700
and files 0600 (umask can only narrow those), and no symbolic link inside the state folder is followed.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from corsdeploy.errors import BackupError, CorsdeployError

STATE_DIR = Path(".corsdeploy")
PRIVATE_FOLDER_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
_APPLY_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{4}")
# Kept as written in file names; everything else is percent-encoded (UTF-8), a leading dot too.
_PLAIN = re.compile(r"[A-Za-z0-9._-]")
# Well under the 255 bytes most filesystems allow, leaving room for the digest and the extension.
MAX_ENCODED_LENGTH = 120
_DIGEST_SEPARATOR = "~"  # never in an encoded name: `~` itself is encoded
_DIGEST_LENGTH = 16
_FOLLOW_NOTHING = os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_IN_THE_WAY = ("a symbolic link or a file is where a state folder should be; "
               "state is written only into real folders")


def new_apply_id(now: datetime | None = None) -> str:
    """Sortable and unique: `20261123T140501Z-3f2a`."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"


def checked_apply_id(apply_id: str) -> str:
    """`apply_id` when it has the shape `new_apply_id` gives (so it is safe as a folder name)."""
    if not _APPLY_ID.fullmatch(apply_id):
        raise CorsdeployError(f"{apply_id!r} is not an apply id (they look like 20261123T140501Z-3f2a)")
    return apply_id


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


def address_from_file_name(name: str) -> str:
    """The address a file name encodes (a name cut short gives back only its beginning)."""
    return unquote(name.partition(_DIGEST_SEPARATOR)[0], errors="surrogatepass")


def _open_private_folder(name: str, parent: int | None) -> int:
    """A descriptor of folder `name` (created 0700 when missing); a symbolic link is refused."""
    try:
        os.mkdir(name, PRIVATE_FOLDER_MODE, dir_fd=parent)
        created = True
    except FileExistsError:
        created = False
    folder = os.open(name, os.O_RDONLY | os.O_DIRECTORY | _FOLLOW_NOTHING, dir_fd=parent)
    if created:
        os.fchmod(folder, PRIVATE_FOLDER_MODE)  # only ever narrower before: a umask cannot widen it
    return folder


def _open_state_folder(root: Path, folders: Sequence[str]) -> int:
    """A descriptor of `root/folders...`, each created private and none a symbolic link."""
    root.parent.mkdir(parents=True, exist_ok=True)
    parent = os.open(root.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for name in (root.name, *folders):
            child = _open_private_folder(name, parent)
            os.close(parent)
            parent = child
    except BaseException:
        os.close(parent)
        raise
    return parent


def write_durably(root: Path, folders: Sequence[str], name: str, data: Mapping[str, Any]) -> Path:
    """Write JSON to `root/folders.../name`, private and on disk before this returns
    (temporary file, fsync, rename, fsync folder). `folders` and `name` must be single safe names."""
    folder = _open_state_folder(root, folders)
    try:
        temporary = f".{name}.tmp"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary, dir_fd=folder)  # left by a crash; its mode must not be reused
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _FOLLOW_NOTHING,
                             PRIVATE_FILE_MODE, dir_fd=folder)
        os.fchmod(descriptor, PRIVATE_FILE_MODE)
        with open(descriptor, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
        os.fsync(folder)
    finally:
        os.close(folder)
    return root.joinpath(*folders, name)


class BackupStore:
    """`<root>/backups/<apply-id>/<encoded address>.json`: the live configuration a write replaces."""

    def __init__(self, root: Path = STATE_DIR) -> None:
        self.root = root

    def path(self, apply_id: str, address: str) -> Path:
        return self.root / "backups" / checked_apply_id(apply_id) / f"{file_name_for(address)}.json"

    def save(self, apply_id: str, environment: str, address: str, wire: Mapping[str, Any] | None) -> Path:
        """Write the backup durably and return where; a BackupError says why it could not be."""
        document = {
            "format_version": 1,
            "apply_id": apply_id,
            "environment": environment,
            "address": address,
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "configuration": wire,
        }
        path = self.path(apply_id, address)
        try:
            return write_durably(self.root, ("backups", apply_id), path.name, document)
        except OSError as error:
            why = _IN_THE_WAY if error.errno in (errno.ELOOP, errno.ENOTDIR) else error.strerror or str(error)
            raise BackupError(f"the backup could not be written to {path} ({why}); "
                              "nothing was changed for this resource", code="BackupFailed") from error
