"""Backups: the live configuration every write replaces, saved durably before the write.

`<store>/backups/<apply-id>/<encoded address>.json`, each holding the real address, the environment
and the configuration (`null` when the resource had no CORS).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from corsdeploy.config.shown import quoted
from corsdeploy.errors import BackupError, CorsdeployError
from corsdeploy.model import Kind
from corsdeploy.services import service_for
from corsdeploy.state.names import JSON_SUFFIX, Key, backup_key, backups_key, checked_apply_id, file_name_for
from corsdeploy.state.store import Store, StoreError, get_json, put_json

BACKUP_FORMAT_VERSION = 1


class Backups:
    def __init__(self, store: Store) -> None:
        self.store = store

    def location(self, apply_id: str) -> str:
        """Where an apply's backups are, as a user reads it (a folder, or an s3:// prefix)."""
        return self.store.where(backups_key(apply_id))

    def where(self, apply_id: str, address: str) -> str:
        return self.store.where(backup_key(apply_id, address))

    def save(self, apply_id: str, environment: str, address: str, wire: Mapping[str, Any] | None) -> str:
        """Write the backup durably and return where; a BackupError says why it could not be."""
        document = {
            "format_version": BACKUP_FORMAT_VERSION,
            "apply_id": apply_id,
            "environment": environment,
            "address": address,
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "configuration": wire,
        }
        key = backup_key(apply_id, address)
        try:
            return put_json(self.store, key, document)
        except StoreError as error:
            raise BackupError(f"the backup could not be written to {error.where} ({error.why}); "
                              "nothing was changed for this resource", code="BackupFailed") from error

    def load(self, apply_id: str, environment: str | None = None) -> dict[str, Mapping[str, Any] | None]:
        """Address -> the configuration saved before apply `apply_id` replaced it (None: it had no CORS).

        Empty when that apply saved no backup. With `environment`, a backup of another environment's
        apply is refused.
        """
        folder = backups_key(checked_apply_id(apply_id))
        saved: dict[str, Mapping[str, Any] | None] = {}
        for name in self.store.names(folder):
            if name.endswith(JSON_SUFFIX):
                address, configuration = self._read(folder.child(name), apply_id, environment)
                saved[address] = configuration
        return saved

    def _read(self, key: Key, apply_id: str, environment: str | None) -> tuple[str, Mapping[str, Any] | None]:
        document = get_json(self.store, key) or {}
        problem = _problem(document, key.parts[-1], apply_id, environment)
        if problem is not None:
            raise CorsdeployError(f"{self.store.where(key)}: {problem}")
        return document["address"], document["configuration"]


def _problem(document: Mapping[str, Any], name: str, apply_id: str, environment: str | None) -> str | None:
    """Why a stored document is not a backup corsdeploy wrote for this apply (None: it is one)."""
    address, configuration = document.get("address"), document.get("configuration")
    if document.get("format_version") != BACKUP_FORMAT_VERSION or document.get("apply_id") != apply_id:
        return f"not a backup of apply {apply_id} (format version {BACKUP_FORMAT_VERSION})"
    if not isinstance(address, str) or file_name_for(address) + JSON_SUFFIX != name:
        return "its address does not match its name: it was not written by corsdeploy"
    if environment is not None and document.get("environment") != environment:
        return f"it belongs to environment {quoted(document.get('environment'))}, not {quoted(environment)}"
    if "configuration" not in document:
        return "it holds no configuration: it was not written by corsdeploy"
    if configuration is not None and not isinstance(configuration, dict):
        return "its configuration is not a JSON object or null"
    return _shape_problem(address, configuration)


def _shape_problem(address: str, configuration: Mapping[str, Any] | None) -> str | None:
    """Why `configuration` is not what its service reads (rollback plans from it: it must not crash)."""
    kind = next((k for k in Kind if address.startswith(f"{k.value}.")), None)
    if kind is None or configuration is None:
        return None
    # A REST API's backup is a document; its `view` is what the plan diffs.
    wire = configuration.get("view") if kind is Kind.REST_API else configuration
    try:
        service_for(kind).normalize(wire)
    except (KeyError, TypeError, ValueError, AttributeError):
        return (f"its configuration is not the configuration of a {kind.value}: "
                "it was not written by corsdeploy")
    return None
