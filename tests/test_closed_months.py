"""Closed months stay as reported: period close, reported figures and restatements.

One small MSP, worked on paper. Client C1 (UTC, calendar CAL open Monday to Friday 09:00
to 17:00) on a gold contract whose P3 resolution clock counts 480 business minutes and
whose P3 first response is 60 minutes round the clock. March 2026:

    T1  Mon  2 Mar 09:00, resolved 12:00            180 business minutes: met
    T2  Tue 10 Mar 16:00, resolved Thu 12 Mar 10:00  60 + 480 + 60 = 600: breached
    T3  Mon 16 Mar 09:00, resolved 10:00             60: met
    T4  Mon 23 Mar 09:00, resolved 09:30             30: met

Each ticket is answered 10 minutes after it is opened. Resolution attainment is 3 of 4 =
75 %. March closes 5 business days after it ends: 1, 2, 3, 6 and 7 April, so on 7 April;
the runs take as_of on 15 April, when March is closed and April is not.

1. The first run reports March.
2. Wednesday 11 March is added as a holiday: T2 is then 60 + 60 = 120 minutes, met, and
   March's resolution attainment is restated from 75 % to 100 % (4 of 4), the P3
   resolution policy's with it, after "holidays.csv changed". April is not restated.
3. A late ticket file brings T6, opened Wed 25 Mar 09:00 and resolved Fri 27 Mar 09:00:
   480 + 480 = 960 business minutes, breached. March now has 5 tickets, 4 resolution
   clocks met of 5: attainment restated from 100 % to 80 % after that file arrived. March's
   review page is the one the first run published, byte for byte.
4. A backfill of the unchanged files with a later as_of (so that it publishes, and
   rebuilds every table: a new as_of is a full refresh) restates nothing. Identical
   rebuilds are compared table by table, these tables with them, in
   tests/reliability/test_determinism.py.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.contract import TICKET_EVENTS, TICKETS
from orchestration.reference.spec import REFERENCE

pytestmark = pytest.mark.slow

AS_OF = "2026-04-15T00:00:00Z"
LATER = "2026-04-16T00:00:00Z"

SEEDS: dict[str, list[dict[str, str]]] = {
    "clients": [
        {
            "client_id": "C1",
            "client_name": "Acme",
            "timezone": "UTC",
            "calendar_id": "CAL",
            "contract_tier": "gold",
            "contract_start": "2026-03-01",
        }
    ],
    "engineers": [
        {
            "engineer_id": "E1",
            "engineer_name": "Ann",
            "team": "desk",
            "role": "engineer",
            "calendar_id": "CAL",
            "timezone": "UTC",
            "weekly_contracted_hours": "40",
            "billable_target_pct": "60",
            "start_date": "2020-01-01",
        }
    ],
    "business_calendars": [
        {"calendar_id": "CAL", "weekday": str(day), "opens_at": "09:00", "closes_at": "17:00"}
        for day in range(1, 6)
    ],
    "holidays": [],
    "engineer_leave": [],
    # Every priority alike; only P3 tickets are opened.
    "sla_policies": [
        {
            "contract_tier": "gold",
            "priority": priority,
            "metric": metric,
            "target_minutes": minutes,
            "clock": clock,
            "attainment_target_pct": "90",
        }
        for priority in ("P1", "P2", "P3", "P4")
        for metric, minutes, clock in (
            ("first_response", "60", "24x7"),
            ("resolution", "480", "business"),
        )
    ],
    "xla_targets": [
        {
            "contract_tier": "gold",
            "metric": "happiness",
            "comparator": ">=",
            "target": "50",
            "min_responses": "5",
        }
    ],
    "timeslip_rules": [],
    "timeslip_waivers": [],
}


def _ticket(ticket_id: str, created: str, resolved: str, updated: str) -> dict[str, str]:
    responded = created[:14] + "10:00Z"  # ten minutes after it is opened
    return {
        "ticket_id": ticket_id,
        "client_id": "C1",
        "priority": "P3",
        "status": "Resolved",
        "created_at": created,
        "first_response_at": responded,
        "resolved_at": resolved,
        "updated_at": updated,
    }


MARCH = [
    _ticket("T1", "2026-03-02T09:00:00Z", "2026-03-02T12:00:00Z", "2026-03-02T12:00:00Z"),
    _ticket("T2", "2026-03-10T16:00:00Z", "2026-03-12T10:00:00Z", "2026-03-12T10:00:00Z"),
    _ticket("T3", "2026-03-16T09:00:00Z", "2026-03-16T10:00:00Z", "2026-03-16T10:00:00Z"),
    _ticket("T4", "2026-03-23T09:00:00Z", "2026-03-23T09:30:00Z", "2026-03-23T09:30:00Z"),
]
APRIL = [
    _ticket("T5", "2026-04-01T09:00:00Z", "2026-04-01T10:00:00Z", "2026-04-01T10:00:00Z"),
]
LATE = [
    _ticket("T6", "2026-03-25T09:00:00Z", "2026-03-27T09:00:00Z", "2026-04-13T08:00:00Z"),
]


def _events(tickets: list[dict[str, str]]) -> list[dict[str, str]]:
    return [
        {
            "event_id": f"{t['ticket_id']}-resolved",
            "ticket_id": t["ticket_id"],
            "occurred_at": t["resolved_at"],
            "field": "status",
            "old_value": "New",
            "new_value": "Resolved",
        }
        for t in tickets
    ]


def _write(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})


def _landing(folder: Path, day: str, tickets: list[dict[str, str]]) -> None:
    names = tuple(c.name for c in TICKETS.columns)
    _write(folder / f"tickets_{day}.csv", names, tickets)
    events = tuple(c.name for c in TICKET_EVENTS.columns)
    _write(folder / f"ticket_events_{day}.csv", events, _events(tickets))


class Msp:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.seeds = root / "seeds"

    def seed(self, name: str, rows: list[dict[str, str]]) -> None:
        spec = REFERENCE[name]
        _write(self.seeds / spec.file_name, spec.file_columns, rows)

    def xla(self, *args: str) -> subprocess.CompletedProcess[str]:
        import os

        env = {**os.environ, "XLA_DATA_DIR": str(self.data), "XLA_SEEDS_DIR": str(self.seeds)}
        run = subprocess.run(
            [sys.executable, "-m", "orchestration.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        return run

    def rows(self, sql: str) -> list[dict[str, Any]]:
        con = duckdb.connect(str(self.data / "published" / "warehouse.duckdb"), read_only=True)
        try:
            cursor = con.execute(sql)
            names = [c[0] for c in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            con.close()

    def page(self) -> bytes:
        return (self.data / "published" / "reports" / "2026-03" / "C1.html").read_bytes()


RESTATED = """
    select figure, reported_value, new_value, cause, month
    from restatements where run_id = (select max_by(run_id, published_at) from audit_publications)
    order by figure
"""


@pytest.fixture(scope="module")
def msp(tmp_path_factory: pytest.TempPathFactory) -> Msp:
    msp = Msp(tmp_path_factory.mktemp("closed-months"))
    for name, rows in SEEDS.items():
        msp.seed(name, rows)
    _landing(msp.data / "landing", "20260331", MARCH)
    _landing(msp.data / "landing", "20260402", APRIL)
    return msp


def test_the_first_run_reports_the_closed_month(msp: Msp) -> None:
    msp.xla("run", "--as-of", AS_OF)
    closes = msp.rows("select month, closes_on, is_closed from fct_client_month_closes order by 1")
    assert [(str(r["month"]), str(r["closes_on"]), r["is_closed"]) for r in closes] == [
        ("2026-03-01", "2026-04-07", True),
        ("2026-04-01", "2026-05-07", False),
    ]
    reported = {
        r["figure"]: r["value"]
        for r in msp.rows("select figure, value from reported_client_months where client_id = 'C1'")
    }
    assert reported["resolution_attainment_pct"] == "75.0"
    assert reported["first_response_attainment_pct"] == "100.0"
    assert reported["tickets_opened"] == "4"
    assert reported["sla_policy_attainment_pct[P3 resolution]"] == "75.0"
    assert {str(r["month"]) for r in msp.rows("select month from reported_client_months")} == {
        "2026-03-01"
    }
    assert msp.rows("select * from restatements") == []
    shutil.copyfile(
        msp.data / "published" / "reports" / "2026-03" / "C1.html", msp.root / "march.html"
    )


def test_a_holiday_added_for_a_reported_month_restates_it(msp: Msp) -> None:
    msp.seed("holidays", [{"calendar_id": "CAL", "holiday_date": "2026-03-11"}])
    msp.xla("run", "--as-of", AS_OF)
    restated = {r["figure"]: r for r in msp.rows(RESTATED)}
    assert {str(r["month"]) for r in restated.values()} == {"2026-03-01"}
    resolution = restated["resolution_attainment_pct"]
    assert (resolution["reported_value"], resolution["new_value"]) == ("75.0", "100.0")
    assert resolution["cause"] == "holidays.csv changed"
    policy = restated["sla_policy_attainment_pct[P3 resolution]"]
    assert (policy["reported_value"], policy["new_value"]) == ("75.0", "100.0")
    met = restated["resolution_clocks_met"]
    assert (met["reported_value"], met["new_value"]) == ("3", "4")
    assert "tickets_opened" not in restated
    assert msp.page() == (msp.root / "march.html").read_bytes()


def test_a_late_ticket_file_restates_the_month_and_keeps_its_page(msp: Msp) -> None:
    _landing(msp.data / "landing", "20260413", LATE)
    msp.xla("run", "--as-of", AS_OF)
    restated = {r["figure"]: r for r in msp.rows(RESTATED)}
    resolution = restated["resolution_attainment_pct"]
    assert (resolution["reported_value"], resolution["new_value"]) == ("100.0", "80.0")
    assert resolution["cause"] == "ticket_events_20260413.csv, tickets_20260413.csv arrived"
    opened = restated["tickets_opened"]
    assert (opened["reported_value"], opened["new_value"]) == ("4", "5")
    # Stated by the first run, but unchanged by the second: the file is its cause, not
    # the holiday of the run in between.
    assert opened["cause"] == "ticket_events_20260413.csv, tickets_20260413.csv arrived"
    assert msp.page() == (msp.root / "march.html").read_bytes()
    index = (msp.data / "published" / "reports" / "2026-03" / "index.html").read_text()
    assert "resolution SLA attainment restated from 100.0% to 80.0%" in index
    april = (msp.data / "published" / "reports" / "2026-04" / "C1.html").read_text()
    assert "March 2026: resolution SLA attainment restated from 75.0% to 100.0%" in april
    assert "March 2026: resolution SLA attainment restated from 100.0% to 80.0%" in april
    site = (msp.data / "published" / "audit" / "restatements.html").read_text()
    assert "tickets_20260413.csv" in site


def test_a_backfill_that_rebuilds_everything_restates_nothing(msp: Msp) -> None:
    # Re-deriving the lake from the archived files, with a later as_of: every table is
    # rebuilt from scratch (a new as_of is a full refresh), yet March is as it stood.
    before = msp.rows("select count(*) as n from restatements")[0]["n"]
    run = msp.xla("backfill", "--from", "2026-03-31", "--to", "2026-04-13", "--as-of", LATER)
    assert "Published" in run.stdout
    assert msp.rows("select count(*) as n from restatements")[0]["n"] == before
    assert len(msp.rows("select * from audit_publications")) == 4
    reported = msp.rows("select distinct run_id from reported_client_months")
    assert len(reported) == 1
    assert msp.page() == (msp.root / "march.html").read_bytes()
