"""One bad delivery against a published MSP: it is that delivery's problem, no one else's.

`deliver_bad` lands, on a copy of a published data folder, one delivery that holds what
once stopped every later run or moved every client's numbers:

- a ticket updated `9999-12-31` (the build ran out of memory, and the row stayed newest);
- a ticket created `0001-01-01` (every publication failed on the date);
- a timeslip dated four months after its January file (it moved `as_of`);
- a ticket whose `updated_at` has its year typed as 2062 (thousands of client-months);
- a tickets file whose name is dated 2062 (its rows would be plausible against it);
- two clients' ServiceNow exports with identical bytes (the second vanished);
- a ticket of a client `clients.csv` does not hold (`UNKNOWN_CLIENT`: it blocked every
  client's publication);
- and good rows beside them, which must load.

Then `deliver_fix` lands the corrected version of the first ticket, which must win. What
each case must give is in `CASES`: the row's line and reason, or the file's refusal.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from tests.reliability.crashes import Workspace

TICKETS = "ticket_id,client_id,priority,status,created_at,updated_at,subject"
TIMESLIPS = (
    "timeslip_id,engineer_id,work_date,started_at,ended_at,hours_worked,hours_billed,"
    "billable,entered_at,updated_at,notes"
)
UNKNOWN_CLIENT = "C404"
SERVICENOW = (
    "number,incident_state,reassignment_count,reopen_count,sys_mod_count,caller_id,"
    "opened_by,opened_at,sys_updated_by,sys_updated_at,contact_type,category,priority,"
    "assignment_group,assigned_to,resolved_at,closed_at"
)


@dataclass(frozen=True)
class Case:
    """One bad thing in the delivery, and what the run must make of it."""

    name: str
    file: str
    line: int  # the row's line; 0: the file is refused as a whole
    reason: str


@dataclass
class Delivery:
    """What a run on one delivery did."""

    workspace: Workspace
    day: date
    clients: tuple[str, str]
    run: subprocess.CompletedProcess[str]
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)

    @property
    def output(self) -> str:
        return self.run.stdout + self.run.stderr


def _figures(database: Path) -> dict[str, Any]:
    """What one row must not move: `as_of`, the client-months, the clocks' states; and
    the tickets held for want of their client, with the gate's checks of them."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        return {
            "as_of": con.execute("select as_of from run_parameters").fetchone()[0],
            "client_months": con.execute("select count(*) from fct_client_months").fetchone()[0],
            "clocks": set(
                con.execute(
                    "select ticket_id, metric, sla_status, elapsed_minutes from fct_ticket_sla"
                ).fetchall()
            ),
            "first_month": con.execute("select min(month) from fct_client_months").fetchone()[0],
            "held": con.execute(
                "select ticket_id, client_id, source_file, source_line, reason "
                "from held_tickets order by ticket_id"
            ).fetchall(),
            "held_checks": dict(
                (name, (passed, failing, keys))
                for name, passed, failing, keys in con.execute(
                    "select check_name, passed, failing_count, sample_keys "
                    "from audit_check_results "
                    "where check_name in ('tickets_of_unknown_clients', 'tickets_reconcile') "
                    "and run_id = (select run_id from audit_publications "
                    "order by published_at desc limit 1)"
                ).fetchall()
            ),
        }
    finally:
        con.close()


def _iso(day: date, clock: str = "10:00:00") -> str:
    return f"{day.isoformat()}T{clock}+00:00"


def _servicenow_rows(day: date) -> list[str]:
    """Two incidents of the day, opened, worked and resolved (`dd-mm-yyyy HH:MM`)."""
    at = day.strftime("%d-%m-%Y")
    return [
        f"INC7000001,New,0,0,0,Caller 1,Opener 1,{at} 08:00,Agent 1,{at} 08:00,"
        "Email,Category 1,3 - Moderate,Group A,?,?,?",
        f"INC7000001,Resolved,0,0,1,Caller 1,Opener 1,{at} 08:00,Agent 1,{at} 09:00,"
        f"Email,Category 1,3 - Moderate,Group A,Resolver 1,{at} 09:00,?",
        f"INC7000002,New,0,0,0,Caller 2,Opener 1,{at} 10:00,Agent 1,{at} 10:00,"
        "Phone,Category 2,2 - High,Group B,?,?,?",
    ]


def cases(day: date, clients: tuple[str, str]) -> list[Case]:
    """The bad rows and files of the delivery of `day`, and why each is refused."""
    tickets = f"tickets_{day:%Y%m%d}_bad.csv"
    timeslips = f"timeslips_{day:%Y%m%d}_bad.csv"
    late = day + timedelta(days=120)
    return [
        Case(
            "updated in the year 9999",
            tickets,
            2,
            "updated_at '9999-12-31T00:00:00+00:00' is implausible: more than 2 days after "
            f"the file's date, {day}",
        ),
        Case(
            "created in the year 1",
            tickets,
            3,
            "created_at '0001-01-01T00:00:00+00:00' is implausible: before 2000-01-01, where "
            "the MSP's history starts (history_start in msp_settings.csv)",
        ),
        Case(
            "a year typed 2062",
            tickets,
            4,
            f"updated_at '{_iso(day.replace(year=2062))}' is implausible: more than 2 days "
            f"after the file's date, {day}",
        ),
        Case(
            "a timeslip four months after its file",
            timeslips,
            2,
            "; ".join(
                f"{column} '{value}' is implausible: more than 2 days after the file's date, {day}"
                for column, value in (
                    ("work_date", late),
                    ("started_at", _iso(late, "09:00:00")),
                    ("ended_at", _iso(late, "10:00:00")),
                    ("entered_at", _iso(late, "18:00:00")),
                    ("updated_at", _iso(late, "18:00:00")),
                )
            ),
        ),
        Case(
            "a file dated 2062",
            "tickets_20620115.csv",
            0,
            "tickets_20620115.csv: not ingested: its date 2062-01-15 is in the future; check "
            "the date in the file name",
        ),
    ]


def _write_delivery(landing: Path, day: date, clients: tuple[str, str], engineer: str) -> None:
    client = clients[0]
    late = day + timedelta(days=120)
    landing.mkdir(parents=True, exist_ok=True)
    (landing / f"tickets_{day:%Y%m%d}_bad.csv").write_text(
        "\n".join(
            [
                TICKETS,
                f"TX1,{client},P3,New,{_iso(day)},9999-12-31T00:00:00+00:00,printer",
                f"TX2,{client},P3,New,0001-01-01T00:00:00+00:00,{_iso(day)},printer",
                f"TX3,{client},P3,New,{_iso(day)},{_iso(day.replace(year=2062))},printer",
                f"TX4,{client},P3,New,{_iso(day, '09:00:00')},{_iso(day, '09:30:00')},printer",
                f"TX6,{UNKNOWN_CLIENT},P3,New,{_iso(day, '09:00:00')},{_iso(day, '09:30:00')},"
                "client not yet in the reference data",
            ]
        )
        + "\n"
    )
    (landing / f"timeslips_{day:%Y%m%d}_bad.csv").write_text(
        "\n".join(
            [
                TIMESLIPS,
                f"SX1,{engineer},{late},{_iso(late, '09:00:00')},{_iso(late, '10:00:00')},1,1,"
                f"Billable,{_iso(late, '18:00:00')},{_iso(late, '18:00:00')},future entry",
            ]
        )
        + "\n"
    )
    (landing / "tickets_20620115.csv").write_text(
        f"{TICKETS}\nTX5,{client},P3,New,{_iso(day)},{_iso(day)},typo in the name\n"
    )
    export = "\n".join([SERVICENOW, *_servicenow_rows(day)]) + "\n"
    for named in clients:
        (landing / f"servicenow_incidents_{day:%Y%m%d}_{named}.csv").write_text(export)


def deliver_bad(base: Path, folder: Path, seeds: Path) -> Delivery:
    """Copy the published data folder `base` to `folder`, land the bad delivery, run."""
    shutil.copytree(base, folder, symlinks=True)
    workspace = Workspace(folder, seeds)
    before = _figures(workspace.published)
    con = duckdb.connect(str(workspace.published), read_only=True)
    try:
        clients = tuple(
            c
            for (c,) in con.execute(
                "select client_id from dim_clients where ticket_count > 0 order by 1 limit 2"
            ).fetchall()
        )
        (engineer,) = con.execute("select min(engineer_id) from dim_engineers").fetchone()
    finally:
        con.close()
    day = before["as_of"].date()
    _write_delivery(folder / "landing", day, clients, engineer)
    run = workspace.run()
    delivery = Delivery(workspace, day, clients, run, before=before)
    if workspace.published.exists():
        delivery.after = _figures(workspace.published)
    return delivery


def deliver_fix(delivery: Delivery) -> subprocess.CompletedProcess[str]:
    """The first ticket again, as it should have been: resolved, updated the same day."""
    landing = delivery.workspace.data_dir / "landing"
    (landing / f"tickets_{delivery.day:%Y%m%d}_fix.csv").write_text(
        f"{TICKETS}\nTX1,{delivery.clients[0]},P3,Resolved,{_iso(delivery.day)},"
        f"{_iso(delivery.day, '11:00:00')},printer\n"
    )
    return delivery.workspace.run()


def quarantined(delivery: Delivery) -> dict[tuple[str, int], str]:
    """The published quarantine: (file, line) -> reason."""
    con = duckdb.connect(str(delivery.workspace.published), read_only=True)
    try:
        return {
            (name, line): reason
            for name, line, reason in con.execute(
                "select file_name, line_number, reason from quarantine_rows"
            ).fetchall()
        }
    finally:
        con.close()


def query(delivery: Delivery, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(delivery.workspace.published), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()
