"""The auditors' site: a static, self-contained HTML site of one run.

Pages: `index.html` (the run's checks, failures first), `history.html` (every run and
each check's pass/fail over the latest runs), `flags.html` (every flagged timeslip with
its evidence and waiver, and the client-months held), `quarantine.html` (every
rejected landing row, and the tickets held for want of their client), `flags.csv`, and
`gx/` (the Great Expectations Data Docs). No JavaScript, no request to anything outside
the folder; every piece of text from data is escaped by Jinja's autoescape.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from orchestration.audit_site.gx_docs import DocsPage, copy_data_docs
from orchestration.config import Settings
from orchestration.publish.publisher import Publication, publications
from orchestration.quality import results
from orchestration.static_html import CONTENT_SECURITY_POLICY, jinja_environment
from orchestration.static_html.text import as_text, csv_cell

TEMPLATES_DIR = Path(__file__).parent / "templates"
STAGES = ("reference", "ingest", "dbt", "gate")
# Runs shown as columns of the per-check history; the run list itself has every run.
HISTORY_RUNS = 20
# Rows shown on a page; the published warehouse (and flags.csv) hold them all.
MAX_ROWS = 5000
FLAGS_TABLE = "fct_timeslip_flags"
HOLDS_TABLE = "publication_holds"
QUARANTINE_TABLE = "quarantine_rows"
QUARANTINE_COLUMNS = ("file_name", "line_number", "reason", "raw_line", "extract", "run_id")
HELD_TABLE = "held_tickets"


@dataclass(frozen=True)
class Check:
    """One check result as the site shows it."""

    run_id: str
    stage: str
    check_name: str
    target: str
    severity: str
    passed: bool
    failing_count: int
    sample_keys: tuple[str, ...]
    detail: str
    checked_at: str

    @property
    def outcome(self) -> str:
        if self.passed:
            return "passed"
        return "not run" if self.detail == results.NOT_RUN else "failed"

    @property
    def group(self) -> str:
        if self.passed:
            return "passed"
        return "blocking" if self.severity == "error" else "warning"


@dataclass(frozen=True)
class Run:
    """One run in the history: its checks summed up."""

    run_id: str
    checked_at: str
    checks: int
    failed_errors: int
    failed_warnings: int
    published: bool


@dataclass
class WarehouseTable:
    """Rows of a warehouse table as text, or why there are none."""

    name: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    total: int = 0
    missing: str = ""  # why the table could not be read


def _checks(settings: Settings) -> list[Check]:
    found = []
    for row in results.history(settings).to_pylist():
        found.append(
            Check(
                run_id=row["run_id"],
                stage=row["stage"],
                check_name=row["check_name"],
                target=row["target"],
                severity=row["severity"],
                passed=bool(row["passed"]),
                failing_count=int(row["failing_count"] or 0),
                sample_keys=tuple(as_text(key) for key in json.loads(row["sample_keys"] or "[]")),
                detail=row["detail"] or "",
                checked_at=row["checked_at"].isoformat(),
            )
        )
    return found


def _stage_order(stage: str) -> int:
    return STAGES.index(stage) if stage in STAGES else len(STAGES)


def _runs(checks: list[Check], published: set[str]) -> list[Run]:
    """Every run that recorded a check, newest first."""
    by_run: dict[str, list[Check]] = {}
    for check in checks:
        by_run.setdefault(check.run_id, []).append(check)
    runs = [
        Run(
            run_id=run_id,
            checked_at=min(c.checked_at for c in items),
            checks=len(items),
            failed_errors=sum(1 for c in items if c.group == "blocking"),
            failed_warnings=sum(1 for c in items if c.group == "warning"),
            published=run_id in published,
        )
        for run_id, items in by_run.items()
    ]
    return sorted(runs, key=lambda r: (r.checked_at, r.run_id), reverse=True)


def _latest_checks(checks: list[Check], run_id: str) -> dict[str, list[Check]]:
    """The run's checks by group (blocking, warning, passed), each in pipeline order."""
    groups: dict[str, list[Check]] = {"blocking": [], "warning": [], "passed": []}
    for check in checks:
        if check.run_id == run_id:
            groups[check.group].append(check)
    for items in groups.values():
        items.sort(key=lambda c: (_stage_order(c.stage), c.target, c.check_name))
    return groups


def _check_history(checks: list[Check], runs: list[Run]) -> list[dict[str, Any]]:
    """Each check's outcome in the latest runs (oldest column first), failing checks first."""
    shown = [r.run_id for r in reversed(runs[:HISTORY_RUNS])]
    cells: dict[tuple[str, str, str], dict[str, Check]] = {}
    for check in checks:
        if check.run_id in shown:
            key = (check.stage, check.target, check.check_name)
            cells.setdefault(key, {})[check.run_id] = check
    rows = [
        {
            "stage": stage,
            "target": target,
            "check_name": name,
            "cells": [by_run.get(run_id) for run_id in shown],
            "failures": sum(1 for c in by_run.values() if not c.passed),
        }
        for (stage, target, name), by_run in cells.items()
    ]
    rows.sort(
        key=lambda r: (r["failures"] == 0, _stage_order(r["stage"]), r["target"], r["check_name"])
    )
    return rows


def _read_tables(
    warehouse: Path | None, wanted: dict[str, tuple[tuple[str, ...], int | None]]
) -> dict[str, WarehouseTable]:
    """Tables of the built warehouse, read-only; a missing one says why.

    `wanted` maps a table to the columns to order it by (those it has) and the most
    rows to read (None: all). Without a warehouse, the run built nothing.
    """
    found = {name: WarehouseTable(name) for name in wanted}
    if warehouse is None:
        for table in found.values():
            table.missing = "not built: the run was refused for its reference data"
        return found
    if not warehouse.exists():
        for table in found.values():
            table.missing = f"no warehouse was built ({warehouse.name} does not exist)"
        return found
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        schemas: dict[str, str] = {}
        for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_catalog = current_database()"
            " order by table_schema <> 'main', table_schema"
        ).fetchall():
            schemas.setdefault(name, schema)
        for name, (order, limit) in wanted.items():
            table = found[name]
            if name not in schemas:
                table.missing = f"there is no table {name} in this build"
                continue
            relation = f'"{schemas[name]}"."{name}"'
            table.total = con.execute(f"select count(*) from {relation}").fetchone()[0]
            cursor = con.execute(f"select * from {relation} limit 0")
            table.columns = [column[0] for column in cursor.description]
            ordering = ", ".join(f'"{c}"' for c in order if c in table.columns)
            sql = f"select * from {relation}"
            sql += f" order by {ordering}" if ordering else ""
            sql += f" limit {limit}" if limit is not None else ""
            table.rows = [list(record) for record in con.execute(sql).fetchall()]
    finally:
        con.close()
    return found


def _flags_first(table: WarehouseTable) -> None:
    """Unreviewed error flags first, keeping the rule and subject order within each."""
    columns = table.columns

    def rank(row: list[Any]) -> tuple[bool, bool]:
        severity = row[columns.index("severity")] if "severity" in columns else None
        decision = row[columns.index("waiver_decision")] if "waiver_decision" in columns else None
        return (severity != "error", decision is not None)

    table.rows.sort(key=rank)


def _flag_summary(table: WarehouseTable) -> list[tuple[str, str, str, int]]:
    """Flags counted by rule, severity and waiver decision."""
    columns = table.columns
    if not table.rows or "rule_id" not in columns:
        return []

    def value(row: list[Any], name: str, empty: str) -> str:
        return as_text(row[columns.index(name)]) if name in columns else empty

    counts = Counter(
        (
            value(row, "rule_id", ""),
            value(row, "severity", ""),
            value(row, "waiver_decision", "") or "not reviewed",
        )
        for row in table.rows
    )
    return [(*key, n) for key, n in sorted(counts.items())]


def _as_page_rows(table: WarehouseTable) -> list[list[str]]:
    return [[as_text(value) for value in row] for row in table.rows[:MAX_ROWS]]


def flags_csv(table: WarehouseTable) -> str:
    """Every flag as CSV, each text cell safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()


def _quarantine(table: WarehouseTable) -> WarehouseTable:
    """The quarantine with the columns an auditor reads first."""
    if table.missing:
        return table
    order = [c for c in QUARANTINE_COLUMNS if c in table.columns]
    order += [c for c in table.columns if c not in order]
    positions = [table.columns.index(c) for c in order]
    table.rows = [[row[i] for i in positions] for row in table.rows]
    table.columns = order
    return table


def build_site(
    out_dir: Path,
    *,
    settings: Settings,
    warehouse: Path,
    run_id: str,
    gx_docs: Path | None,
    blocked: bool = False,
    refused: bool = False,
) -> None:
    """Write the auditors' site of run `run_id` into `out_dir` (which must be empty or new).

    `warehouse` is the DuckDB file the run built, opened read-only and closed before
    returning; `gx_docs` the Great Expectations Data Docs folder, if any; `blocked` that
    the quality gate stopped the run's publication; `refused` that the run stopped at its
    reference data, before anything was built (the build's tables are then not shown).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    checks = _checks(settings)
    history: list[Publication] = publications(settings)
    runs = _runs(checks, {p.run_id for p in history})
    latest = _latest_checks(checks, run_id)
    tables = _read_tables(
        None if refused else warehouse,
        {
            # Every flag: the CSV holds them all.
            FLAGS_TABLE: (("rule_id", "subject_type", "subject_id", "flag_id"), None),
            HOLDS_TABLE: (("month", "client_id", "rule_id"), None),
            QUARANTINE_TABLE: (("file_name", "line_number"), MAX_ROWS),
            HELD_TABLE: (("client_id", "ticket_id"), MAX_ROWS),
        },
    )
    flags = tables[FLAGS_TABLE]
    _flags_first(flags)
    holds = tables[HOLDS_TABLE]
    quarantine = _quarantine(tables[QUARANTINE_TABLE])
    held = tables[HELD_TABLE]

    docs_pages: list[DocsPage] = []
    docs_about: dict[str, str] = {}
    if gx_docs is not None and (gx_docs / "index.html").exists():
        docs_pages, docs_about = copy_data_docs(gx_docs, out_dir / "gx")

    run_publication = next((p for p in history if p.run_id == run_id), None)
    common = {
        "csp": CONTENT_SECURITY_POLICY,
        "run_id": run_id,
        "blocked": blocked or refused,
        "refused": refused,
        "run_publication": run_publication,
        "last_publication": history[-1] if history else None,
        "has_docs": bool(docs_pages),
    }
    env = jinja_environment(TEMPLATES_DIR)
    pages: dict[str, tuple[str, dict[str, Any]]] = {
        "index.html": (
            "index.html.j2",
            {
                "groups": latest,
                "total": sum(len(items) for items in latest.values()),
                "run": next((r for r in runs if r.run_id == run_id), None),
                "flags": flags,
                "flag_summary": _flag_summary(flags),
                "holds": holds,
                "quarantine": quarantine,
                "held": held,
                "docs_about": docs_about,
            },
        ),
        "history.html": (
            "history.html.j2",
            {
                "runs": runs,
                "shown_runs": [r.run_id for r in reversed(runs[:HISTORY_RUNS])],
                "check_rows": _check_history(checks, runs),
                "history_runs": HISTORY_RUNS,
            },
        ),
        "flags.html": (
            "flags.html.j2",
            {
                "flags": flags,
                "flag_rows": _as_page_rows(flags),
                "flag_summary": _flag_summary(flags),
                "holds": holds,
                "hold_rows": _as_page_rows(holds),
                "max_rows": MAX_ROWS,
            },
        ),
        "quarantine.html": (
            "quarantine.html.j2",
            {
                "quarantine": quarantine,
                "quarantine_rows": _as_page_rows(quarantine),
                "held": held,
                "held_rows": _as_page_rows(held),
                "max_rows": MAX_ROWS,
            },
        ),
    }
    if docs_pages:
        pages["gx/index.html"] = (
            "gx_index.html.j2",
            {"docs_pages": docs_pages, "docs_about": docs_about, "root": "../"},
        )
    for name, (template, context) in pages.items():
        html = env.get_template(template).render(
            **common, root=context.pop("root", ""), page=name, **context
        )
        (out_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (out_dir / name).write_text(html, encoding="utf-8")
    if not flags.missing:
        (out_dir / "flags.csv").write_text(flags_csv(flags), encoding="utf-8-sig")
