"""A hand-countable data folder for the monthly service reviews.

Two clients over March and early April 2024, written the way the ingest writes the lake
(see `dbt_fixtures`). The figures asserted in `test_reports.py` are worked out by hand
from the rows below; the comments say what each row is there to prove.

- C1 (Amsterdam, gold; its name holds markup) has a review for March and for April. In
  March: two tickets, one first response breached over a weekend, two negative csat
  answers (one followed up in time, one late), and an `error` timeslip flag that an
  auditor cleared: not a hold.
- C2 (New York, silver) has an `error` flag no auditor cleared in March: March is held;
  April is not.
- The experience insight of C1's March: three csat answers (T1 3, losing 90 minutes;
  T2 5, losing 30, and 9) and one csat survey never answered; C2 answered one survey in
  March (T4 10, losing 30), so the MSP's lost time spans both clients.
- `as_of` comes from the data: the latest `updated_at`, Wednesday 3 April 2024 12:00 UTC
  (14:00 in Amsterdam, summer time since 31 March), so April is the month to date.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from dbt_fixtures import DataFolder, make_data_folder

Row = dict[str, Any]

CLIENT_NAME = "Acme <Holdings> & Co"
SUBJECT = '<script>alert("subject")</script> Printer & scanner'
COMMENT = '<img src=x onerror=alert(1)> "not fixed" & angry'

SEEDS: dict[str, list[tuple[str, ...]]] = {
    "clients": [
        ("C1", CLIENT_NAME, "Europe/Amsterdam", "CAL_NL", "gold", "2024-01-01", ""),
        ("C2", "Beta Logistics", "America/New_York", "CAL_US", "silver", "2024-01-01", ""),
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
    ],
    "business_calendars": [
        *[("CAL_NL", str(day), "09:00", "17:00") for day in range(1, 6)],
        *[("CAL_US", str(day), "09:00", "17:00") for day in range(1, 6)],
    ],
    "holidays": [("CAL_NL", "2024-12-25", "Christmas Day")],
    "engineer_leave": [],
    # First response: 1 h at P2, 2 h at P3; resolution 8 h; 90 % of clocks per policy.
    "sla_policies": [
        (tier, priority, metric, minutes, "business", "Waiting Customer", "90")
        for tier in ("gold", "silver")
        for priority, metric, minutes in (
            ("P1", "first_response", "30"),
            ("P1", "resolution", "240"),
            ("P2", "first_response", "60"),
            ("P2", "resolution", "480"),
            ("P3", "first_response", "120"),
            ("P3", "resolution", "480"),
            ("P4", "first_response", "240"),
            ("P4", "resolution", "960"),
        )
    ],
    "xla_targets": [
        ("gold", "happiness", ">=", "30", "2"),
        ("gold", "nps", ">=", "20", "1"),
        ("gold", "negative_follow_up_pct", ">=", "90", "1"),
    ],
    # A verdict on fewer than 90 % of the surveys sent answered is low confidence.
    "msp_settings": [("low_confidence_response_rate_pct", "90")],
    # One rule, severity error: any hour billed over the hours worked.
    "timeslip_rules": [
        (
            "billed_over_worked",
            "true",
            "error",
            "0",
            "",
            "",
            "An entry's hours_billed exceeds its hours_worked by more than threshold hours.",
        )
    ],
    # The auditor cleared C1's flag: it holds nothing. C2's flag is not reviewed.
    "timeslip_waivers": [
        (
            "billed_over_worked",
            "S3",
            "cleared",
            "auditor@example.com",
            "2024-04-02T10:00:00+00:00",
            "Agreed surcharge for an on-site visit",
        )
    ],
}


def _ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def ticket(
    ticket_id: str,
    client_id: str,
    priority: str,
    status: str,
    subject: str,
    updated: str = "",
    category: str | None = None,
    channel: str | None = None,
    **times: str,
) -> Row:
    """A tickets row; `updated_at` defaults to the latest of its times."""
    stamps = {name: _ts(value) for name, value in times.items()}
    return {
        "ticket_id": ticket_id,
        "client_id": client_id,
        "priority": priority,
        "status": status,
        "subject": subject,
        "category": category,
        "channel": channel,
        "assigned_engineer_id": "E1",
        **stamps,
        "updated_at": _ts(updated) or max(v for v in stamps.values() if v is not None),
    }


def timeslip(
    timeslip_id: str,
    ticket_id: str,
    client_id: str,
    started: str,
    worked: float,
    billed: float,
    billable: str,
) -> Row:
    """A timeslips row of E1, entered the evening it was worked."""
    start = _ts(started)
    assert start is not None
    return {
        "timeslip_id": timeslip_id,
        "engineer_id": "E1",
        "ticket_id": ticket_id,
        "client_id": client_id,
        "work_date": start.date(),
        "started_at": start,
        "ended_at": start.replace(hour=start.hour + 1),
        "hours_worked": worked,
        "hours_billed": billed,
        "billable": billable,
        "notes": "Diagnosed and fixed the reported fault on site",
        "entered_at": start.replace(hour=20),
        "updated_at": start.replace(hour=20),
    }


def survey(
    response_id: str,
    survey_type: str,
    ticket_id: str,
    score: int | None,
    responded: str,
    sent: str,
    **extra: Any,
) -> Row:
    """A surveys row, of C1 unless `client_id` says otherwise; not answered when
    `responded` is empty."""
    return {
        "response_id": response_id,
        "survey_type": survey_type,
        "ticket_id": ticket_id,
        "client_id": "C1",
        "sent_at": _ts(sent),
        "responded_at": _ts(responded),
        "score": score,
        "follow_up_at": _ts(extra.pop("follow_up", None)),
        **extra,
    }


LAKE: dict[str, dict[str, list[Row]]] = {
    "tickets": {
        "tickets_20240403.csv": [
            # Friday 1 March 17:40 in Amsterdam, after closing; first response on Monday
            # 12:10: 3 h 10 m of business time against 2 h. Breached; resolved Monday
            # 13:00 (4 h of business time, within 8 h).
            ticket(
                "T1",
                "C1",
                "P3",
                "Closed",
                SUBJECT,
                category="hardware",
                channel="phone",
                created_at="2024-03-01T16:40:00+00:00",
                first_response_at="2024-03-04T11:10:00+00:00",
                resolved_at="2024-03-04T12:00:00+00:00",
                closed_at="2024-03-05T12:00:00+00:00",
            ),
            # Tuesday 5 March 10:00: answered in 20 minutes, resolved by 14:00. Met.
            ticket(
                "T2",
                "C1",
                "P2",
                "Resolved",
                "VPN drops every hour",
                category="network",
                channel="email",
                created_at="2024-03-05T09:00:00+00:00",
                first_response_at="2024-03-05T09:20:00+00:00",
                resolved_at="2024-03-05T13:00:00+00:00",
            ),
            # Tuesday 2 April 10:00 (summer time), still open at as_of, Wednesday 14:00:
            # 7 h on Tuesday and 5 h on Wednesday of business time, over its 8 h.
            ticket(
                "T5",
                "C1",
                "P3",
                "In Progress",
                "Laptop will not dock",
                created_at="2024-04-02T08:00:00+00:00",
                first_response_at="2024-04-02T08:30:00+00:00",
                updated="2024-04-03T12:00:00+00:00",
            ),
            # C2, Wednesday 6 March 10:00 in New York: met both clocks.
            ticket(
                "T4",
                "C2",
                "P3",
                "Resolved",
                "New starter account",
                category="access",
                channel="portal",
                created_at="2024-03-06T15:00:00+00:00",
                first_response_at="2024-03-06T15:30:00+00:00",
                resolved_at="2024-03-06T18:00:00+00:00",
            ),
        ],
    },
    "ticket_events": {"ticket_events_20240403.csv": []},
    "timeslips": {
        "timeslips_20240403.csv": [
            timeslip("S1", "T1", "C1", "2024-03-04T10:00:00+00:00", 2.0, 2.0, "Billable"),
            # Billed over worked, but cleared by the auditor: flagged, not held.
            timeslip("S3", "T2", "C1", "2024-03-05T10:00:00+00:00", 1.0, 1.25, "Billable"),
            timeslip("S4", "T2", "C1", "2024-03-05T12:00:00+00:00", 0.5, 0.0, "No Charge"),
            # Billed over worked and not reviewed: C2's March is held.
            timeslip("S2", "T4", "C2", "2024-03-06T16:00:00+00:00", 1.0, 1.5, "Billable"),
        ],
    },
    "surveys": {
        "surveys_20240403.csv": [
            # Monday 4 March 14:00, due by the end of Tuesday (17:00); followed up
            # Tuesday 16:00: in time. 90 minutes lost.
            survey(
                "R1",
                "csat",
                "T1",
                3,
                "2024-03-04T13:00:00+00:00",
                "2024-03-04T12:00:00+00:00",
                lost_time_minutes=90.0,
                follow_up="2024-03-05T15:00:00+00:00",
                comment=COMMENT,
                follow_up_by="E1",
                follow_up_outcome="Called back & apologised",
            ),
            # Friday 8 March 11:00, due by the end of Monday 11 March; followed up on
            # Tuesday 10:00: late. 30 minutes lost.
            survey(
                "R2",
                "csat",
                "T2",
                5,
                "2024-03-08T10:00:00+00:00",
                "2024-03-08T09:00:00+00:00",
                lost_time_minutes=30.0,
                follow_up="2024-03-12T09:00:00+00:00",
                follow_up_by="E1",
                follow_up_outcome="Explained the VPN change",
            ),
            # No lost-time estimate: T2's figure stays R2's 30 minutes.
            survey("R3", "csat", "T2", 9, "2024-03-08T11:00:00+00:00", "2024-03-08T10:00:00+00:00"),
            survey("R4", "nps", "", 10, "2024-03-10T10:00:00+00:00", "2024-03-10T09:00:00+00:00"),
            # Sent and never answered: C1's csat surveys of March are 3 answered of 4.
            survey("R6", "csat", "T1", None, "", "2024-03-20T10:00:00+00:00"),
            # C2's one answer, on T4 (Thursday 7 March 10:00 in New York): 30 minutes lost.
            survey(
                "R5",
                "csat",
                "T4",
                10,
                "2024-03-07T15:00:00+00:00",
                "2024-03-07T14:00:00+00:00",
                client_id="C2",
                lost_time_minutes=30.0,
            ),
        ],
    },
}

MARCH, APRIL = date(2024, 3, 1), date(2024, 4, 1)


def make_report_data_folder(root: Path) -> DataFolder:
    """Lay out a data folder, seeds folder and dbt target folder under `root`."""
    return make_data_folder(root, seeds=SEEDS, lake=LAKE)
