"""The reference data a run builds from: validated, normalised, and fixed for the run.

A run reads the MSP's reference folder once, before anything else, and writes what it
read as a snapshot: every reference file with exactly the warehouse's columns in its
order, defaults filled in, pause statuses in the contract's words, UTF-8 with LF line
ends. dbt loads its seeds from the snapshot, and the publication records the hashes of
the files the snapshot was taken from, so what is recorded is what was built even when
a file is edited while the run goes on.

Snapshots live under `dbt_project/.staged_seeds/<digest>/` (dbt needs a seed path
relative to its project), named by their content, so two runs of the same reference
data share one and a snapshot never changes once written.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from orchestration.config import DBT_PROJECT_DIR, STAGED_SEEDS_DIR, ConfigError, Settings
from orchestration.contract import CANONICAL_VALUES
from orchestration.files import write_atomic
from orchestration.reference.spec import MSP_SETTINGS, REFERENCE, VALUE_MAP_SOURCES
from orchestration.reference.validate import (
    Validation,
    pause_status_meanings,
    source_path,
    split_statuses,
    validate_folder,
)

# The record of the snapshot a run took, beside the build it feeds.
RECORD_FILE = "reference_snapshot.json"


class ReferenceDataError(ConfigError):
    """The reference data cannot be built from: every problem, one per line."""

    def __init__(self, validation: Validation) -> None:
        self.validation = validation
        lines = validation.lines()
        super().__init__(
            f"the reference data has {len(lines)} problem(s); first: {lines[0]}"
            if lines
            else "the reference data cannot be read"
        )


@dataclass(frozen=True)
class Snapshot:
    """A run's reference data: where dbt reads it and what it was taken from."""

    digest: str
    # File name -> SHA-256 of the MSP's file as read; files not there are left out.
    sources: dict[str, str]
    run_id: str = ""

    @property
    def folder(self) -> Path:
        return STAGED_SEEDS_DIR / self.digest

    @property
    def dbt_seed_path(self) -> str:
        """The snapshot as dbt's `seed-paths` names it: relative to the project."""
        return str(self.folder.relative_to(DBT_PROJECT_DIR))

    def to_json(self) -> str:
        return json.dumps(
            {"run_id": self.run_id, "digest": self.digest, "sources": self.sources},
            indent=2,
            sort_keys=True,
        )


def settings_of(validation: Validation) -> dict[str, str]:
    """Every MSP-wide setting: the file's value, or the setting's default."""
    given = {r["setting"]: r["value"] for r in validation.tables["msp_settings"].rows}
    return {name: given.get(name) or s.default for name, s in MSP_SETTINGS.items()}


def normalised_rows(validation: Validation) -> dict[str, list[dict[str, str]]]:
    """Each file's rows as the warehouse loads them: defaults filled in, pause statuses
    named as the contract names them, MSP-wide settings all present."""
    tables = validation.tables
    settings = settings_of(validation)
    meanings = pause_status_meanings(tables)
    rows = {name: [dict(r) for r in table.rows] for name, table in tables.items()}
    for row in rows["engineers"]:
        row["billable_goal_period"] = (
            row["billable_goal_period"] or settings["billable_goal_period"]
        )
    for row in rows["sla_policies"]:
        names = [
            name if name not in meanings else next(iter(meanings[name]))
            for name in split_statuses(row["pause_statuses"])
        ]
        row["pause_statuses"] = ";".join(dict.fromkeys(names))
    rows["msp_settings"] = [{"setting": k, "value": v} for k, v in settings.items()]
    rows["value_map"] = complete_value_map(rows["value_map"])
    return rows


def complete_value_map(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The value map in force: the file's rows, and for every source and field, each of
    the contract's values as itself unless the file maps that value otherwise. A lookup
    in it is then the whole mapping: a value it lacks is neither the contract's nor
    mapped."""
    complete = [{**row, "origin": "value_map.csv"} for row in rows]
    mapped = {(r["source"], r["field"], r["source_value"]) for r in rows}
    for source in VALUE_MAP_SOURCES:
        for field, values in CANONICAL_VALUES.items():
            complete += [
                {
                    "source": source,
                    "field": field,
                    "source_value": value,
                    "canonical_value": value,
                    "origin": "contract",
                }
                for value in values
                if (source, field, value) not in mapped
            ]
    return complete


def _csv_text(columns: tuple[str, ...], rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([row[c] for c in columns] for row in rows)
    return buffer.getvalue()


def write(validation: Validation, run_id: str = "") -> Snapshot:
    """Write the validated reference data as a snapshot (or find it already written)."""
    if not validation.ok:
        raise ReferenceDataError(validation)
    files = {
        REFERENCE[name].file_name: _csv_text(REFERENCE[name].column_names, rows).encode()
        for name, rows in normalised_rows(validation).items()
    }
    digest = hashlib.sha256()
    for file_name, data in sorted(files.items()):
        digest.update(f"{file_name}\0{len(data)}\0".encode())
        digest.update(data)
    snapshot = Snapshot(
        digest=digest.hexdigest()[:16],
        sources={
            table.spec.file_name: table.sha256
            for table in validation.tables.values()
            if table.sha256 is not None
        },
        run_id=run_id,
    )
    if not snapshot.folder.is_dir():
        tmp = STAGED_SEEDS_DIR / f".{snapshot.digest}.{os.getpid()}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for file_name, data in files.items():
            (tmp / file_name).write_bytes(data)
        try:
            tmp.rename(snapshot.folder)
        except OSError:  # written at the same moment by another run: the same content
            shutil.rmtree(tmp, ignore_errors=True)
    return snapshot


def take(seeds_dir: Path, run_id: str = "") -> Snapshot:
    """Validate the reference folder and snapshot it; `ReferenceDataError` if it is bad."""
    return write(validate_folder(seeds_dir), run_id)


def record_path(settings: Settings) -> Path:
    return settings.build_dir / RECORD_FILE


def record(settings: Settings, snapshot: Snapshot) -> None:
    """Note the run's snapshot beside the build, for the run's later steps."""
    write_atomic(record_path(settings), snapshot.to_json().encode())


def for_run(settings: Settings, run_id: str) -> Snapshot:
    """The snapshot the run `run_id` took at its start.

    A later step of the run must build from exactly that snapshot; without one (a step
    run on its own, or a record of another run) the reference data is taken again now.
    """
    try:
        data = json.loads(record_path(settings).read_text())
        snapshot = Snapshot(digest=data["digest"], sources=data["sources"], run_id=data["run_id"])
    except (OSError, ValueError, KeyError, TypeError):
        snapshot = None
    if snapshot is not None and snapshot.run_id == run_id and snapshot.folder.is_dir():
        return snapshot
    snapshot = take(settings.seeds_dir, run_id)
    record(settings, snapshot)
    return snapshot


def current_sources(seeds_dir: Path) -> dict[str, str]:
    """The SHA-256 of each reference file a snapshot taken now would read (for "has
    anything changed?"), as `Snapshot.sources` names them."""
    found = {}
    for spec in REFERENCE.values():
        path = source_path(seeds_dir, spec)
        try:
            found[spec.file_name] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            continue
    return found


# dbt's `seed-paths` (dbt_project.yml) reads the snapshot's folder from this variable,
# and the repository's seeds without it.
SEEDS_VARIABLE = "XLA_DBT_SEEDS"
DBT_DEFAULT_SEEDS = "../seeds"


def use(snapshot: Snapshot) -> None:
    """Point dbt, run from this process, at the snapshot's seeds."""
    os.environ[SEEDS_VARIABLE] = snapshot.dbt_seed_path


def dbt_seeds_dir() -> Path:
    """The folder dbt, run from this process, reads its seeds from: a run's snapshot once
    `use` has named it, else the repository's."""
    return (DBT_PROJECT_DIR / (os.environ.get(SEEDS_VARIABLE) or DBT_DEFAULT_SEEDS)).resolve()


def rows(snapshot: Snapshot, name: str) -> list[dict[str, str]]:
    """The rows of one reference file of the snapshot, as the warehouse loads them."""
    with (snapshot.folder / REFERENCE[name].file_name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))
