"""Durable local state under `.corsdeploy/`: backups of every configuration before it is overwritten."""
from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from corsdeploy.errors import BackupError

STATE_DIR = Path(".corsdeploy")


def new_apply_id(now: datetime | None = None) -> str:
    """Sortable and unique: `20261123T140501Z-3f2a`."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"


def write_durably(path: Path, data: Mapping[str, Any]) -> None:
    """Write JSON so that it is on disk before this returns (temp file, fsync, rename, fsync dir)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class BackupStore:
    """`<root>/backups/<apply-id>/<address>.json`: the live configuration a write replaces."""

    def __init__(self, root: Path = STATE_DIR) -> None:
        self.root = root

    def path(self, apply_id: str, address: str) -> Path:
        return self.root / "backups" / apply_id / f"{address}.json"

    def save(self, apply_id: str, environment: str, address: str, wire: Mapping[str, Any] | None) -> Path:
        """Write the backup durably and return where; a BackupError says why it could not be."""
        path = self.path(apply_id, address)
        document = {
            "format_version": 1,
            "apply_id": apply_id,
            "environment": environment,
            "address": address,
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "configuration": wire,
        }
        try:
            write_durably(path, document)
        except OSError as error:
            raise BackupError(f"the backup could not be written to {path} ({error.strerror or error}); "
                              "nothing was changed for this resource", code="BackupFailed") from error
        return path
