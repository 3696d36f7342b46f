"""A hand-countable data folder for the KPI and XLA marts.

Two clients and two engineers over one March 2024 week, written the way the ingest
writes the lake (see `dbt_fixtures`). The values asserted in `test_kpi_marts.py` are
worked out by hand from the rows below; the comments say what each row is there to prove.

Calendar of the week: Monday 4 March to Tuesday 12 March 2024. Friday 8 March is a
company holiday in Amsterdam (CAL_NL); the United States move to summer time on Sunday
10 March. `as_of` comes from the data: the latest `updated_at`, 2024-03-12 09:00 UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from dbt_fixtures import DataFolder, make_data_folder

Row = dict[str, Any]

SEEDS: dict[str, list[tuple[str, ...]]] = {
    "clients": [
        ("C1", "Acme", "Europe/Amsterdam", "CAL_NL", "gold", "2020-01-01", ""),
        # Contract from February: reported from February, not from January.
        ("C2", "Beta", "America/New_York", "CAL_US", "silver", "2024-02-01", ""),
        # No data at all, contract ended mid-February: two quiet months.
        ("C3", "Gamma", "Europe/Amsterdam", "CAL_NL", "bronze", "2019-01-01", "2024-02-15"),
    ],
    "engineers": [
        (
            "E1",
            "Ann",
            "service_desk",
            "engineer",
            "CAL_NL",
            "Europe/Amsterdam",
            "40",
            "75",
            "2022-01-01",
            "",
        ),
        # Starts on Wednesday 6 March, part time.
        (
            "E2",
            "Bob",
            "service_desk",
            "engineer",
            "CAL_US",
            "America/New_York",
            "20",
            "70",
            "2024-03-06",
            "",
        ),
    ],
    "business_calendars": [
        *[("CAL_NL", str(day), "09:00", "17:00") for day in range(1, 6)],
        *[("CAL_US", str(day), "08:00", "12:00") for day in range(1, 6)],
        *[("CAL_US", str(day), "13:00", "17:00") for day in range(1, 6)],
    ],
    "holidays": [
        ("CAL_NL", "2024-03-08", "Company Day"),
        ("CAL_NL", "2024-03-29", "Good Friday"),
    ],
    "engineer_leave": [("E1", "2024-03-05", "4")],
    "sla_policies": [
        (tier, priority, metric, "480", "business", "Waiting Customer", "90")
        for tier in ("gold", "silver", "bronze")
        for priority in ("P1", "P2", "P3", "P4")
        for metric in ("first_response", "resolution")
    ],
    "xla_targets": [
        ("gold", "happiness", ">=", "50", "3"),
        ("gold", "negative_follow_up_pct", ">=", "100", "1"),
        ("silver", "happiness", ">=", "50", "10"),
    ],
    # Switched off: these fixtures are not about timeslip flags.
    "timeslip_rules": [("excessive_day", "false", "error", "12", "", "", "More than 12 hours")],
    "timeslip_waivers": [],
}


def _ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def ticket(ticket_id: str, client_id: str, status: str, created: str, **extra: str) -> Row:
    """A tickets row; `updated_at` defaults to the creation."""
    return {
        "ticket_id": ticket_id,
        "client_id": client_id,
        "priority": extra.pop("priority", "P3"),
        "status": status,
        "created_at": _ts(created),
        "updated_at": _ts(extra.pop("updated", created)),
        **{k: _ts(v) if k.endswith("_at") else v for k, v in extra.items()},
    }


def event(event_id: str, ticket_id: str, at: str, old: str, new: str) -> Row:
    """A status change."""
    return {
        "event_id": event_id,
        "ticket_id": ticket_id,
        "occurred_at": _ts(at),
        "field": "status",
        "old_value": old,
        "new_value": new,
    }


TICKET_CLIENTS = {"T1": "C1", "T2": "C1", "T3": "C2"}


def timeslip(
    timeslip_id: str,
    engineer_id: str,
    ticket_id: str,
    work_date: str,
    worked: float,
    billed: float,
    billable: str,
    updated: str = "",
) -> Row:
    """A timeslips row entered at 18:00 UTC on its work date unless `updated` says later.

    Its start and end are irrelevant to the KPIs and sit at 12:00 UTC.
    """
    entered = updated or f"{work_date}T18:00:00+00:00"
    return {
        "timeslip_id": timeslip_id,
        "engineer_id": engineer_id,
        "ticket_id": ticket_id,
        "client_id": TICKET_CLIENTS.get(ticket_id, ""),
        "work_date": date.fromisoformat(work_date),
        "started_at": _ts(f"{work_date}T12:00:00+00:00"),
        "ended_at": _ts(f"{work_date}T12:00:00+00:00"),
        "hours_worked": worked,
        "hours_billed": billed,
        "billable": billable,
        "entered_at": _ts(entered),
        "updated_at": _ts(entered),
    }


def survey(
    response_id: str,
    survey_type: str,
    client_id: str,
    ticket_id: str,
    score: int,
    responded: str,
    follow_up: str = "",
) -> Row:
    """A surveys row."""
    return {
        "response_id": response_id,
        "survey_type": survey_type,
        "ticket_id": ticket_id,
        "client_id": client_id,
        "responded_at": _ts(responded),
        "score": score,
        "follow_up_at": _ts(follow_up),
    }


LAKE: dict[str, dict[str, list[Row]]] = {
    "tickets": {
        "tickets_20240312.csv": [
            # One engineer, one timeslip, never reopened: a first-contact resolution,
            # resolved after 90 minutes.
            ticket(
                "T1",
                "C1",
                "Closed",
                "2024-03-04T09:00:00+00:00",
                resolved_at="2024-03-04T10:30:00+00:00",
                closed_at="2024-03-05T09:00:00+00:00",
                updated="2024-03-05T09:00:00+00:00",
                assigned_engineer_id="E1",
            ),
            # Reopened once, resolved again two days after creation.
            ticket(
                "T2",
                "C1",
                "Resolved",
                "2024-03-04T10:00:00+00:00",
                resolved_at="2024-03-06T10:00:00+00:00",
                updated="2024-03-06T10:00:00+00:00",
                assigned_engineer_id="E1",
            ),
            # Still open.
            ticket(
                "T3",
                "C2",
                "In Progress",
                "2024-03-07T14:00:00+00:00",
                updated="2024-03-07T14:05:00+00:00",
                assigned_engineer_id="E2",
            ),
        ],
    },
    "ticket_events": {
        "ticket_events_20240312.csv": [
            event("e1", "T2", "2024-03-05T10:00:00+00:00", "In Progress", "Resolved"),
            event("e2", "T2", "2024-03-05T15:00:00+00:00", "Resolved", "In Progress"),
            event("e3", "T2", "2024-03-06T10:00:00+00:00", "In Progress", "Resolved"),
        ],
    },
    "timeslips": {
        "timeslips_20240312.csv": [
            timeslip("S1", "E1", "T1", "2024-03-04", 1.5, 1.5, "Billable"),
            timeslip("S2", "E1", "T2", "2024-03-05", 2.0, 2.0, "Billable"),
            # Billed on paper, but Do Not Bill: not in hours_billed.
            timeslip("S3", "E1", "T2", "2024-03-05", 1.0, 1.0, "Do Not Bill"),
            # Internal work on a Saturday.
            timeslip("S4", "E1", "", "2024-03-09", 1.0, 0.0, "Do Not Bill"),
            # The latest updated_at of all: as_of.
            timeslip("S5", "E2", "T3", "2024-03-07", 2.0, 1.0, "Billable", "2024-03-12T09:00Z"),
        ],
    },
    "surveys": {
        "surveys_20240312.csv": [
            # The first instant of the extracts' history: C1 is reported from January.
            survey("N0", "nps", "C1", "", 10, "2024-01-15T10:00:00+00:00"),
            # Friday 8 March is a holiday in Amsterdam: a negative answered on it, or on
            # the Thursday before, is due by the end of Monday 11 March.
            survey(
                "R1",
                "csat",
                "C1",
                "T1",
                2,
                "2024-03-08T14:00:00+00:00",
                "2024-03-11T09:00:00+00:00",
            ),
            survey(
                "R4",
                "csat",
                "C1",
                "T1",
                5,
                "2024-03-07T10:00:00+00:00",
                "2024-03-11T15:59:00+00:00",
            ),
            survey("R2", "csat", "C1", "T2", 10, "2024-03-08T15:00:00+00:00"),
            survey("R3", "csat", "C1", "T2", 9, "2024-03-08T16:00:00+00:00"),
            # Friday 16:00 in New York, due Monday 17:00 (summer time by then); followed
            # up on Tuesday: late.
            survey(
                "R5",
                "csat",
                "C2",
                "T3",
                3,
                "2024-03-08T21:00:00+00:00",
                "2024-03-12T13:00:00+00:00",
            ),
        ],
    },
}


def make_kpi_data_folder(root: Path) -> DataFolder:
    """Lay out a data folder, seeds folder and dbt target folder under `root`."""
    return make_data_folder(root, seeds=SEEDS, lake=LAKE)
