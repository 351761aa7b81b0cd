"""What `import` found, as data: the content of an environment file (no boto3, for the YAML view)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from corsdeploy.model import Kind, frozen


@dataclass(frozen=True)
class ImportedEntry:
    """One resource's entry, in the file's shape (`{"cors": ..., "stage": ...}`)."""

    kind: Kind
    name: str
    entry: Mapping[str, Any]
    # Facts about the live state a reader of the file should know (shown as comments).
    notes: tuple[str, ...] = ()

    @property
    def address(self) -> str:
        return f"{self.kind.value}.{self.name}"


@dataclass(frozen=True)
class Imported:
    """An environment file's content: where it was read, the `aws` block to print, the entries."""

    account: str
    region: str
    entries: tuple[ImportedEntry, ...]
    aws: Mapping[str, str] = field(default_factory=frozen)
    # The environment file whose `aws` settings were used (None: boto3's defaults).
    source: str | None = None

    def document(self) -> dict[str, Any]:
        """The file's data: `aws` (when given), then one section per kind, entries in the order asked."""
        document: dict[str, Any] = {"aws": dict(self.aws)} if self.aws else {}
        for kind in Kind:
            section = {e.name: dict(e.entry) for e in self.entries if e.kind is kind}
            if section:
                document[kind.section] = section
        return document
