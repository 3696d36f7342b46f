"""The ServiceNow adapter: its file names and rows at ingest, then the real sample and a
hand-made export run through `xla run` together, every expected value worked out by hand.

The hand-made export belongs to client C002 (America/Chicago), whose clocks went forward
on 13 March 2016 at 02:00: 01:30 that morning is 07:30 UTC, 03:15 is 08:15 UTC.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from orchestration.config import DEFAULT_SEEDS_DIR, Settings
from orchestration.contract import SERVICENOW_INCIDENTS
from orchestration.ingest.landing import pending_files
from orchestration.ingest.reader import classify, parse
from orchestration.ingest.validate import validate

# A real ServiceNow export: the first 5,998 rows of the "Incident management process
# enriched event log" (tests/data/README.md).
SAMPLE = Path(__file__).resolve().parent / "data" / "servicenow_incident_event_log_sample.csv.gz"


def _sample_bytes() -> bytes:
    return gzip.decompress(SAMPLE.read_bytes())


SAMPLE_FILE = "servicenow_incidents_20170205_C001.csv"
HAND_MADE_FILE = "servicenow_incidents_20160315_C002.csv"
NAMELESS_FILE = "servicenow_incidents_20160315.csv"

HEADER = (
    "number,incident_state,reassignment_count,reopen_count,sys_mod_count,caller_id,"
    "opened_by,opened_at,sys_updated_by,sys_updated_at,contact_type,category,priority,"
    "assignment_group,assigned_to,resolved_at,closed_at"
)
# Line numbers of the file are in the comments; the header is line 1.
HAND_MADE_ROWS = [
    # INC9000001: opened on the DST morning, taken on, waits for the user, resolved,
    # reopened (ServiceNow counts it), resolved and closed.
    "INC9000001,New,0,0,0,Caller 1,Opener 1,13-03-2016 01:30,Agent 1,13-03-2016 01:30,"
    "Email,Category 1,3 - Moderate,Group A,?,?,?",  # 2
    "INC9000001,Active,0,0,1,Caller 1,Opener 1,13-03-2016 01:30,Agent 2,13-03-2016 03:15,"
    "Email,Category 1,3 - Moderate,Group A,Resolver 1,?,?",  # 3
    "INC9000001,Awaiting User Info,0,0,2,Caller 1,Opener 1,13-03-2016 01:30,Agent 2,"
    "13-03-2016 09:00,Email,Category 1,3 - Moderate,Group A,Resolver 1,?,?",  # 4
    "INC9000001,Resolved,0,0,3,Caller 1,Opener 1,13-03-2016 01:30,Agent 2,14-03-2016 10:00,"
    "Email,Category 1,3 - Moderate,Group A,Resolver 1,14-03-2016 10:00,?",  # 5
    "INC9000001,Active,0,1,4,Caller 1,Opener 1,13-03-2016 01:30,Caller 1,14-03-2016 11:00,"
    "Email,Category 1,3 - Moderate,Group A,Resolver 1,?,?",  # 6
    "INC9000001,Resolved,0,1,5,Caller 1,Opener 1,13-03-2016 01:30,Agent 2,14-03-2016 12:00,"
    "Email,Category 1,3 - Moderate,Group A,Resolver 1,14-03-2016 12:00,?",  # 7
    "INC9000001,Closed,0,1,6,Caller 1,Opener 1,13-03-2016 01:30,System,15-03-2016 12:00,"
    "Email,Category 1,3 - Moderate,Group A,Resolver 1,14-03-2016 12:00,15-03-2016 12:00",  # 8
    # INC9000002: raised by monitoring without a caller or category, moved to another
    # group and raised to High, then a state without a name (-100), then parked on a
    # problem.
    "INC9000002,New,0,0,0,?,Opener 1,14-03-2016 09:00,Agent 1,14-03-2016 09:00,"
    "Direct opsys,?,4 - Low,Group A,?,?,?",  # 9
    "INC9000002,Active,1,0,1,?,Opener 1,14-03-2016 09:00,Agent 3,14-03-2016 09:30,"
    "Direct opsys,?,2 - High,Group B,Resolver 2,?,?",  # 10
    "INC9000002,-100,1,0,2,?,Opener 1,14-03-2016 09:00,Agent 3,14-03-2016 10:00,"
    "Direct opsys,?,2 - High,Group B,Resolver 2,?,?",  # 11
    "INC9000002,Awaiting Problem,1,0,3,?,Opener 1,14-03-2016 09:00,Agent 3,14-03-2016 11:00,"
    "Direct opsys,?,2 - High,Group B,Resolver 2,?,?",  # 12
    # INC9000003: opened without a group, then given one: ServiceNow counts that as a
    # reassignment, the warehouse as a first assignment.
    "INC9000003,New,0,0,0,Caller 3,Opener 1,14-03-2016 13:00,Agent 1,14-03-2016 13:00,"
    "Phone,?,3 - Moderate,?,?,?,?",  # 13
    "INC9000003,Active,1,0,1,Caller 3,Opener 1,14-03-2016 13:00,Agent 1,14-03-2016 13:10,"
    "Phone,?,3 - Moderate,Group C,?,?,?",  # 14
    # INC9000004: its second update has a date that does not exist and is quarantined.
    "INC9000004,New,0,0,0,Caller 4,Opener 1,14-03-2016 14:00,Agent 1,14-03-2016 14:00,"
    "Self service,?,1 - Critical,Group A,?,?,?",  # 15
    "INC9000004,Active,0,0,1,Caller 4,Opener 1,14-03-2016 14:00,Agent 1,31-02-2016 10:00,"
    "Self service,?,1 - Critical,Group A,?,?,?",  # 16
]
BAD_DATE_REASON = "sys_updated_at '31-02-2016 10:00' is not a local time dd-mm-yyyy HH:MM"


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# -- ingest, without a build ---------------------------------------------------------------


def test_the_client_comes_from_the_file_name() -> None:
    assert classify(Path(SAMPLE_FILE)).client_id == "C001"
    assert classify(Path(NAMELESS_FILE)).client_id is None
    # PSA extracts keep a free suffix.
    assert classify(Path("tickets_20160315_C001.csv")).client_id is None


def test_a_file_without_a_known_client_waits_in_landing_with_its_reason(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=tmp_path / "seeds")
    settings.seeds_dir.mkdir()
    (settings.seeds_dir / "clients.csv").write_text("client_id,client_name\nC001,Acme\n")
    settings.landing_dir.mkdir(parents=True)
    for name in (SAMPLE_FILE, NAMELESS_FILE, "servicenow_incidents_20160315_C999.csv"):
        (settings.landing_dir / name).write_text(HEADER + "\n")
    files, ignored = pending_files(settings)
    assert [f.name for f in files] == [SAMPLE_FILE]
    assert ignored == [
        f"{NAMELESS_FILE}: not ingested: the client id is missing; name it "
        "servicenow_incidents_<YYYYMMDD>_<client_id>.csv",
        "servicenow_incidents_20160315_C999.csv: not ingested: client id 'C999' is not in "
        "clients.csv; add the client there or rename the file",
    ]


def test_question_marks_are_empty_and_local_times_stay_wall_clock_times() -> None:
    result = validate(SERVICENOW_INCIDENTS, parse("\n".join([HEADER, *HAND_MADE_ROWS[7:9]])))
    assert result.rejected.empty
    first = result.accepted.iloc[0]
    assert first["caller_id"] is None and first["category"] is None
    assert pd.isna(first["resolved_at"])
    assert first["opened_at"] == datetime(2016, 3, 14, 9, 0)
    assert first["opened_at"].tzinfo is None
    assert list(result.accepted["sys_mod_count"]) == [0, 1]


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("sys_updated_at", "31-02-2016 10:00", BAD_DATE_REASON),
        (
            "opened_at",
            "2016-03-14T09:00:00Z",
            "opened_at '2016-03-14T09:00:00Z' is not a local time dd-mm-yyyy HH:MM",
        ),
        ("sys_updated_at", "?", "missing required value in sys_updated_at"),
        (
            "incident_state",
            "Parked",
            "incident_state 'Parked' is not one of New, In Progress, Waiting Customer, Waiting "
            "Vendor, Scheduled, Resolved, Closed, -100 nor mapped in value_map.csv (source "
            "servicenow, field status: New, Active, Awaiting User Info, Awaiting Evidence, "
            "Awaiting Vendor, Awaiting Problem, Resolved, Closed)",
        ),
        (
            "priority",
            "5 - Planning",
            "priority '5 - Planning' is not one of P1, P2, P3, P4 nor mapped in value_map.csv "
            "(source servicenow, field priority: 1 - Critical, 2 - High, 3 - Moderate, 4 - Low)",
        ),
        (
            "resolved_at",
            "13-03-2016 09:00",
            "resolved_at 2016-03-13T09:00:00 is before opened_at 2016-03-14T09:00:00",
        ),
    ],
)
def test_a_broken_update_is_quarantined_with_its_line_and_reason(
    field: str, value: str, reason: str
) -> None:
    columns = HEADER.split(",")
    good = HAND_MADE_ROWS[7].split(",")
    bad = [value if name == field else cell for name, cell in zip(columns, good, strict=True)]
    result = validate(
        SERVICENOW_INCIDENTS, parse("\n".join([HEADER, HAND_MADE_ROWS[7], ",".join(bad)]))
    )
    assert len(result.accepted) == 1
    assert list(result.rejected["line_number"]) == [3]
    assert result.rejected["reason"][0] == reason
    assert result.rejected["raw_line"][0] == ",".join(bad)


def test_the_export_is_the_asset_the_dbt_source_reads() -> None:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    key = dg.AssetKey(["servicenow", "incidents"])
    assert key in graph.get_ancestor_asset_keys(dg.AssetKey(["published", "warehouse"]))
    assert (
        key in graph.get(dg.AssetKey(["staging", "stg_servicenow__incident_updates"])).parent_keys
    )
    checks = {c.name for c in graph.asset_check_keys if c.asset_key == key}
    assert {"row_conservation", "great_expectations_suite"} <= checks


# -- the real sample and the hand-made export through `xla run` ---------------------------


@dataclass
class Run:
    data_dir: Path
    output: str
    returncode: int

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "XLA_DATA_DIR": str(self.data_dir),
            "XLA_SEEDS_DIR": str(DEFAULT_SEEDS_DIR),
        }

    def xla(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "orchestration.cli", *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def query(self, sql: str, database: str = "published") -> list[tuple]:
        path = self.data_dir / database / "warehouse.duckdb"
        con = duckdb.connect(str(path), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Land the sample for C001, the hand-made export for C002 and a nameless file; run once."""
    data_dir = tmp_path_factory.mktemp("servicenow") / "data"
    landing = data_dir / "landing"
    landing.mkdir(parents=True)
    (landing / SAMPLE_FILE).write_bytes(_sample_bytes())
    (landing / HAND_MADE_FILE).write_text("\n".join([HEADER, *HAND_MADE_ROWS]) + "\n")
    (landing / NAMELESS_FILE).write_text("\n".join([HEADER, *HAND_MADE_ROWS[:1]]) + "\n")
    pending = Run(data_dir, "", -1)
    completed = pending.xla("run")
    return Run(data_dir, completed.stdout + completed.stderr, completed.returncode)


@pytest.mark.slow
def test_the_run_publishes_and_reports_the_files_it_did_not_take(run: Run) -> None:
    assert run.returncode == 0, run.output[-3000:]
    assert (
        f"{NAMELESS_FILE}: not ingested: the client id is missing; name it "
        "servicenow_incidents_<YYYYMMDD>_<client_id>.csv"
    ) in run.output
    assert [p.name for p in (run.data_dir / "landing").iterdir()] == [NAMELESS_FILE]
    assert f"{HAND_MADE_FILE}: 15 rows, 14 loaded, 1 quarantined" in run.output
    assert f"{HAND_MADE_FILE} line 16: {BAD_DATE_REASON}" in run.output


@pytest.mark.slow
def test_every_incident_of_the_sample_is_a_ticket(run: Run) -> None:
    text = _sample_bytes().decode("utf-8")
    numbers = {row["number"] for row in csv.DictReader(io.StringIO(text, newline=""))}
    assert len(numbers) == 890
    published = run.query("select ticket_id from fct_tickets where client_id = 'C001'")
    assert {ticket_id for (ticket_id,) in published} == {f"C001:{n}" for n in numbers}
    assert run.query("select distinct source_file from fct_tickets where client_id = 'C001'") == [
        (SAMPLE_FILE,)
    ]


@pytest.mark.slow
def test_every_landed_row_is_in_the_lake_or_quarantine(run: Run) -> None:
    assert run.query(
        "select file_name, rows_in, rows_loaded, rows_quarantined from audit_ingested_files "
        "order by file_name"
    ) == [(HAND_MADE_FILE, 15, 14, 1), (SAMPLE_FILE, 5998, 5998, 0)]
    lake = run.data_dir / "lake" / "servicenow_incidents"
    assert sum(pq.ParquetFile(p).metadata.num_rows for p in lake.glob("*.parquet")) == 6012
    assert {
        client
        for (client,) in duckdb.sql(
            f"select distinct _client_id from read_parquet('{lake}/*.parquet')"
        ).fetchall()
    } == {"C001", "C002"}
    assert run.query("select file_name, line_number, reason from quarantine_rows") == [
        (HAND_MADE_FILE, 16, BAD_DATE_REASON)
    ]
    checks = run.query(
        "select check_name, target, passed from audit_check_results "
        "where target in ('servicenow/incidents', 'fct_tickets', 'lake') "
        "and check_name in ('row_conservation', 'great_expectations_suite', "
        "'tickets_reconcile', 'lake_row_conservation') order by 1, 2"
    )
    assert checks == [
        ("great_expectations_suite", "servicenow/incidents", True),
        ("lake_row_conservation", "lake", True),
        ("row_conservation", "servicenow/incidents", True),
        ("tickets_reconcile", "fct_tickets", True),
    ]


TICKET_COLUMNS = (
    "status, priority, channel, contact_id, category, assigned_engineer_id, created_at, "
    "first_response_at, resolved_at, closed_at, updated_at, created_month, is_open, "
    "reopen_count, reassignment_count, priority_change_count"
)


@pytest.mark.slow
def test_the_hand_made_incidents_map_onto_tickets(run: Run) -> None:
    rows = run.query(
        f"select ticket_id, {TICKET_COLUMNS} from fct_tickets "
        "where client_id = 'C002' order by ticket_id"
    )
    assert rows == [
        (
            "C002:INC9000001",
            "Closed",
            "P3",
            "email",
            "Caller 1",
            "Category 1",
            "Resolver 1",
            _utc("2016-03-13 07:30"),  # 01:30 CST
            _utc("2016-03-13 08:15"),  # 03:15 CDT: taken on 45 minutes after opening
            _utc("2016-03-14 17:00"),  # the last resolution, 12:00 CDT
            _utc("2016-03-15 17:00"),
            _utc("2016-03-15 17:00"),
            date(2016, 3, 1),
            False,
            1,
            0,
            0,
        ),
        (
            "C002:INC9000002",
            "Scheduled",  # Awaiting Problem
            "P2",
            "monitoring",
            None,
            None,
            "Resolver 2",
            _utc("2016-03-14 14:00"),
            _utc("2016-03-14 14:30"),
            None,
            None,
            _utc("2016-03-14 16:00"),
            date(2016, 3, 1),
            True,
            0,
            1,
            1,
        ),
        (
            "C002:INC9000003",
            "In Progress",
            "P3",
            "phone",
            "Caller 3",
            None,
            None,
            _utc("2016-03-14 18:00"),
            _utc("2016-03-14 18:10"),
            None,
            None,
            _utc("2016-03-14 18:10"),
            date(2016, 3, 1),
            True,
            0,
            0,
            0,
        ),
        (
            "C002:INC9000004",
            "New",
            "P1",
            "portal",
            "Caller 4",
            None,
            None,
            _utc("2016-03-14 19:00"),
            None,
            None,
            None,
            _utc("2016-03-14 19:00"),
            date(2016, 3, 1),
            True,
            0,
            0,
            0,
        ),
    ]


@pytest.mark.slow
def test_the_trail_is_read_off_consecutive_updates(run: Run) -> None:
    events = run.query(
        "select event_id, occurred_at, field, old_value, new_value, actor_id "
        "from intermediate.int_ticket_events__unioned "
        "where ticket_id = 'C002:INC9000002' order by occurred_at, event_id",
        database="build",
    )
    first, second, fourth = (
        "C002:INC9000002:0:2016-03-14 09:00:00",
        "C002:INC9000002:1:2016-03-14 09:30:00",
        "C002:INC9000002:3:2016-03-14 11:00:00",
    )
    assert events == [
        (f"{first}:assignee", _utc("2016-03-14 14:00"), "assignee", None, "Group A", "Opener 1"),
        (f"{first}:status", _utc("2016-03-14 14:00"), "status", None, "New", "Opener 1"),
        (
            f"{second}:assignee",
            _utc("2016-03-14 14:30"),
            "assignee",
            "Group A",
            "Group B",
            "Agent 3",
        ),
        (f"{second}:priority", _utc("2016-03-14 14:30"), "priority", "P4", "P2", "Agent 3"),
        (f"{second}:status", _utc("2016-03-14 14:30"), "status", "New", "In Progress", "Agent 3"),
        # The -100 update changes nothing we track.
        (
            f"{fourth}:status",
            _utc("2016-03-14 16:00"),
            "status",
            "In Progress",
            "Scheduled",
            "Agent 3",
        ),
    ]
    statuses = run.query(
        "select old_value, new_value, occurred_at from intermediate.int_ticket_events__unioned "
        "where ticket_id = 'C002:INC9000001' and field = 'status' order by occurred_at",
        database="build",
    )
    assert statuses == [
        (None, "New", _utc("2016-03-13 07:30")),
        ("New", "In Progress", _utc("2016-03-13 08:15")),
        ("In Progress", "Waiting Customer", _utc("2016-03-13 14:00")),
        ("Waiting Customer", "Resolved", _utc("2016-03-14 15:00")),
        ("Resolved", "In Progress", _utc("2016-03-14 16:00")),
        ("In Progress", "Resolved", _utc("2016-03-14 17:00")),
        ("Resolved", "Closed", _utc("2016-03-15 17:00")),
    ]


@pytest.mark.slow
def test_agreement_with_servicenows_counters_is_printed(
    run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    report = run.xla("servicenow-agreement")
    assert report.returncode == 0, report.stdout + report.stderr
    lines = [line.split(" ", 1)[1] for line in report.stdout.splitlines()]
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert lines[1:] == [
        "C001: 890 ServiceNow incidents",
        "  reopen_count         889 of 890 agree (99.9%)",
        "    repeated_version                      1",
        "  reassignment_count   867 of 890 agree (97.4%)",
        "    first_group_assignment               20",
        "    counted_without_visible_change        3",
        "C002: 4 ServiceNow incidents",
        "  reopen_count         4 of 4 agree (100.0%)",
        "  reassignment_count   3 of 4 agree (75.0%)",
        "    first_group_assignment                1",
    ]
    assert run.query(
        "select ticket_id, source_reassignment_count, reassignment_count, "
        "reassignment_disagreement from servicenow_counter_agreement "
        "where not reassignment_agrees and client_id = 'C002'"
    ) == [("C002:INC9000003", 1, 0, "first_group_assignment")]


@pytest.mark.slow
def test_as_of_and_the_ledger_see_the_servicenow_updates(run: Run) -> None:
    assert run.query("select as_of from run_parameters") == [(_utc("2017-02-05 03:00"),)]
    ledger = [
        json.loads(p.read_text()) for p in (run.data_dir / "audit" / "ingested").glob("*.json")
    ]
    assert sorted(e["extract"] for e in ledger) == ["servicenow_incidents"] * 2
