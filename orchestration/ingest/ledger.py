"""The ledger of ingested landing files: one immutable JSON record per file identity.

A file's identity (`landing.file_identity`) is the SHA-256 of its bytes (for a
ServiceNow export, of its client and its bytes; for a file with no data rows, of its
name and its bytes as well, so that every empty day of an extract is a delivery of its
own). The record is named after it and holds it as `sha256`.

A file is ingested in four steps, each safe to repeat: its rows are written to the lake
and quarantine under names derived from its identity; the file is copied to the archive;
the ledger record is written; the landing copy is removed. A crash between any two steps
is repaired by the next run, which either redoes the same writes or finds the identity in
the ledger and only removes the landing copy. A file with no rows writes nothing to the
lake or quarantine: its record holds 0 rows, which keeps the ledger's row count equal to
the lake's and quarantine's.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq

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
    """Add a file to the ledger (idempotent for the same identity)."""
    path = ledger_dir(settings) / f"{entry.sha256}.json"
    write_atomic(path, json.dumps(asdict(entry), indent=2, sort_keys=True).encode())


def next_seq(settings: Settings) -> int:
    """The seq the next ingested (or re-derived) file gets: one above any recorded."""
    return max((entry.seq for entry in load(settings).values()), default=0) + 1


class LedgerDamaged(Exception):
    """A ledger record that cannot be read; the message names it."""


def _read(path: Path) -> IngestedFile:
    try:
        return IngestedFile(**json.loads(path.read_text()))
    except (ValueError, TypeError) as error:
        raise LedgerDamaged(
            f"the ledger record {path} cannot be read ({type(error).__name__}: {error}); "
            "the next xla run rebuilds it from the archive and the lake"
        ) from None


def load(settings: Settings) -> dict[str, IngestedFile]:
    """Every ingested file, by identity."""
    folder = ledger_dir(settings)
    if not folder.exists():
        return {}
    entries = {}
    for path in sorted(folder.glob("*.json")):
        entry = _read(path)
        entries[entry.sha256] = entry
    return entries


def repair(settings: Settings) -> list[str]:
    """Rebuild every ledger record that cannot be read (cut short by a full disk, say)
    from what the ingest wrote before it: the archived file, named after the identity the
    record is named after, and its lake and quarantine Parquet files. Says what it did."""
    folder = ledger_dir(settings)
    done = []
    for path in sorted(folder.glob("*.json")) if folder.exists() else []:
        try:
            _read(path)
        except LedgerDamaged:
            entry = _rebuilt(settings, path.stem)
            if entry is None:
                raise LedgerDamaged(
                    f"the ledger record {path} cannot be read, and its archived file "
                    f"({settings.archive_dir}/*/{path.stem[:16]}_*) is not there to rebuild "
                    "it from"
                ) from None
            record(settings, entry)
            done.append(f"rebuilt the damaged ledger record of {entry.file_name} ({path.name})")
    return done


def _rebuilt(settings: Settings, identity: str) -> IngestedFile | None:
    from orchestration.ingest.landing import QUARANTINE_DIR
    from orchestration.ingest.reader import classify

    archived = sorted(settings.archive_dir.glob(f"*/{identity[:16]}_*"))
    if len(archived) != 1:
        return None
    archive = archived[0]
    name = archive.name.split("_", 1)[1]
    landing = classify(settings.landing_dir / name)
    if landing is None:
        return None
    stem = f"{archive.parent.name}_{identity[:16]}"
    lake = settings.lake_dir / landing.extract / f"{stem}.parquet"
    quarantine = settings.lake_dir / QUARANTINE_DIR / f"{landing.extract}_{stem}.parquet"
    loaded = pq.read_table(lake) if lake.exists() else None
    rejected = pq.read_table(quarantine) if quarantine.exists() else None
    seqs = loaded.column("_ingest_seq").to_pylist() if loaded is not None else []
    runs = rejected.column("run_id").to_pylist() if rejected is not None else []
    loaded_rows = loaded.num_rows if loaded is not None else 0
    rejected_rows = rejected.num_rows if rejected is not None else 0
    return IngestedFile(
        sha256=identity,
        file_name=name,
        extract=landing.extract,
        extract_date=landing.extract_date.isoformat(),
        rows_in=loaded_rows + rejected_rows,
        rows_loaded=loaded_rows,
        rows_quarantined=rejected_rows,
        lake_file=str(lake.relative_to(settings.data_dir)) if loaded is not None else None,
        quarantine_file=(
            str(quarantine.relative_to(settings.data_dir)) if rejected is not None else None
        ),
        archive_file=str(archive.relative_to(settings.data_dir)),
        run_id=runs[0] if runs else "unknown (record rebuilt)",
        ingested_at=datetime.fromtimestamp(archive.stat().st_mtime, UTC).isoformat(
            timespec="seconds"
        ),
        seq=max((s for s in seqs if s is not None), default=0),
    )
