"""Whole rebuilds from the same landing files and seeds, and a digest of what they published.

`rebuild` runs `xla run` on a fresh data folder holding every landing file of the shared
generated MSP (`crashes.dataset`); with `intruder=True` a second `xla run` is started on
the same folder while the first is running, and what it said is kept.
`table_digests` hashes every published table's rows in a fixed order, leaving out only
the run metadata columns of `RUN_METADATA` (docs/operations.md#determinism).
"""

from __future__ import annotations

import functools
import hashlib
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.warehouse.project import parsed_manifest
from tests.reliability.crashes import Workspace, dataset

# Columns that say which run wrote a row and when, by table: the only values allowed to
# differ between two builds of the same inputs.
RUN_METADATA: dict[str, tuple[str, ...]] = {
    "audit_check_results": ("run_id", "checked_at"),
    "audit_ingested_files": ("run_id", "ingested_at"),
    # checks_total counts the dbt unit tests, which run in the first build of a version
    # of the code on a machine only (whichever rebuild that is).
    "audit_publications": ("run_id", "published_at", "checks_total"),
    "quarantine_rows": ("run_id", "ingested_at"),
    "reported_client_months": ("run_id", "reported_at"),
    "restatements": ("reported_run_id", "reported_at", "run_id", "restated_at"),
}


@dataclass(frozen=True)
class Rebuild:
    workspace: Workspace
    exit_code: int
    output: str
    intruder_exit_code: int | None = None
    intruder_output: str = ""
    intruder_seconds: float = 0.0


_ROOT: list[Path] = []
_DONE: dict[tuple[Path, str], Rebuild] = {}


def shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's folder of rebuilds, so that a rebuild is made once per session
    whichever test module asks for it first."""
    if not _ROOT:
        _ROOT.append(tmp_path_factory.mktemp("rebuilds"))
    return _ROOT[0]


def rebuild(root: Path, name: str, *, intruder: bool = False) -> Rebuild:
    """Every landing file of the shared MSP, built and published in `root/name` (once per
    session for each root and name)."""
    if (root, name) not in _DONE:
        _DONE[(root, name)] = _rebuild(root, name, intruder=intruder)
    return _DONE[(root, name)]


def _rebuild(root: Path, name: str, *, intruder: bool) -> Rebuild:
    data = dataset(root)
    folder = root / name
    shutil.rmtree(folder, ignore_errors=True)
    workspace = Workspace(folder / "data", data.seeds)
    workspace.land(data.files())
    log = folder / "run.log"
    process = workspace.start(log)
    second = None
    took = 0.0
    if intruder:
        # The first run holds the lock from its first line on.
        deadline = time.monotonic() + 300
        while process.poll() is None and time.monotonic() < deadline:
            if "Ingesting landing files" in log.read_text(errors="replace"):
                break
            time.sleep(0.2)
        started = time.monotonic()
        second = workspace.run()
        took = time.monotonic() - started
    process.wait(timeout=600)
    return Rebuild(
        workspace=workspace,
        exit_code=process.returncode,
        output=log.read_text(errors="replace"),
        intruder_exit_code=second.returncode if second else None,
        intruder_output=(second.stdout + second.stderr) if second else "",
        intruder_seconds=took,
    )


@functools.cache
def _unit_tests() -> frozenset[str]:
    manifest = parsed_manifest()
    return frozenset(node["name"] for node in manifest.get("unit_tests", {}).values())


def table_digests(database: Path) -> dict[str, str]:
    """Per published table, a SHA-256 of its rows in a fixed order (every column but the
    run metadata, sorted by all of them), with its row count."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() order by 1, 2"
        ).fetchall()
        digests = {}
        for schema, table in tables:
            name = table if schema == "main" else f"{schema}.{table}"
            skip = set(RUN_METADATA.get(name, ()))
            columns = [
                column
                for (column,) in con.execute(
                    "select column_name from duckdb_columns() where schema_name = ? "
                    "and table_name = ? order by column_index",
                    [schema, table],
                ).fetchall()
                if column not in skip
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'select {select} from "{schema}"."{table}" order by all').fetchall()
            if name == "audit_check_results":
                # Likewise the unit tests' own results: the code's, not the inputs'.
                position = columns.index("check_name")
                rows = [row for row in rows if row[position] not in _unit_tests()]
            digest = hashlib.sha256()
            for row in rows:
                digest.update(repr(row).encode())
                digest.update(b"\n")
            digests[name] = f"{len(rows)} rows {digest.hexdigest()[:16]}"
        return digests
    finally:
        con.close()
