"""Where corsdeploy keeps what live AWS cannot tell it: backups, history and locks.

A Store (a folder, default `.corsdeploy/`, or `state: s3://BUCKET/PREFIX`) holds documents by Key;
Backups, History and Locks are built on it. Imports no boto3: the S3 store is a provider
(corsdeploy.providers.state_s3), built by the engine from the environment's `aws` settings.
"""
from __future__ import annotations

from corsdeploy.state.backups import Backups
from corsdeploy.state.folder import STATE_DIR, FolderStore, write_durably
from corsdeploy.state.history import (
    History,
    HistoryListing,
    HistoryRecord,
    ResourceRecord,
    RunOutcome,
    finished_record,
    started_record,
)
from corsdeploy.state.locks import Lock, LockInfo, Locks, environment_lock
from corsdeploy.state.names import Key, checked_apply_id, checked_lock_id, file_name_for, new_apply_id
from corsdeploy.state.setting import FolderSetting, S3Setting, StateSetting, state_setting
from corsdeploy.state.store import Store, Stored, StoreError

__all__ = [
    "STATE_DIR", "Backups", "FolderSetting", "FolderStore", "History", "HistoryListing", "HistoryRecord",
    "Key", "Lock", "LockInfo", "Locks", "ResourceRecord", "RunOutcome", "S3Setting", "StateSetting", "Store",
    "StoreError", "Stored", "checked_apply_id", "checked_lock_id", "environment_lock", "file_name_for",
    "finished_record", "new_apply_id", "started_record", "state_setting", "write_durably",
]
