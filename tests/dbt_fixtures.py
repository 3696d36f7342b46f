"""A tiny, hand-countable data folder for building the dbt project in tests.

The lake is written the way the ingest writes it: one folder of Parquet files per
extract, every contract column typed as `orchestration.contract` says, plus the lineage
columns. The reference CSVs carry exactly the columns of `REFERENCE_FILES`.

The expected values asserted in `test_dbt_models.py` are worked out by hand from the
rows below; the comments beside them say what each row is there to prove.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.config import DBT_PROJECT_DIR, STAGED_SEEDS_DIR
from orchestration.contract import LANDING_EXTRACTS
from orchestration.ingest.landing import QUARANTINE_SCHEMA
from orchestration.ingest.validate import arrow_schema
from orchestration.reference import snapshot
from orchestration.reference.spec import REFERENCE_FILES

Row = dict[str, Any]

SEEDS: dict[str, list[tuple[str, ...]]] = {
    "clients": [
        ("C1", "Acme", "Europe/Amsterdam", "CAL_NL", "gold", "2023-01-01", ""),
        ("C2", "Beta", "America/New_York", "CAL_US", "silver", "2023-06-01", "2025-12-31"),
    ],
    "engineers": [
        (
            "E1",
            "Ann",
            "Service Desk",
            "engineer",
            "CAL_NL",
            "Europe/Amsterdam",
            "40",
            "75",
            "2022-01-01",
            "",
        ),
        # Left before as_of.
        (
            "E2",
            "Bob",
            "Service Desk",
            "engineer",
            "CAL_NL",
            "Europe/Amsterdam",
            "32",
            "70",
            "2022-01-01",
            "2024-02-29",
        ),
        # Starts after as_of.
        (
            "E3",
            "Cy",
            "Projects",
            "lead",
            "CAL_US",
            "America/New_York",
            "40",
            "60",
            "2024-05-01",
            "",
        ),
    ],
    "business_calendars": [
        *[("CAL_NL", str(day), "08:30", "17:00") for day in range(1, 6)],
        *[("CAL_US", str(day), "09:00", "12:00") for day in range(1, 6)],
        *[("CAL_US", str(day), "13:00", "24:00") for day in range(1, 6)],
    ],
    # The earliest date of the data: dim_dates starts on 2023-01-01.
    "holidays": [
        ("CAL_NL", "2023-12-25", "Christmas Day"),
        ("CAL_US", "2024-01-01", "New Year's Day"),
    ],
    "engineer_leave": [("E1", "2024-03-04", "8")],
    # Every tier and priority of the fixture's tickets has a policy for both metrics.
    "sla_policies": [
        ("gold", "P1", "first_response", "30", "24x7", "", "95"),
        ("gold", "P1", "resolution", "240", "business", "Waiting Customer;Waiting Vendor", "90"),
        *[
            (tier, priority, metric, "480", "business", "Waiting Customer", "90")
            for tier in ("gold", "silver")
            for priority in ("P2", "P3", "P4")
            for metric in ("first_response", "resolution")
            if (tier, priority) != ("gold", "P1")
        ],
        ("silver", "P1", "first_response", "30", "24x7", "", "95"),
        ("silver", "P1", "resolution", "240", "24x7", "", "95"),
    ],
    "xla_targets": [("gold", "happiness", ">=", "30", "5")],
    # Switched off: these fixtures are not about timeslip flags.
    "timeslip_rules": [("excessive_day", "false", "error", "12", "", "", "More than 12 hours")],
    # Header only, as before any auditor has reviewed a flag.
    "timeslip_waivers": [],
}


def _ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def ticket(
    ticket_id: str, client_id: str, status: str, created: str, updated: str, **extra: Any
) -> Row:
    """A tickets row; optional columns default to empty."""
    return {
        "ticket_id": ticket_id,
        "client_id": client_id,
        "priority": extra.pop("priority", "P3"),
        "status": status,
        "created_at": _ts(created),
        "updated_at": _ts(updated),
        **{k: _ts(v) if k.endswith("_at") else v for k, v in extra.items()},
    }


def event(event_id: str, ticket_id: str, at: str, field: str, old: str, new: str) -> Row:
    """A ticket_events row; an empty old value is written as an empty string, as a CSV would."""
    return {
        "event_id": event_id,
        "ticket_id": ticket_id,
        "occurred_at": _ts(at),
        "field": field,
        "old_value": old,
        "new_value": new,
    }


def timeslip(
    timeslip_id: str,
    engineer_id: str,
    ticket_id: str,
    work_date: str,
    worked: float,
    billed: float,
    billable: str,
    updated: str,
) -> Row:
    """A timeslips row starting at 09:00 UTC on the work date."""
    return {
        "timeslip_id": timeslip_id,
        "engineer_id": engineer_id,
        "ticket_id": ticket_id,
        "client_id": "C1",
        "work_date": _d(work_date),
        "started_at": _ts(f"{work_date}T09:00:00+00:00"),
        "ended_at": _ts(f"{work_date}T10:00:00+00:00"),
        "hours_worked": worked,
        "hours_billed": billed,
        "billable": billable,
        "entered_at": _ts(f"{work_date}T18:00:00+00:00"),
        "updated_at": _ts(updated),
    }


def survey(response_id: str, survey_type: str, ticket_id: str, score: int, responded: str) -> Row:
    """A surveys row of client C1."""
    return {
        "response_id": response_id,
        "survey_type": survey_type,
        "ticket_id": ticket_id,
        "client_id": "C1",
        "responded_at": _ts(responded),
        "score": score,
    }


LAKE: dict[str, dict[str, list[Row]]] = {
    "tickets": {
        "tickets_20240301.csv": [
            ticket(
                "T1",
                "C1",
                "In Progress",
                "2024-03-01T09:00:00+00:00",
                "2024-03-01T09:05:00+00:00",
                assigned_engineer_id="E1",
            ),
            # Newer updated_at than its copy in the later file: this version wins.
            ticket(
                "T2",
                "C2",
                "Resolved",
                "2024-01-15T10:00:00+00:00",
                "2024-03-01T12:00:00+00:00",
                resolved_at="2024-03-01T12:00:00+00:00",
            ),
            # 23:30 UTC on 31 January is 00:30 on 1 February in Amsterdam.
            ticket(
                "T3",
                "C1",
                "Closed",
                "2024-01-31T23:30:00+00:00",
                "2024-02-02T10:00:00+00:00",
                closed_at="2024-02-02T10:00:00+00:00",
            ),
            # Twice in one file with the same updated_at: the later line wins.
            ticket(
                "T4",
                "C1",
                "New",
                "2024-03-01T10:00:00+00:00",
                "2024-03-01T10:00:00+00:00",
                subject="first",
            ),
            ticket(
                "T4",
                "C1",
                "New",
                "2024-03-01T10:00:00+00:00",
                "2024-03-01T10:00:00+00:00",
                subject="second",
            ),
        ],
        "tickets_20240306.csv": [
            ticket(
                "T1",
                "C1",
                "Waiting Customer",
                "2024-03-01T09:00:00+00:00",
                "2024-03-05T08:00:00+00:00",
                priority="P2",
                assigned_engineer_id="E1",
                resolved_at="2024-03-02T11:00:00+00:00",
                closed_at="2024-03-04T11:00:00+00:00",
            ),
            ticket(
                "T2", "C2", "In Progress", "2024-01-15T10:00:00+00:00", "2024-02-20T12:00:00+00:00"
            ),
        ],
    },
    "ticket_events": {
        "ticket_events_20240301.csv": [
            event("e01", "T1", "2024-03-01T09:00:00+00:00", "assignee", "", "E1"),
            event("e02", "T1", "2024-03-01T09:05:00+00:00", "status", "New", "In Progress"),
            event("e03", "T1", "2024-03-01T10:00:00+00:00", "status", "In Progress", "Resolved"),
            event("e04", "T1", "2024-03-02T08:00:00+00:00", "status", "Resolved", "In Progress"),
            event("e05", "T1", "2024-03-02T08:10:00+00:00", "assignee", "E1", "E2"),
            event("e06", "T1", "2024-03-02T09:00:00+00:00", "priority", "P3", "P2"),
            event("e07", "T1", "2024-03-02T11:00:00+00:00", "status", "In Progress", "Resolved"),
            event("e08", "T1", "2024-03-04T11:00:00+00:00", "status", "Resolved", "Closed"),
        ],
        "ticket_events_20240306.csv": [
            # Re-delivered: must not count twice.
            event("e04", "T1", "2024-03-02T08:00:00+00:00", "status", "Resolved", "In Progress"),
            event("e09", "T1", "2024-03-05T08:00:00+00:00", "status", "Closed", "Waiting Customer"),
            event("e10", "T1", "2024-03-05T08:05:00+00:00", "assignee", "E2", "E1"),
            # A ticket not (yet) in the tickets extract: a warning, not a failure.
            event("e11", "T9", "2024-03-05T09:00:00+00:00", "status", "New", "In Progress"),
        ],
    },
    "timeslips": {
        "timeslips_20240301.csv": [
            timeslip(
                "S1", "E1", "T1", "2024-03-01", 1.5, 1.5, "Billable", "2024-03-01T18:00:00+00:00"
            ),
            timeslip(
                "S3", "E1", "", "2024-02-10", 3.0, 0.0, "Do Not Bill", "2024-02-10T18:00:00+00:00"
            ),
        ],
        "timeslips_20240306.csv": [
            # Corrected later: 2.0 worked, 1.0 billed.
            timeslip(
                "S1", "E1", "T1", "2024-03-01", 2.0, 1.0, "Billable", "2024-03-02T08:00:00+00:00"
            ),
            # The latest updated_at of all: as_of from the data.
            timeslip(
                "S2", "E2", "T1", "2024-03-02", 0.75, 0.0, "No Charge", "2024-03-06T17:00:00+00:00"
            ),
        ],
    },
    "surveys": {
        "surveys_20240306.csv": [
            survey("R1", "csat", "T1", 6, "2024-03-03T10:00:00+00:00"),
            survey("R2", "csat", "T1", 9, "2024-03-05T10:00:00+00:00"),
            survey("R3", "nps", "", 10, "2024-03-04T10:00:00+00:00"),
        ],
    },
}

QUARANTINE: dict[str, list[Row]] = {
    "_schema.parquet": [],
    "run_1.parquet": [
        {
            "file_name": "tickets_20240301.csv",
            "extract": "tickets",
            "line_number": 7,
            "raw_line": "T5,C1,,P9,,,New,,,2024-03-01T10:00:00+00:00,,,,2024-03-01T10:00:00+00:00",
            "reason": "priority: 'P9' is not one of P1, P2, P3, P4",
            "file_sha256": hashlib.sha256(b"tickets_20240301").hexdigest(),
            "run_id": "run-1",
            "ingested_at": _ts("2024-03-06T18:00:00+00:00"),
        }
    ],
}


@dataclass(frozen=True)
class DataFolder:
    """Where a test build reads and writes."""

    data_dir: Path
    seeds_dir: Path
    target_dir: Path
    # Load the reference files as they are, without the check a run makes first: for
    # the tests of the dbt project's own checks on reference data, its second net.
    unchecked: bool = False

    @property
    def warehouse(self) -> Path:
        """The DuckDB file dbt builds into."""
        return self.data_dir / "build" / "warehouse.duckdb"

    def env(self) -> dict[str, str]:
        """The environment dbt runs with, as the Python side exports it."""
        return {
            **os.environ,
            "XLA_DATA_DIR": str(self.data_dir),
            "XLA_SEEDS_DIR": str(self.seeds_dir),
            # The snapshot a run takes of the reference folder (validated, normalised).
            "XLA_DBT_SEEDS": (
                _unchecked_seed_path(self.seeds_dir)
                if self.unchecked
                else snapshot.take(self.seeds_dir).dbt_seed_path
            ),
            "DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }


def _unchecked_seed_path(seeds_dir: Path) -> str:
    """The reference files copied as they are where dbt takes seeds from."""
    digest = hashlib.sha256()
    for path in sorted(seeds_dir.glob("*.csv")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    folder = STAGED_SEEDS_DIR / f"unchecked-{digest.hexdigest()[:16]}"
    if not folder.exists():
        # Written aside and renamed in whole: tests side by side may stage the same seeds.
        aside = STAGED_SEEDS_DIR / f".{folder.name}.{os.getpid()}.tmp"
        shutil.rmtree(aside, ignore_errors=True)
        shutil.copytree(seeds_dir, aside)
        try:
            aside.rename(folder)
        except OSError:
            shutil.rmtree(aside, ignore_errors=True)
    return str(folder.relative_to(DBT_PROJECT_DIR))


def write_seeds(seeds_dir: Path, seeds: dict[str, list[tuple[str, ...]]] | None = None) -> None:
    """Write the reference CSVs with the `REFERENCE_FILES` columns, as many as the rows
    give: optional columns come last, and rows that stop short leave them out."""
    seeds = SEEDS if seeds is None else seeds
    seeds_dir.mkdir(parents=True, exist_ok=True)
    for name, columns in REFERENCE_FILES.items():
        rows = seeds.get(name, [])
        width = max((len(row) for row in rows), default=len(columns))
        with (seeds_dir / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns[:width])
            writer.writerows(rows)


def lake_schema(extract: str) -> pa.Schema:
    """An extract's lake schema as the ingest writes it, with an unknown extra column."""
    return arrow_schema(LANDING_EXTRACTS[extract], ["custom_field"])


def write_extract_file(folder: Path, extract: str, file_name: str, rows: list[Row]) -> None:
    """Write one landed file's rows as the ingest does, lineage filled in."""
    extract_date = date(int(file_name[-12:-8]), int(file_name[-8:-6]), int(file_name[-6:-4]))
    records = [
        {
            **row,
            "custom_field": "x",
            "_source_file": file_name,
            "_source_line": line,
            "_extract_date": extract_date,
            "_file_sha256": hashlib.sha256(file_name.encode()).hexdigest(),
        }
        for line, row in enumerate(rows, start=2)
    ]
    table = pa.Table.from_pylist(records, schema=lake_schema(extract))
    pq.write_table(table, folder / file_name.replace(".csv", ".parquet"))


def write_lake(lake_dir: Path, lake: dict[str, dict[str, list[Row]]] | None = None) -> None:
    """Write every extract's files, each folder's schema-only file and the quarantine files."""
    lake = LAKE if lake is None else lake
    for extract in LANDING_EXTRACTS:
        files = lake.get(extract, {})
        folder = lake_dir / extract
        folder.mkdir(parents=True, exist_ok=True)
        # The ingest leaves one in every folder, so readers work before anything landed.
        pq.write_table(lake_schema(extract).empty_table(), folder / "_schema.parquet")
        for file_name, rows in files.items():
            write_extract_file(folder, extract, file_name, rows)
    quarantine_dir = lake_dir / "quarantine"
    quarantine_dir.mkdir(parents=True, exist_ok=True)
    pq.write_table(QUARANTINE_SCHEMA.empty_table(), quarantine_dir / "_schema.parquet")
    for file_name, rows in (QUARANTINE if lake is LAKE else {}).items():
        pq.write_table(
            pa.Table.from_pylist(rows, schema=QUARANTINE_SCHEMA), quarantine_dir / file_name
        )


def make_data_folder(
    root: Path,
    seeds: dict[str, list[tuple[str, ...]]] | None = None,
    lake: dict[str, dict[str, list[Row]]] | None = None,
) -> DataFolder:
    """Lay out a data folder, seeds folder and dbt target folder under `root`.

    Without `seeds` and `lake`, the module's own hand-counted rows; with them, another
    test's (reference files or extracts not given are written empty).
    """
    folder = DataFolder(root / "data", root / "seeds", root / "target")
    write_seeds(folder.seeds_dir, seeds)
    write_lake(folder.data_dir / "lake", lake)
    (folder.data_dir / "build").mkdir(parents=True, exist_ok=True)
    return folder


def run_dbt(
    folder: DataFolder, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a dbt command on the project against `folder`, without raising on failure;
    `env` adds to its environment (a build's run parameters, say)."""
    dbt = Path(sys.executable).with_name("dbt")
    return subprocess.run(
        [
            str(dbt),
            *args,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(folder.target_dir),
            "--log-path",
            str(folder.target_dir / "logs"),
        ],
        env={**folder.env(), **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
