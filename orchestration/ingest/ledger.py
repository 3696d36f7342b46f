"""The ledger of ingested landing files: one immutable JSON record per file hash.

A file is ingested in four steps, each safe to repeat: its rows are written to the lake
and quarantine under names derived from its hash; the file is copied to the archive; the
ledger record is written; the landing copy is removed. A crash between any two steps is
repaired by the next run, which either redoes the same writes or finds the hash in the
ledger and only removes the landing copy.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from orchestration.config import Settings
from orchestration.files import write_atomic


@dataclass(frozen=True)
class IngestedFile:
    """What the ledger knows of one ingested file."""

    sha256: str
    file_name: str
    extract: str
    extract_date: str
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    lake_file: str | None
    quarantine_file: str | None
    archive_file: str
    run_id: str
    ingested_at: str
    # The file's position in the ledger, written to its lake rows as `_ingest_seq`: a build
    # that has seen every file up to seq N rebuilds only what rows with a higher seq touch.
    # Records written before seqs existed read as 0.
    seq: int = 0


def ledger_dir(settings: Settings) -> Path:
    return settings.audit_dir / "ingested"


def record(settings: Settings, entry: IngestedFile) -> None:
    """Add a file to the ledger (idempotent for the same hash)."""
    path = ledger_dir(settings) / f"{entry.sha256}.json"
    write_atomic(path, json.dumps(asdict(entry), indent=2, sort_keys=True).encode())


def next_seq(settings: Settings) -> int:
    """The seq the next ingested (or re-derived) file gets: one above any recorded."""
    return max((entry.seq for entry in load(settings).values()), default=0) + 1


def load(settings: Settings) -> dict[str, IngestedFile]:
    """Every ingested file, by hash."""
    folder = ledger_dir(settings)
    if not folder.exists():
        return {}
    entries = {}
    for path in sorted(folder.glob("*.json")):
        entry = IngestedFile(**json.loads(path.read_text()))
        entries[entry.sha256] = entry
    return entries
