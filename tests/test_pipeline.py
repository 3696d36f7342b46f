"""End to end: `xla run` as a user runs it, on generated extracts, in a fresh data folder.

The tests share one data folder and run in file order: first publication, a run with
nothing new, a file with broken rows, and a quality gate that blocks.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import contract_check
import duckdb
import pyarrow.parquet as pq
import pytest
import sla_oracle

from orchestration.config import Settings
from orchestration.quality import results
from xla_lab.generate import generate

pytestmark = pytest.mark.slow

FOUNDATION_TABLES = (
    "dim_clients",
    "dim_engineers",
    "dim_dates",
    "fct_tickets",
    "quarantine_rows",
    "audit_check_results",
    "audit_publications",
    "audit_ingested_files",
    "fct_ticket_sla",
    "fct_sla_clock_segments",
)


@dataclass
class Workspace:
    data_dir: Path
    seeds_dir: Path

    @property
    def published(self) -> Path:
        return self.data_dir / "published" / "warehouse.duckdb"

    def env(self, **overrides: str) -> dict[str, str]:
        return {
            **os.environ,
            "XLA_DATA_DIR": str(self.data_dir),
            "XLA_SEEDS_DIR": str(self.seeds_dir),
            **overrides,
        }

    def xla(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "orchestration.cli", *args],
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def query(self, sql: str) -> list[tuple]:
        con = duckdb.connect(str(self.published), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()


def _records(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("pipeline")
    generate(
        root / "data" / "landing",
        scale=0.1,
        months=1,
        seed=7,
        seeds_dir=root / "seeds",
        answer_key_path=root / "answer_key.json",
    )
    return Workspace(data_dir=root / "data", seeds_dir=root / "seeds")


@pytest.fixture(scope="module")
def first_run(workspace: Workspace) -> subprocess.CompletedProcess[str]:
    return workspace.xla("run")


def test_first_run_publishes_the_foundation_tables(
    workspace: Workspace, first_run: subprocess.CompletedProcess[str]
) -> None:
    assert first_run.returncode == 0, first_run.stdout + first_run.stderr
    assert f"Published warehouse: {workspace.published}" in first_run.stdout
    assert contract_check.missing(workspace.published, only=FOUNDATION_TABLES) == []
    for table in ("dim_clients", "dim_engineers", "dim_dates", "fct_tickets"):
        assert workspace.query(f"select count(*) from {table}")[0][0] > 0, table
    assert not any(workspace.data_dir.joinpath("landing").iterdir())


def test_the_run_writes_the_auditors_site_with_the_data_docs(
    workspace: Workspace, first_run: subprocess.CompletedProcess[str]
) -> None:
    assert first_run.returncode == 0
    site = workspace.data_dir / "published" / "audit"
    assert "Latest run passed the quality gate." in (site / "index.html").read_text()
    for page in ("history.html", "flags.html", "quarantine.html", "gx/index.html"):
        assert (site / page).is_file(), page
    # The published site is part of the release that holds the published warehouse.
    assert site.resolve().parent == workspace.published.resolve().parent
    latest = workspace.data_dir / "audit" / "site" / "index.html"
    assert "Latest run passed the quality gate." in latest.read_text()
    assert len(list((site / "gx" / "validations").rglob("*.html"))) == 4
    assert (workspace.data_dir / "build" / "gx_docs" / "index.html").is_file()


def test_the_run_publishes_the_service_reviews_in_the_same_release(
    workspace: Workspace, first_run: subprocess.CompletedProcess[str]
) -> None:
    assert first_run.returncode == 0
    reports = workspace.data_dir / "published" / "reports"
    months = workspace.query(
        "select distinct strftime(month, '%Y-%m') from fct_client_months order by 1"
    )
    assert months
    for (month,) in months:
        index = reports / month / "index.html"
        assert index.is_file(), month
        # One release: the reviews sit beside the warehouse they were read from.
        assert index.resolve().parents[2] == workspace.published.resolve().parent
    assert (reports / "index.html").is_file()
    unheld = workspace.query(
        "select count(*) from fct_client_months as m where not exists (select 1 from"
        " publication_holds as h where h.client_id = m.client_id and h.month = m.month)"
    )[0][0]
    assert len(list(reports.glob("*/*.html"))) - len(months) == unheld
    # A BI tool tells the held months from the table alone: the same months, and a
    # reason in words for each.
    held_rows = workspace.query(
        "select client_id, month, held_reason from fct_client_months where is_held order by all"
    )
    assert [(c, m) for c, m, _ in held_rows] == workspace.query(
        "select distinct client_id, month from publication_holds order by all"
    )
    assert held_rows and all(reason.startswith("Held") for _, _, reason in held_rows)
    assert workspace.query(
        "select count(*) from fct_client_months where not is_held and held_reason is not null"
    ) == [(0,)]


def test_every_sla_clock_agrees_with_a_minute_by_minute_count(
    workspace: Workspace, first_run: subprocess.CompletedProcess[str]
) -> None:
    """The published clocks equal an independent engine's (tests/sla_oracle.py) on every
    ticket of the generated month: elapsed, paused, due, stop, breach and status."""
    assert first_run.returncode == 0
    con = duckdb.connect(str(workspace.data_dir / "build" / "warehouse.duckdb"), read_only=True)
    try:
        tickets = _records(con, "select * from staging.stg_psa__tickets")
        events = _records(con, "select * from staging.stg_psa__ticket_events")
        as_of = con.execute("select as_of from main.run_parameters").fetchall()[0][0]
    finally:
        con.close()
    expected = sla_oracle.expected_clocks(
        tickets, events, sla_oracle.read_reference(workspace.seeds_dir), as_of
    )
    published = {
        (ticket_id, metric): sla_oracle.Clock(*values)
        for ticket_id, metric, *values in workspace.query(
            "select ticket_id, metric, elapsed_minutes, paused_minutes, due_at, stopped_at,"
            " breached_at, sla_status from fct_ticket_sla"
        )
    }
    assert len(published) == 2 * len(tickets)
    differing = {
        key: (published.get(key), clock)
        for key, clock in expected.items()
        if published.get(key) != clock
    }
    assert not differing, list(differing.items())[:5]
    statuses = {clock.status for clock in expected.values()}
    assert statuses == {"met", "breached", "in_progress"}, statuses


def test_every_landed_row_is_in_the_lake_or_quarantine_and_audited(
    workspace: Workspace, first_run: subprocess.CompletedProcess[str]
) -> None:
    ledger = [
        json.loads(p.read_text())
        for p in (workspace.data_dir / "audit" / "ingested").glob("*.json")
    ]
    rows_in = sum(entry["rows_in"] for entry in ledger)
    lake = sum(
        pq.ParquetFile(p).metadata.num_rows
        for p in (workspace.data_dir / "lake").rglob("*.parquet")
    )
    assert rows_in > 0
    assert rows_in == lake
    assert workspace.query(
        "select sum(rows_in), sum(rows_loaded) + sum(rows_quarantined) from audit_ingested_files"
    ) == [(rows_in, rows_in)]
    (publication,) = workspace.query("select inputs from audit_publications")
    assert sorted(i["sha256"] for i in json.loads(publication[0])) == sorted(
        e["sha256"] for e in ledger
    )
    conservation = workspace.query(
        "select target, passed, detail from audit_check_results "
        "where check_name = 'row_conservation' order by target"
    )
    assert [(t, p) for t, p, _ in conservation] == [
        ("psa/surveys", True),
        ("psa/ticket_events", True),
        ("psa/tickets", True),
        ("psa/timeslips", True),
        ("servicenow/incidents", True),
    ]
    lake_tickets = workspace.data_dir / "lake" / "tickets" / "*.parquet"
    tickets_in_lake = duckdb.sql(
        f"select count(distinct ticket_id) from read_parquet('{lake_tickets}')"
    ).fetchall()[0][0]
    assert workspace.query("select count(*) from fct_tickets")[0][0] == tickets_in_lake


def test_a_second_run_with_nothing_new_changes_nothing(
    workspace: Workspace, first_run: subprocess.CompletedProcess[str]
) -> None:
    before = _digest(workspace.published)
    again = workspace.xla("run")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Nothing to do" in again.stdout
    assert _digest(workspace.published) == before


BROKEN_TICKETS = """ticket_id,client_id,priority,status,created_at,updated_at,subject
TX1,C001,P2,New,2026-01-20T10:00:00+00:00,2026-01-20T10:00:00+00:00,"printer, again"
TX2,C001,P9,New,2026-01-20T10:00:00+00:00,2026-01-20T10:00:00+00:00,bad enum
,C001,P2,New,2026-01-20T10:00:00+00:00,2026-01-20T10:00:00+00:00,missing id
TX4,C001,P2,New,20/01/2026 10:00,2026-01-20T10:00:00+00:00,unparseable
TX5,C001,P2
"""


def test_broken_rows_are_quarantined_with_reasons_and_good_rows_load(
    workspace: Workspace, first_run: subprocess.CompletedProcess[str]
) -> None:
    (workspace.data_dir / "landing" / "tickets_20260120_fixup.csv").write_text(BROKEN_TICKETS)
    run = workspace.xla("run")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "tickets_20260120_fixup.csv: 5 rows, 1 loaded, 4 quarantined" in run.stdout
    assert (
        "tickets_20260120_fixup.csv line 3: priority 'P9' is not one of P1, P2, P3, P4"
        in run.stdout
    )
    quarantined = workspace.query(
        "select line_number, reason from quarantine_rows "
        "where file_name = 'tickets_20260120_fixup.csv' order by line_number"
    )
    assert quarantined == [
        (
            3,
            "priority 'P9' is not one of P1, P2, P3, P4 nor mapped in value_map.csv "
            "(source psa, field priority)",
        ),
        (4, "missing required value in ticket_id"),
        (5, "created_at '20/01/2026 10:00' is not an ISO 8601 timestamp"),
        (6, "row has 3 fields; the header has 7"),
    ]
    # Ticket subjects are free text, withheld from the BI file by default.
    assert workspace.query("select subject from fct_tickets where ticket_id = 'TX1'") == [(None,)]


def test_a_failing_error_check_blocks_publication_and_exits_3(
    workspace: Workspace, tmp_path: Path
) -> None:
    before = _digest(workspace.published)
    # The lake loses a tickets file: the ledger says its rows landed, the lake no longer
    # holds them, and row conservation fails (`--full-refresh`: nothing new was landed).
    settings = Settings(data_dir=workspace.data_dir, seeds_dir=workspace.seeds_dir)
    lost = max(
        (settings.lake_dir / "tickets").glob("*.parquet"),
        key=lambda path: pq.read_metadata(path).num_rows,
    )
    rows = pq.read_metadata(lost).num_rows
    aside = tmp_path / lost.name
    shutil.move(lost, aside)
    try:
        blocked = workspace.xla("run", "--full-refresh")
    finally:
        shutil.move(aside, lost)
        # The build made without the file is not one to build on: the next run's is full.
        (settings.build_dir / "build_state.json").unlink(missing_ok=True)
    check = "lake_row_conservation"
    assert blocked.returncode == 3, blocked.stdout + blocked.stderr
    assert "quality gate blocked publication" in blocked.stdout
    assert check in blocked.stdout
    assert _digest(workspace.published) == before
    # The audit history counts the rows the lake lost.
    history = results.history(settings).to_pylist()
    failed = [row for row in history if row["check_name"] == check and not row["passed"]]
    assert failed and failed[-1]["failing_count"] == rows
    # The auditors' view of the latest run shows the blocked run, with the Data Docs of
    # the last run that ingested rows (this one ingested none); the published site, like
    # the published warehouse, is the last publication's.
    site = workspace.data_dir / "audit" / "site"
    index = (site / "index.html").read_text()
    assert "Latest run blocked." in index
    published_site = workspace.data_dir / "published" / "audit" / "index.html"
    assert "Latest run blocked." not in published_site.read_text()
    assert check in index
    assert (site / "gx" / "index.html").is_file()


def test_an_uncleared_error_flag_holds_its_client_month_until_an_auditor_clears_it(
    workspace: Workspace, tmp_path: Path
) -> None:
    """The warehouse is published with the hold; a `cleared` waiver for every flag behind
    it releases the hold at the next run, while a `confirmed` one would keep it."""
    holds = workspace.query(
        "select hold_id, client_id, month, rule_id from publication_holds order by hold_id"
    )
    assert holds, "the generated month plants error flags"
    hold_id, client_id, month, rule_id = holds[0]
    subjects = [
        row[0]
        for row in workspace.query(
            "select distinct subject_id from fct_timeslip_flag_client_months"
            f" where client_id = '{client_id}' and month = '{month}' and rule_id = '{rule_id}'"
            " and severity = 'error'"
        )
    ]
    assert subjects
    held = workspace.query(
        "select count(*) from audit_check_results"
        f" where check_name = 'timeslip_rule_{rule_id}' and not passed"
    )[0][0]
    assert held >= 1
    seeds = tmp_path / "seeds"
    shutil.copytree(workspace.seeds_dir, seeds)
    with (seeds / "timeslip_waivers.csv").open("a", encoding="utf-8") as waivers:
        for subject in subjects:
            waivers.write(
                f"{rule_id},{subject},cleared,Auditor A,2026-02-03T10:00:00+00:00,"
                "Checked with the engineer's calendar\n"
            )
    history_sql = "select * from audit_check_results order by all"
    history_before = workspace.query(history_sql)
    released = workspace.xla("run", XLA_SEEDS_DIR=str(seeds))
    assert released.returncode == 0, released.stdout + released.stderr
    assert workspace.query(
        f"select count(*) from publication_holds where hold_id = '{hold_id}'"
    ) == [(0,)]
    # The check history is append-only: every earlier row is still there, unchanged.
    history_after = workspace.query(history_sql)
    assert set(history_before) < set(history_after)
    cleared = workspace.query(
        "select count(*) from fct_timeslip_flags"
        f" where rule_id = '{rule_id}' and waiver_decision = 'cleared'"
    )[0][0]
    assert cleared >= len(subjects)
