"""SLA clocks on hand-worked tickets: every expected minute below was counted on paper.

Calendars (local time):
- CAL_A: Monday-Friday 09:00-17:00; Monday 2026-01-19 is a holiday.
- CAL_N: as CAL_A, plus Sunday 00:00-06:00, so the nights the clocks change fall inside
  opening hours.
Clients, all on the gold tier:
- NY (America/New_York, CAL_A): EST = UTC-5 until 2026-03-08 02:00, EDT = UTC-4 until
  2026-11-01 02:00.
- NYN (America/New_York, CAL_N).
- SYD (Australia/Sydney, CAL_A): AEDT = UTC+11 until 2026-04-05 03:00, AEST = UTC+10
  until 2026-10-04 02:00.
- SYDN (Australia/Sydney, CAL_N).
Policies: P1 24x7 (first response 15, resolution 240, pauses in Waiting Customer);
P2 60/480, P3 120/960, P4 240/1200 on the business calendar, pausing in Waiting Customer
and Waiting Vendor. `as_of` is 2026-11-04 20:00 UTC (Wednesday 15:00 in New York).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt_fixtures import DataFolder, Row, event, make_data_folder, run_dbt, ticket

from orchestration.reference.validate import validate_folder

AS_OF = "2026-11-04T20:00:00+00:00"
WEEKDAYS = range(1, 6)
POLICY_PAUSES = "Waiting Customer;Waiting Vendor"

SEEDS: dict[str, list[tuple[str, ...]]] = {
    "clients": [
        ("NY", "New York office", "America/New_York", "CAL_A", "gold", "2025-01-01", ""),
        ("NYN", "New York nights", "America/New_York", "CAL_N", "gold", "2025-01-01", ""),
        ("SYD", "Sydney office", "Australia/Sydney", "CAL_A", "gold", "2025-01-01", ""),
        ("SYDN", "Sydney nights", "Australia/Sydney", "CAL_N", "gold", "2025-01-01", ""),
    ],
    "business_calendars": [
        *[("CAL_A", str(day), "09:00", "17:00") for day in WEEKDAYS],
        *[("CAL_N", str(day), "09:00", "17:00") for day in WEEKDAYS],
        ("CAL_N", "7", "00:00", "06:00"),
    ],
    "holidays": [("CAL_A", "2026-01-19", "Martin Luther King Jr. Day")],
    "sla_policies": [
        ("gold", "P1", "first_response", "15", "24x7", "Waiting Customer", "95"),
        ("gold", "P1", "resolution", "240", "24x7", "Waiting Customer", "95"),
        ("gold", "P2", "first_response", "60", "business", POLICY_PAUSES, "95"),
        ("gold", "P2", "resolution", "480", "business", POLICY_PAUSES, "95"),
        ("gold", "P3", "first_response", "120", "business", POLICY_PAUSES, "95"),
        # Written the way people write lists: the space after ";" is no part of a status.
        ("gold", "P3", "resolution", "960", "business", "Waiting Vendor; Waiting Customer", "95"),
        ("gold", "P4", "first_response", "240", "business", POLICY_PAUSES, "95"),
        ("gold", "P4", "resolution", "1200", "business", POLICY_PAUSES, "95"),
    ],
}


@dataclass(frozen=True)
class Case:
    """One ticket: its rows, and what each clock must read (UTC, whole minutes)."""

    ticket: Row
    events: list[Row]
    first_response: tuple[Any, ...]
    resolution: tuple[Any, ...]


def _utc(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text + ":00+00:00") if text else None


def _case(
    ticket_id: str,
    client: str,
    priority: str,
    created: str,
    statuses: list[tuple[str, str]],
    *,
    first_response: tuple[Any, ...],
    resolution: tuple[Any, ...],
    priority_changes: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
) -> Case:
    """A ticket created at `created` (UTC, `YYYY-MM-DD HH:MM`) in status New, then moved
    through `statuses` [(at, new status)]; first response = first move to In Progress.

    Expected clocks are (elapsed, paused, due_at, stopped_at, breached_at, sla_status).
    """
    events = [event(f"{ticket_id}-0", ticket_id, created + ":00+00:00", "status", "", "New")]
    current = "New"
    first_in_progress = resolved = closed = None
    for number, (at, new) in enumerate(statuses, start=1):
        events.append(
            event(f"{ticket_id}-{number}", ticket_id, at + ":00+00:00", "status", current, new)
        )
        if new == "In Progress" and first_in_progress is None:
            first_in_progress = at
        if new == "Resolved":
            resolved = at
        if new == "Closed":
            closed = at
        if new not in ("Resolved", "Closed"):
            resolved = closed = None
        current = new
    for number, (at, old, new) in enumerate(priority_changes, start=50):
        events.append(
            event(f"{ticket_id}-{number}", ticket_id, at + ":00+00:00", "priority", old, new)
        )
    last_change = statuses[-1][0] if statuses else created
    row = ticket(
        ticket_id,
        client,
        current,
        created + ":00+00:00",
        last_change + ":00+00:00",
        priority=priority,
        first_response_at=(first_in_progress + ":00+00:00") if first_in_progress else None,
        resolved_at=(resolved + ":00+00:00") if resolved else None,
        closed_at=(closed + ":00+00:00") if closed else None,
    )
    return Case(row, events, first_response, resolution)


def _clock(
    elapsed: int,
    paused: int,
    due: str | None,
    stopped: str | None,
    breached: str | None,
    status: str,
) -> tuple[Any, ...]:
    return (elapsed, paused, _utc(due), _utc(stopped), _utc(breached), status)


CASES: dict[str, Case] = {
    # Opened Friday 16:00 EST, answered Monday 09:30, resolved Monday 11:00. Friday
    # 16:00-17:00 is 60 business minutes, the weekend none, Monday 09:00-09:30 another 30.
    # First response 90 <= 120: due after 60 more on Monday, 10:00 EST. Resolution 60 + 30
    # + 90 = 180: 780 to go from Monday 11:00 = 360 on Monday + 420 on Tuesday, 16:00 EST.
    "weekend": _case(
        "WEEKEND",
        "NY",
        "P3",
        "2026-01-09 21:00",
        [("2026-01-12 14:30", "In Progress"), ("2026-01-12 16:00", "Resolved")],
        first_response=_clock(90, 0, "2026-01-12 15:00", "2026-01-12 14:30", None, "met"),
        resolution=_clock(180, 0, "2026-01-13 21:00", "2026-01-12 16:00", None, "met"),
    ),
    # Opened Friday 16:30 EST before the Monday holiday, answered Tuesday 09:15,
    # resolved Tuesday 13:00. First response 30 + 15 = 45 <= 60, due at Tuesday 09:30.
    # Resolution 45 + 225 = 270 <= 480; 210 to go from 13:00: due Tuesday 16:30 EST.
    "holiday": _case(
        "HOLIDAY",
        "NY",
        "P2",
        "2026-01-16 21:30",
        [("2026-01-20 14:15", "In Progress"), ("2026-01-20 18:00", "Resolved")],
        first_response=_clock(45, 0, "2026-01-20 14:30", "2026-01-20 14:15", None, "met"),
        resolution=_clock(270, 0, "2026-01-20 21:30", "2026-01-20 18:00", None, "met"),
    ),
    # Wednesday 10:00 EST opened, 10:30 in progress, 11:00 waiting on the customer until
    # Thursday 10:00, resolved Thursday 12:00. Running 30 + 30 + 120 = 180; paused 360 on
    # Wednesday + 60 on Thursday = 420. 780 to go from Thursday 12:00: 300 on Thursday and
    # 480 on Friday, due exactly at Friday's close, 17:00 EST.
    "pause": _case(
        "PAUSE",
        "NY",
        "P3",
        "2026-02-04 15:00",
        [
            ("2026-02-04 15:30", "In Progress"),
            ("2026-02-04 16:00", "Waiting Customer"),
            ("2026-02-05 15:00", "In Progress"),
            ("2026-02-05 17:00", "Resolved"),
        ],
        first_response=_clock(30, 0, "2026-02-04 17:00", "2026-02-04 15:30", None, "met"),
        resolution=_clock(180, 420, "2026-02-06 22:00", "2026-02-05 17:00", None, "met"),
    ),
    # Monday 09:00 EST opened and taken at once, resolved 10:00, reopened Tuesday 09:30,
    # resolved 10:30, closed Wednesday. Running 60 + 60 = 120; the night in Resolved does
    # not count; Closed does not extend the clock. 1,080 to go from Tuesday 10:30: 390 on
    # Tuesday, 480 on Wednesday, 210 on Thursday: 12:30 EST.
    "reopen": _case(
        "REOPEN",
        "NY",
        "P4",
        "2026-03-02 14:00",
        [
            ("2026-03-02 14:00", "In Progress"),
            ("2026-03-02 15:00", "Resolved"),
            ("2026-03-03 14:30", "In Progress"),
            ("2026-03-03 15:30", "Resolved"),
            ("2026-03-04 17:00", "Closed"),
        ],
        first_response=_clock(0, 0, "2026-03-02 18:00", "2026-03-02 14:00", None, "met"),
        resolution=_clock(120, 0, "2026-03-05 17:30", "2026-03-03 15:30", None, "met"),
    ),
    # Opened as P4 Wednesday 09:00 EDT, raised to P2 at 11:00: the P2 policy applies from
    # the start. First response at 10:30 = 90 > 60: due and breached at 10:00 EDT.
    # Resolved 15:00: 360 <= 480, due 17:00 EDT.
    "priority_change": _case(
        "PRIORITY",
        "NY",
        "P2",
        "2026-04-01 13:00",
        [("2026-04-01 14:30", "In Progress"), ("2026-04-01 19:00", "Resolved")],
        priority_changes=[("2026-04-01 15:00", "P4", "P2")],
        first_response=_clock(
            90, 0, "2026-04-01 14:00", "2026-04-01 14:30", "2026-04-01 14:00", "breached"
        ),
        resolution=_clock(360, 0, "2026-04-01 21:00", "2026-04-01 19:00", None, "met"),
    ),
    # P1 on a 24x7 clock across New York's spring-forward night: opened 01:30 EST
    # (06:30 UTC), answered 03:10 EDT (07:10 UTC): 40 real minutes, not 100 of wall
    # clock. Breached at 06:45 UTC. Resolution: running 06:30-07:30, waiting on the
    # customer 07:30-08:30, running 08:30-09:00: 90 running, 60 paused; 150 to go.
    "p1_24x7_spring_north": _case(
        "P1NY",
        "NY",
        "P1",
        "2026-03-08 06:30",
        [
            ("2026-03-08 07:10", "In Progress"),
            ("2026-03-08 07:30", "Waiting Customer"),
            ("2026-03-08 08:30", "In Progress"),
            ("2026-03-08 09:00", "Resolved"),
        ],
        first_response=_clock(
            40, 0, "2026-03-08 06:45", "2026-03-08 07:10", "2026-03-08 06:45", "breached"
        ),
        resolution=_clock(90, 60, "2026-03-08 11:30", "2026-03-08 09:00", None, "met"),
    ),
    # P1 on a 24x7 clock across Sydney's autumn night (03:00 AEDT -> 02:00 AEST): opened
    # 01:30 AEDT (14:30 UTC), answered at the second 02:20 (AEST, 16:20 UTC), resolved
    # 03:00 AEST (17:00 UTC): 110 and 150 real minutes.
    "p1_24x7_fall_south": _case(
        "P1SYD",
        "SYD",
        "P1",
        "2026-04-04 14:30",
        [("2026-04-04 16:20", "In Progress"), ("2026-04-04 17:00", "Resolved")],
        first_response=_clock(
            110, 0, "2026-04-04 14:45", "2026-04-04 16:20", "2026-04-04 14:45", "breached"
        ),
        resolution=_clock(150, 0, "2026-04-04 18:30", "2026-04-04 17:00", None, "met"),
    ),
    # Business hours Sunday 00:00-06:00 on New York's spring-forward day are 300 real
    # minutes. Opened 00:00 EST (05:00 UTC), answered 05:00 EDT (09:00 UTC): 240 > 120,
    # breached at 07:00 UTC. Resolved 06:00 EDT: 300. 660 to go: 480 on Monday, 180 on
    # Tuesday: 12:00 EDT.
    "business_spring_north": _case(
        "NSPRING",
        "NYN",
        "P3",
        "2026-03-08 05:00",
        [("2026-03-08 09:00", "In Progress"), ("2026-03-08 10:00", "Resolved")],
        first_response=_clock(
            240, 0, "2026-03-08 07:00", "2026-03-08 09:00", "2026-03-08 07:00", "breached"
        ),
        resolution=_clock(300, 0, "2026-03-10 16:00", "2026-03-08 10:00", None, "met"),
    ),
    # New York's fall-back day: Sunday 00:00-06:00 is 420 real minutes. Opened 00:00 EDT
    # (04:00 UTC), answered 05:00 EST (10:00 UTC): 360 > 240, breached at 08:00 UTC.
    # Resolved 06:00 EST: 420 <= 1200; 780 to go: 480 on Monday, 300 on Tuesday, 14:00 EST.
    "business_fall_north": _case(
        "NFALL",
        "NYN",
        "P4",
        "2026-11-01 04:00",
        [("2026-11-01 10:00", "In Progress"), ("2026-11-01 11:00", "Resolved")],
        first_response=_clock(
            360, 0, "2026-11-01 08:00", "2026-11-01 10:00", "2026-11-01 08:00", "breached"
        ),
        resolution=_clock(420, 0, "2026-11-03 19:00", "2026-11-01 11:00", None, "met"),
    ),
    # Sydney's spring-forward day (02:00 AEST -> 03:00 AEDT): Sunday 00:00-06:00 is 300
    # real minutes. Opened 00:00 AEST (Saturday 14:00 UTC), answered 00:45 (45 <= 120,
    # due 75 minutes later: at 02:00 AEST, the instant the clocks jump to 03:00 AEDT,
    # 16:00 UTC); resolved 06:00 AEDT (19:00 UTC), 300. 660 to go: Monday 09:00-17:00
    # AEDT (480), Tuesday 09:00-12:00 AEDT.
    "business_spring_south": _case(
        "SSPRING",
        "SYDN",
        "P3",
        "2026-10-03 14:00",
        [("2026-10-03 14:45", "In Progress"), ("2026-10-03 19:00", "Resolved")],
        first_response=_clock(45, 0, "2026-10-03 16:00", "2026-10-03 14:45", None, "met"),
        resolution=_clock(300, 0, "2026-10-06 01:00", "2026-10-03 19:00", None, "met"),
    ),
    # Sydney's autumn day (03:00 AEDT -> 02:00 AEST): Sunday 00:00-06:00 is 420 real
    # minutes. Opened 00:00 AEDT (Saturday 13:00 UTC), answered 00:30, resolved 06:00
    # AEST (20:00 UTC). 540 to go: Monday 09:00-17:00 AEST (480), then Tuesday 10:00.
    "business_fall_south": _case(
        "SFALL",
        "SYDN",
        "P3",
        "2026-04-04 13:00",
        [("2026-04-04 13:30", "In Progress"), ("2026-04-04 20:00", "Resolved")],
        first_response=_clock(30, 0, "2026-04-04 15:00", "2026-04-04 13:30", None, "met"),
        resolution=_clock(420, 0, "2026-04-07 00:00", "2026-04-04 20:00", None, "met"),
    ),
    # Still open at as_of (Wednesday 15:00 EST): opened Tuesday 14:00 EST, in progress
    # since 14:30. Running 180 on Tuesday + 360 on Wednesday = 540 <= 960: in progress,
    # due after 120 more on Wednesday and 300 on Thursday, 14:00 EST.
    "open_at_as_of": _case(
        "OPEN",
        "NY",
        "P3",
        "2026-11-03 19:00",
        [("2026-11-03 19:30", "In Progress")],
        first_response=_clock(30, 0, "2026-11-03 21:00", "2026-11-03 19:30", None, "met"),
        resolution=_clock(540, 0, "2026-11-05 19:00", None, None, "in_progress"),
    ),
    # Open and past target at as_of: Monday 09:00 EST opened, in progress at 09:10. 480 on
    # Monday reaches the P2 target at the close, 17:00 EST; the next minute over target
    # starts Tuesday 09:00. 480 + 480 + 360 = 1320 running minutes at as_of.
    "open_breached": _case(
        "LATE",
        "NY",
        "P2",
        "2026-11-02 14:00",
        [("2026-11-02 14:10", "In Progress")],
        first_response=_clock(10, 0, "2026-11-02 15:00", "2026-11-02 14:10", None, "met"),
        resolution=_clock(1320, 0, "2026-11-02 22:00", None, "2026-11-03 14:00", "breached"),
    ),
    # Opened Tuesday 06:00 EST, before opening: the clocks wait for 09:00. Answered 09:20
    # (20), resolved 10:00 (60). Resolution due after 420 more on Tuesday and 480 on
    # Wednesday: Wednesday 17:00 EST.
    "outside_hours": _case(
        "EARLY",
        "NY",
        "P3",
        "2026-02-10 11:00",
        [("2026-02-10 14:20", "In Progress"), ("2026-02-10 15:00", "Resolved")],
        first_response=_clock(20, 0, "2026-02-10 16:00", "2026-02-10 14:20", None, "met"),
        resolution=_clock(60, 0, "2026-02-11 22:00", "2026-02-10 15:00", None, "met"),
    ),
}

# Two events of one instant whose ids sort the wrong way as text ("TIE-10" < "TIE-9"):
# the order they were delivered in decides, so the ticket ends Resolved at 09:30 EST.
CASES["same_instant"] = Case(
    ticket(
        "TIE",
        "NY",
        "Resolved",
        "2026-03-02T14:00:00+00:00",
        "2026-03-02T14:30:00+00:00",
        priority="P2",
        first_response_at="2026-03-02T14:30:00+00:00",
        resolved_at="2026-03-02T14:30:00+00:00",
    ),
    [
        event("TIE-0", "TIE", "2026-03-02T14:00:00+00:00", "status", "", "New"),
        event("TIE-9", "TIE", "2026-03-02T14:30:00+00:00", "status", "New", "In Progress"),
        event("TIE-10", "TIE", "2026-03-02T14:30:00+00:00", "status", "In Progress", "Resolved"),
    ],
    # 30 business minutes each; first response due after 30 more (10:00 EST), resolution
    # after 450 more, at 17:00 EST.
    first_response=_clock(30, 0, "2026-03-02 15:00", "2026-03-02 14:30", None, "met"),
    resolution=_clock(30, 0, "2026-03-02 22:00", "2026-03-02 14:30", None, "met"),
)


@dataclass(frozen=True)
class Build:
    folder: DataFolder
    output: str
    returncode: int


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    lake = {
        "tickets": {"tickets_20261104.csv": [case.ticket for case in CASES.values()]},
        "ticket_events": {
            "ticket_events_20261104.csv": [e for case in CASES.values() for e in case.events]
        },
    }
    folder = make_data_folder(tmp_path_factory.mktemp("sla"), seeds=SEEDS, lake=lake)
    completed = run_dbt(
        folder,
        "build",
        "--vars",
        f"{{as_of: '{AS_OF}'}}",
    )
    return Build(folder, completed.stdout + completed.stderr, completed.returncode)


def _query(build: Build, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(build.folder.warehouse), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_build_and_its_tests_pass(build: Build) -> None:
    assert build.returncode == 0, build.output[-3000:]


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("metric", ["first_response", "resolution"])
def test_clock_reads_what_was_worked_out_by_hand(build: Build, name: str, metric: str) -> None:
    case = CASES[name]
    rows = _query(
        build,
        "select elapsed_minutes, paused_minutes, due_at, stopped_at, breached_at, sla_status"
        " from main.fct_ticket_sla where ticket_id = ? and metric = ?",
        case.ticket["ticket_id"],
        metric,
    )
    assert rows == [getattr(case, metric)]


def test_policy_follows_the_latest_priority(build: Build) -> None:
    rows = _query(
        build,
        "select metric, policy, target_minutes, started_at from main.fct_ticket_sla"
        " where ticket_id = 'PRIORITY' order by metric",
    )
    started = datetime(2026, 4, 1, 13, tzinfo=UTC)
    assert rows == [
        ("first_response", "gold/P2/first_response", 60, started),
        ("resolution", "gold/P2/resolution", 480, started),
    ]


def _segments(build: Build, ticket_id: str, metric: str) -> list[tuple[Any, ...]]:
    return _query(
        build,
        "select state, status, strftime(segment_start, '%Y-%m-%d %H:%M'),"
        " strftime(segment_end, '%Y-%m-%d %H:%M'), minutes"
        " from main.fct_sla_clock_segments where ticket_id = ? and metric = ?"
        " order by segment_number",
        ticket_id,
        metric,
    )


def test_segments_across_a_weekend(build: Build) -> None:
    # Friday 17:00 EST (22:00 UTC) to Monday 09:00 EST (14:00 UTC) is 64 hours closed.
    assert _segments(build, "WEEKEND", "resolution") == [
        ("running", "New", "2026-01-09 21:00", "2026-01-09 22:00", 60),
        ("closed_hours", "New", "2026-01-09 22:00", "2026-01-12 14:00", 3840),
        ("running", "New", "2026-01-12 14:00", "2026-01-12 14:30", 30),
        ("running", "In Progress", "2026-01-12 14:30", "2026-01-12 16:00", 90),
    ]


def test_segments_across_a_holiday(build: Build) -> None:
    # The holiday is Monday's whole local day: 05:00 UTC Monday to 05:00 UTC Tuesday.
    assert _segments(build, "HOLIDAY", "resolution") == [
        ("running", "New", "2026-01-16 21:30", "2026-01-16 22:00", 30),
        ("closed_hours", "New", "2026-01-16 22:00", "2026-01-19 05:00", 3300),
        ("holiday", "New", "2026-01-19 05:00", "2026-01-20 05:00", 1440),
        ("closed_hours", "New", "2026-01-20 05:00", "2026-01-20 14:00", 540),
        ("running", "New", "2026-01-20 14:00", "2026-01-20 14:15", 15),
        ("running", "In Progress", "2026-01-20 14:15", "2026-01-20 18:00", 225),
    ]


def test_segments_of_a_pause_and_a_reopen(build: Build) -> None:
    assert _segments(build, "PAUSE", "resolution") == [
        ("running", "New", "2026-02-04 15:00", "2026-02-04 15:30", 30),
        ("running", "In Progress", "2026-02-04 15:30", "2026-02-04 16:00", 30),
        ("paused", "Waiting Customer", "2026-02-04 16:00", "2026-02-04 22:00", 360),
        ("closed_hours", "Waiting Customer", "2026-02-04 22:00", "2026-02-05 14:00", 960),
        ("paused", "Waiting Customer", "2026-02-05 14:00", "2026-02-05 15:00", 60),
        ("running", "In Progress", "2026-02-05 15:00", "2026-02-05 17:00", 120),
    ]
    # The creation and the first move share a minute: no empty New segment.
    assert _segments(build, "REOPEN", "resolution") == [
        ("running", "In Progress", "2026-03-02 14:00", "2026-03-02 15:00", 60),
        ("stopped", "Resolved", "2026-03-02 15:00", "2026-03-03 14:30", 1410),
        ("running", "In Progress", "2026-03-03 14:30", "2026-03-03 15:30", 60),
    ]


def test_segments_of_a_24x7_clock_and_of_one_created_before_opening(build: Build) -> None:
    assert _segments(build, "P1NY", "first_response") == [
        ("running", None, "2026-03-08 06:30", "2026-03-08 07:10", 40),
    ]
    assert _segments(build, "EARLY", "first_response") == [
        ("closed_hours", None, "2026-02-10 11:00", "2026-02-10 14:00", 180),
        ("running", None, "2026-02-10 14:00", "2026-02-10 14:20", 20),
    ]


def test_open_clock_is_measured_at_as_of(build: Build) -> None:
    rows = _query(
        build,
        "select metric, measured_at from main.fct_ticket_sla where ticket_id = 'OPEN'"
        " order by metric",
    )
    assert rows == [
        ("first_response", datetime(2026, 11, 3, 19, 30, tzinfo=UTC)),
        ("resolution", datetime(2026, 11, 4, 20, 0, tzinfo=UTC)),
    ]


def test_stopped_month_is_local_to_the_client(build: Build) -> None:
    # Resolved Saturday 2026-10-03 19:00 UTC is Sunday 4 October in Sydney; 2026-04-04
    # 20:00 UTC is 5 April there. Both months are unchanged, but the Sydney ticket opened
    # on 4 April UTC resolves in April local too.
    rows = _query(
        build,
        "select ticket_id, stopped_month from main.fct_ticket_sla"
        " where metric = 'resolution' and ticket_id in ('SSPRING', 'OPEN') order by ticket_id",
    )
    assert [(r[0], str(r[1])) for r in rows] == [("OPEN", "None"), ("SSPRING", "2026-10-01")]


def test_calendar_pieces_tile_time(build: Build) -> None:
    gaps = _query(
        build,
        "select calendar_key, piece_no from ("
        " select *, lag(piece_end) over (partition by calendar_key order by piece_no) as prev"
        " from intermediate.int_sla__calendar_pieces)"
        " where prev is not null and prev <> piece_start",
    )
    assert gaps == []


def test_business_minutes_are_a_difference_of_two_look_ups(build: Build) -> None:
    # The weekend ticket's resolution stretch (Friday 21:00 UTC -> Monday 16:00 UTC) spans
    # five pieces but is measured from the cumulative counts at its two ends.
    rows = _query(
        build,
        "select business_minutes, last_piece_no - first_piece_no"
        " from intermediate.int_sla__clock_intervals"
        " where ticket_id = 'WEEKEND' and metric = 'first_response'",
    )
    assert rows == [(90, 2)]


def test_a_calendar_that_crosses_midnight_is_rejected(tmp_path: Path) -> None:
    seeds = {**SEEDS, "business_calendars": [("CAL_A", "5", "22:00", "06:00")]}
    folder = replace(make_data_folder(tmp_path, seeds=seeds, lake={}), unchecked=True)
    # A run refuses it before anything is built ...
    lines = validate_folder(folder.seeds_dir).lines()
    closing = "business_calendars.csv line 2, column closes_at: 06:00 is not after opens_at 22:00"
    assert any(line.startswith(closing) for line in lines), lines
    # ... and the build's own test would catch it too.
    completed = run_dbt(folder, "build", "--select", "stg_reference__business_calendars")
    assert completed.returncode == 1
    assert "opening_hours_are_within_one_day" in completed.stdout


def test_a_misspelt_pause_status_is_rejected(tmp_path: Path) -> None:
    policies = [(*row[:5], "waiting customer", row[6]) for row in SEEDS["sla_policies"]]
    seeds = {**SEEDS, "sla_policies": policies}
    folder = replace(make_data_folder(tmp_path, seeds=seeds, lake={}), unchecked=True)
    assert validate_folder(folder.seeds_dir).lines()[0] == (
        "sla_policies.csv line 2, column pause_statuses: 'waiting customer' is not a status "
        "of the contract (New, In Progress, Waiting Customer, Waiting Vendor, Scheduled, "
        "Resolved, Closed) nor mapped to one in value_map.csv"
    )
    completed = run_dbt(folder, "build", "--select", "stg_reference__sla_policies")
    assert completed.returncode == 1
    assert "pause_statuses_are_open_statuses" in completed.stdout
