"""A hand-made data folder on which every timeslip rule must fire, and must not.

Each engineer is there for one rule (engineer E08 for round_heaping, with teammate E09;
E12 is E11's peer for effort_outlier). Each ticket has a category of its own unless a
case needs peers, so effort_outlier compares only the tickets meant to be compared, and
every engineer but E08 and E09 is alone in a team, so round_heaping judges only them.
Tickets are open from 2026-01-01 unless a case says otherwise, and an entry is entered
five minutes after it ends unless a case says otherwise.

London is on UTC in winter and on UTC+1 from 29 March (the night the clocks go forward);
New York is UTC-5, Berlin UTC+1 in winter. The comment on each case says why it fires or
why it must not; `EXPECTED_FLAGS` is the whole set of flags the build must raise.

Engineers judged around their billable goal (exact_target, post_target_slowdown) are
judged over their goal period: the MSP's default, the calendar month, unless the engineer
has a `billable_goal_period` of its own (E13 a week, E18 a quarter).

The rules' thresholds are the demo's (`seeds/timeslip_rules.csv`) except where a rule
needs many rows to show: bulk_backfill wants 3 entries in a sitting (not 10),
round_heaping 5 entries a month (not 20), exact_target 3 days worked (not 5), and
post_target_slowdown 1 hour worked after the target (not 4).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from dbt_fixtures import DataFolder, Row, make_data_folder, ticket

LONG_NOTE = "Checked the logs, applied the fix and confirmed with the user"
OPEN_SINCE = "2026-01-01T00:00:00+00:00"


def _engineer(
    engineer_id: str,
    timezone: str,
    calendar_id: str,
    *,
    team: str = "",
    weekly_hours: str = "40",
    target_pct: str = "75",
    goal_period: str = "",
) -> tuple[str, ...]:
    return (
        engineer_id,
        f"Engineer {engineer_id}",
        team or f"team_{engineer_id}",
        "engineer",
        calendar_id,
        timezone,
        weekly_hours,
        target_pct,
        "2025-01-01",
        "",
        goal_period,
    )


RULES: list[tuple[str, ...]] = [
    ("overlap", "true", "error", "5", "", "", "Overlap of more than 5 minutes."),
    ("excessive_day", "true", "warn", "12", "", "", "More than 12 hours in a day."),
    ("billed_over_worked", "true", "error", "0", "", "", "Billed more than worked."),
    ("duplicate", "true", "error", "", "", "", "The same entry twice."),
    ("outside_ticket_life", "true", "error", "24", "", "", "Outside the ticket's life."),
    ("late_entry", "true", "warn", "5", "", "", "Entered more than 5 business days late."),
    ("bulk_backfill", "true", "warn", "3", "7", "60", "3 old entries within 60 minutes."),
    ("round_heaping", "true", "warn", "0.8", "3.0", "5", "Round durations."),
    ("exact_target", "true", "warn", "0.6", "", "3", "Billing exactly the target."),
    ("effort_outlier", "true", "warn", "5", "4", "", "Far more hours than peers."),
    ("post_target_slowdown", "true", "warn", "0.4", "2", "1", "Slower after the target."),
    ("off_hours_without_ticket", "true", "warn", "15", "", "", "Off hours, no open ticket."),
    ("vague_note", "true", "warn", "2", "15", "", "Long entries with vague notes."),
]

WAIVERS: list[tuple[str, ...]] = [
    # Confirmed first, cleared later: the later decision stands.
    (
        "billed_over_worked",
        "BO1",
        "confirmed",
        "auditor.a",
        "2026-02-01T10:00:00+00:00",
        "Over-billed on the invoice",
    ),
    (
        "billed_over_worked",
        "BO1",
        "cleared",
        "auditor.b",
        "2026-02-05T10:00:00+00:00",
        "Minimum charge agreed with the client",
    ),
    # Two decisions at the same instant: the cautious one (confirmed) stands.
    (
        "excessive_day",
        "E03|2026-01-14",
        "cleared",
        "auditor.a",
        "2026-02-02T09:00:00+00:00",
        "Outage",
    ),
    (
        "excessive_day",
        "E03|2026-01-14",
        "confirmed",
        "auditor.b",
        "2026-02-02T09:00:00+00:00",
        "No outage that day",
    ),
    # A decision on something that is not flagged changes nothing.
    ("overlap", "OV4", "cleared", "auditor.a", "2026-02-02T09:00:00+00:00", "Handover"),
]

SEEDS: dict[str, list[tuple[str, ...]]] = {
    "clients": [
        ("C1", "London Ltd", "Europe/London", "CAL_UK", "gold", "2024-01-01", ""),
        ("C2", "New York Inc", "America/New_York", "CAL_US", "silver", "2024-01-01", ""),
        ("C3", "Sydney Pty", "Australia/Sydney", "CAL_UK", "bronze", "2024-01-01", ""),
    ],
    "engineers": [
        _engineer("E01", "Europe/London", "CAL_UK"),
        _engineer("E02", "Europe/London", "CAL_UK"),
        _engineer("E03", "America/New_York", "CAL_US"),
        _engineer("E04", "Europe/London", "CAL_UK"),
        _engineer("E05", "Europe/London", "CAL_UK"),
        _engineer("E06", "America/New_York", "CAL_US"),
        _engineer("E07", "Europe/London", "CAL_UK"),
        _engineer("E08", "Europe/London", "CAL_UK", team="desk_b"),
        _engineer("E09", "Europe/London", "CAL_UK", team="desk_b"),
        # Daily billable target 40 x 50 / 100 / 5 = 4 h.
        _engineer("E10", "Europe/London", "CAL_UK", target_pct="50"),
        _engineer("E11", "Europe/London", "CAL_UK"),
        _engineer("E12", "Europe/London", "CAL_UK"),
        # A weekly billable goal: 2 h available a weekday (10 h over five 8.5-hour
        # days), 10 h a full week x 50 / 100 = 5 h.
        _engineer(
            "E13", "Europe/London", "CAL_UK", weekly_hours="10", target_pct="50", goal_period="week"
        ),
        _engineer("E14", "Europe/Berlin", "CAL_DE"),
        _engineer("E15", "Europe/London", "CAL_UK"),
        # Monthly goals (the MSP's default): 2 h available a weekday; March 2026 has 22
        # weekdays and no holiday: 44 h x 50 / 100 = 22 h.
        _engineer("E16", "Europe/London", "CAL_UK", weekly_hours="10", target_pct="50"),
        _engineer("E17", "Europe/London", "CAL_UK", weekly_hours="10", target_pct="50"),
        # A quarterly goal: the first quarter of 2026 has 21 + 20 + 22 = 63 weekdays after
        # the New Year's Day holiday: 126 h x 50 / 100 = 63 h.
        _engineer(
            "E18",
            "Europe/London",
            "CAL_UK",
            weekly_hours="10",
            target_pct="50",
            goal_period="quarter",
        ),
    ],
    "business_calendars": [
        *[("CAL_UK", str(day), "09:00", "17:30") for day in range(1, 6)],
        *[("CAL_US", str(day), "08:00", "18:00") for day in range(1, 6)],
        # Closed for lunch.
        *[("CAL_DE", str(day), "08:00", "12:00") for day in range(1, 6)],
        *[("CAL_DE", str(day), "13:00", "17:00") for day in range(1, 6)],
    ],
    "holidays": [
        ("CAL_UK", "2026-01-01", "New Year's Day"),
        ("CAL_US", "2026-01-19", "Martin Luther King Jr. Day"),
        ("CAL_DE", "2026-01-06", "Heilige Drei Koenige"),
    ],
    "engineer_leave": [],
    # Every ticket has both SLA clocks; their values do not matter to the rules.
    "sla_policies": [
        (tier, priority, metric, "480", "business", "Waiting Customer", "90")
        for tier in ("gold", "silver", "bronze")
        for priority in ("P1", "P2", "P3", "P4")
        for metric in ("first_response", "resolution")
    ],
    "xla_targets": [("gold", "happiness", ">=", "30", "5")],
    "timeslip_rules": RULES,
    "timeslip_waivers": WAIVERS,
}


def _ticket(
    ticket_id: str,
    client_id: str,
    category: str,
    *,
    priority: str = "P3",
    created: str = OPEN_SINCE,
    closed: str = "",
) -> Row:
    """A ticket, open unless it has a closing time."""
    if closed:
        return ticket(
            ticket_id,
            client_id,
            "Closed",
            created,
            closed,
            priority=priority,
            category=category,
            resolved_at=closed,
            closed_at=closed,
        )
    return ticket(
        ticket_id, client_id, "In Progress", created, created, priority=priority, category=category
    )


TICKETS: list[Row] = [
    _ticket("TK01", "C1", "cat_overlap"),
    _ticket("TK02A", "C1", "cat_duplicate"),
    _ticket("TK02B", "C1", "cat_duplicate_b"),
    _ticket("TK03", "C2", "cat_excessive"),
    _ticket("TK04", "C1", "cat_billed"),
    _ticket("TK04C", "C3", "cat_billed_c3"),
    _ticket(
        "TK05A",
        "C1",
        "cat_life",
        created="2026-01-20T10:00:30+00:00",
        closed="2026-01-21T12:00:00+00:00",
    ),
    # Reopened after closing: the latest version has no closing time.
    _ticket("TK05B", "C1", "cat_life_b"),
    _ticket("TK06", "C2", "cat_late"),
    _ticket("TK07", "C1", "cat_backfill"),
    _ticket("TK08", "C1", "cat_heap"),
    _ticket("TK09", "C1", "cat_heap_b"),
    _ticket("TK10", "C1", "cat_exact"),
    *[_ticket(f"TKN{n}", "C1", "network") for n in range(1, 7)],
    *[_ticket(f"TKP{n}", "C1", "printing", priority="P4") for n in range(1, 4)],
    _ticket("TK13", "C1", "cat_slowdown"),
    _ticket("TK14", "C1", "cat_off_hours"),
    _ticket(
        "TK14B",
        "C1",
        "cat_off_hours_b",
        created="2026-01-15T09:00:00+00:00",
        closed="2026-01-18T08:50:00+00:00",
    ),
    _ticket("TK15", "C1", "cat_vague"),
    _ticket("TK16", "C1", "cat_goal_month"),
    _ticket("TK17", "C1", "cat_goal_even"),
    _ticket("TK18", "C1", "cat_goal_quarter"),
]
TICKET_CLIENTS = {t["ticket_id"]: t["client_id"] for t in TICKETS}


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def slip(
    timeslip_id: str,
    engineer_id: str,
    start: str,
    end: str,
    *,
    ticket_id: str = "",
    billed: float | None = None,
    notes: str = LONG_NOTE,
    entered: str = "",
) -> Row:
    """A timeslip; times are ISO 8601 with the engineer's UTC offset, so the work date is
    the date written. Worked hours follow from the times (to the hundredth), billed
    hours equal them unless given."""
    started, ended = _instant(start), _instant(end)
    worked = round((ended - started).total_seconds() / 3600, 2)
    entered_at = _instant(entered) if entered else ended + timedelta(minutes=5)
    return {
        "timeslip_id": timeslip_id,
        "engineer_id": engineer_id,
        "ticket_id": ticket_id,
        "client_id": TICKET_CLIENTS.get(ticket_id, ""),
        "work_date": date.fromisoformat(start[:10]),
        "started_at": started,
        "ended_at": ended,
        "hours_worked": worked,
        "hours_billed": worked if billed is None else billed,
        "billable": "Billable" if ticket_id else "Do Not Bill",
        "notes": notes,
        "entered_at": entered_at,
        "updated_at": entered_at,
    }


def _uk(day: str, start: str, end: str) -> tuple[str, str]:
    return f"{day}T{start}:00+00:00", f"{day}T{end}:00+00:00"


def _ny(day: str, start: str, end: str) -> tuple[str, str]:
    return f"{day}T{start}:00-05:00", f"{day}T{end}:00-05:00"


def _de(day: str, start: str, end: str) -> tuple[str, str]:
    return f"{day}T{start}:00+01:00", f"{day}T{end}:00+01:00"


def _slowdown_week(first: int, monday: str, after_hours: float, after_billed: float) -> list[Row]:
    """E13's week: 3 h and 2 h billed in full on Monday and Tuesday (5 h, the weekly
    target, reached at Tuesday 11:00), then `after_hours` worked on Wednesday."""
    tuesday = (date.fromisoformat(monday) + timedelta(days=1)).isoformat()
    wednesday = (date.fromisoformat(monday) + timedelta(days=2)).isoformat()
    after_end = (datetime(2000, 1, 1, 9) + timedelta(hours=after_hours)).strftime("%H:%M")
    return [
        slip(f"PS{first}", "E13", *_uk(monday, "09:00", "12:00"), ticket_id="TK13"),
        slip(f"PS{first + 1}", "E13", *_uk(tuesday, "09:00", "11:00"), ticket_id="TK13"),
        slip(
            f"PS{first + 2}",
            "E13",
            *_uk(wednesday, "09:00", after_end),
            ticket_id="TK13",
            billed=after_billed,
        ),
    ]


def _days(first: str, last: str) -> list[str]:
    """The weekdays from `first` to `last`, both included."""
    day, end, found = date.fromisoformat(first), date.fromisoformat(last), []
    while day <= end:
        if day.isoweekday() <= 5:
            found.append(day.isoformat())
        day += timedelta(days=1)
    return found


TIMESLIPS: list[Row] = [
    # -- overlap (E01) -----------------------------------------------------------------
    slip("OV1", "E01", *_uk("2026-01-12", "09:00", "10:00"), ticket_id="TK01"),
    # Starts 6 minutes before OV1 ends: fires.
    slip("OV2", "E01", *_uk("2026-01-12", "09:54", "10:30"), ticket_id="TK01"),
    slip("OV3", "E01", *_uk("2026-01-12", "11:00", "12:00"), ticket_id="TK01"),
    # Exactly 5 minutes: not more than the threshold.
    slip("OV4", "E01", *_uk("2026-01-12", "11:55", "12:30"), ticket_id="TK01"),
    slip("OV5", "E01", *_uk("2026-01-13", "13:00", "16:00"), ticket_id="TK01"),
    # Wholly inside OV5: 15 minutes of overlap.
    slip("OV6", "E01", *_uk("2026-01-13", "13:30", "13:45"), ticket_id="TK01"),
    # Clear of OV6, the entry before it, but inside OV5: the running latest end finds it.
    slip("OV7", "E01", *_uk("2026-01-13", "14:00", "14:20"), ticket_id="TK01"),
    # The night the clocks go forward: OV8 runs 00:30-02:30 UTC, OV9 01:20-02:00 UTC.
    slip("OV8", "E01", "2026-03-29T00:30:00+00:00", "2026-03-29T03:30:00+01:00", ticket_id="TK01"),
    slip("OV9", "E01", "2026-03-29T02:20:00+01:00", "2026-03-29T03:00:00+01:00", ticket_id="TK01"),
    # The night the clocks go back: on the wall clock 01:20-01:40 lies inside 01:10-01:50,
    # but OV10 is 00:10-00:50 UTC and OV11 01:20-01:40 UTC. No overlap.
    slip("OV10", "E01", "2026-10-25T01:10:00+01:00", "2026-10-25T01:50:00+01:00", ticket_id="TK01"),
    slip("OV11", "E01", "2026-10-25T01:20:00+00:00", "2026-10-25T01:40:00+00:00", ticket_id="TK01"),
    # -- duplicate (E02) ---------------------------------------------------------------
    slip("DU1", "E02", *_uk("2026-01-14", "10:00", "10:30"), ticket_id="TK02A"),
    # Entered again five minutes later: a duplicate, and a full overlap.
    slip(
        "DU2",
        "E02",
        *_uk("2026-01-14", "10:00", "10:30"),
        ticket_id="TK02A",
        entered="2026-01-14T10:40:00+00:00",
    ),
    slip("DU3", "E02", *_uk("2026-01-14", "11:00", "11:30"), ticket_id="TK02A"),
    # Same times on another ticket: not a duplicate, but an overlap.
    slip(
        "DU4",
        "E02",
        *_uk("2026-01-14", "11:00", "11:30"),
        ticket_id="TK02B",
        entered="2026-01-14T11:36:00+00:00",
    ),
    # Internal work twice: no ticket on either is the same ticket.
    slip("DU5", "E02", *_uk("2026-01-14", "12:00", "12:20")),
    slip("DU6", "E02", *_uk("2026-01-14", "12:00", "12:20"), entered="2026-01-14T12:30:00+00:00"),
    # -- excessive_day (E03, New York) -------------------------------------------------
    # 6 h + 6 h = 12 h exactly: not more than 12. Out of hours, but on an open ticket.
    slip("EX1", "E03", *_ny("2026-01-13", "07:00", "13:00"), ticket_id="TK03"),
    slip("EX2", "E03", *_ny("2026-01-13", "13:00", "19:00"), ticket_id="TK03"),
    # 6 h + 6.02 h (6 h 1 min) = 12.02 h: fires.
    slip("EX3", "E03", *_ny("2026-01-14", "07:00", "13:00"), ticket_id="TK03"),
    slip("EX4", "E03", *_ny("2026-01-14", "13:00", "19:01"), ticket_id="TK03"),
    # -- billed_over_worked (E04) ------------------------------------------------------
    slip("BO1", "E04", *_uk("2026-01-15", "09:00", "10:00"), ticket_id="TK04", billed=1.25),
    slip("BO2", "E04", *_uk("2026-01-15", "10:00", "11:00"), ticket_id="TK04", billed=1.0),
    # 0.1 + 0.2 is 0.30000000000000004 in floating point: not more than 0.3.
    slip("BO3", "E04", *_uk("2026-01-15", "11:00", "11:18"), ticket_id="TK04", billed=0.1 + 0.2),
    # For a Sydney client: 14:00 UTC on 31 January is 01:00 on 1 February there.
    slip("BO4", "E04", *_uk("2026-01-31", "14:00", "15:00"), ticket_id="TK04C", billed=1.5),
    # -- outside_ticket_life (E05); TK05A created 10:00:30 on 20 Jan, closed 12:00 on 21 Jan
    # Starts half an hour before the minute the ticket was created: fires.
    slip("OL1", "E05", *_uk("2026-01-20", "09:30", "09:55"), ticket_id="TK05A"),
    # Starts in the minute the ticket was created: not before it.
    slip("OL2", "E05", *_uk("2026-01-20", "10:00", "10:20"), ticket_id="TK05A"),
    # Ends exactly 24 h after closing: not more than 24.
    slip("OL3", "E05", *_uk("2026-01-22", "11:30", "12:00"), ticket_id="TK05A"),
    # Ends 45.5 h after closing: fires.
    slip("OL4", "E05", *_uk("2026-01-23", "09:00", "09:30"), ticket_id="TK05A"),
    # A reopened ticket has no closing time.
    slip("OL5", "E05", *_uk("2026-01-26", "10:00", "10:30"), ticket_id="TK05B"),
    # A ticket not in the extracts is not judged.
    slip("OL6", "E05", *_uk("2026-01-26", "11:00", "11:30"), ticket_id="TK_UNKNOWN"),
    # -- late_entry (E06, New York; 19 January is a holiday) ---------------------------
    # Work of Wed 14 Jan. Open days after it: 15, 16, 20, 21, 22 Jan, 23 Jan.
    # Entered on Thu 22 Jan: 5 business days (6 without the holiday). Not late.
    slip(
        "LE1",
        "E06",
        *_ny("2026-01-14", "09:00", "09:30"),
        ticket_id="TK06",
        entered="2026-01-22T15:00:00+00:00",
    ),
    # 03:00 UTC on 23 Jan is 22:00 on the 22nd in New York: still 5.
    slip(
        "LE2",
        "E06",
        *_ny("2026-01-14", "10:00", "10:30"),
        ticket_id="TK06",
        entered="2026-01-23T03:00:00+00:00",
    ),
    # Entered on Fri 23 Jan: 6 business days. Fires.
    slip(
        "LE3",
        "E06",
        *_ny("2026-01-14", "11:00", "11:30"),
        ticket_id="TK06",
        entered="2026-01-23T15:00:00+00:00",
    ),
    # -- bulk_backfill (E07): 3 entries for work at least 7 days old within 60 minutes ---
    # Work of Fri 6 Feb entered on Fri 13 Feb (7 days; 5 business days, so not late),
    # at 10:00, 10:30 and 11:00: the window of exactly 60 minutes holds all three.
    *[
        slip(
            f"BB{n}",
            "E07",
            *_uk("2026-02-06", f"{8 + n:02d}:00", f"{8 + n:02d}:20"),
            ticket_id="TK07",
            entered=entered,
        )
        for n, entered in (
            (1, "2026-02-13T10:00:00+00:00"),
            (2, "2026-02-13T10:30:00+00:00"),
            (3, "2026-02-13T11:00:00+00:00"),
        )
    ],
    # At 14:00, 14:30 and 15:01: no 60 minutes hold three.
    *[
        slip(
            f"BB{n}",
            "E07",
            *_uk("2026-02-06", f"{8 + n:02d}:00", f"{8 + n:02d}:20"),
            ticket_id="TK07",
            entered=entered,
        )
        for n, entered in (
            (4, "2026-02-13T14:00:00+00:00"),
            (5, "2026-02-13T14:30:00+00:00"),
            (6, "2026-02-13T15:01:00+00:00"),
        )
    ],
    # Work of Sat 7 Feb, 6 days old: three in 20 minutes, but not old enough.
    *[
        slip(
            f"BB{n}",
            "E07",
            *_uk("2026-02-07", f"{3 + n:02d}:00", f"{3 + n:02d}:20"),
            ticket_id="TK07",
            entered=entered,
        )
        for n, entered in (
            (7, "2026-02-13T16:00:00+00:00"),
            (8, "2026-02-13T16:10:00+00:00"),
            (9, "2026-02-13T16:20:00+00:00"),
        )
    ],
    # -- round_heaping (E08, teammate E09 in desk_b) -----------------------------------
    # February: 4 of E08's 5 entries on whole or half hours (0.8, the threshold); the
    # rest of the team (E09) 2 of 10 (0.2): 0.8 >= 3 x 0.2. Fires.
    slip("RH1", "E08", *_uk("2026-02-02", "09:00", "09:30"), ticket_id="TK08"),
    slip("RH2", "E08", *_uk("2026-02-02", "10:00", "11:00"), ticket_id="TK08"),
    slip("RH3", "E08", *_uk("2026-02-03", "09:00", "10:30"), ticket_id="TK08"),
    slip("RH4", "E08", *_uk("2026-02-03", "11:00", "11:30"), ticket_id="TK08"),
    slip("RH5", "E08", *_uk("2026-02-04", "09:00", "09:45"), ticket_id="TK08"),
    slip("RH11", "E09", *_uk("2026-02-02", "09:00", "09:30"), ticket_id="TK09"),
    slip("RH12", "E09", *_uk("2026-02-02", "10:00", "11:00"), ticket_id="TK09"),
    *[
        slip(f"RH{13 + n}", "E09", *_uk(day, start, end), ticket_id="TK09")
        for n, (day, start, end) in enumerate(
            (day, start, end)
            for day in ("2026-02-03", "2026-02-04")
            for start, end in (
                ("09:00", "09:24"),
                ("09:30", "09:54"),
                ("10:00", "10:24"),
                ("10:30", "10:54"),
            )
        )
    ],
    # March: all 4 of E08's entries round, none of E09's 2, but 4 entries are fewer than
    # the 5 a month needs.
    slip("RH6", "E08", *_uk("2026-03-02", "09:00", "09:30"), ticket_id="TK08"),
    slip("RH7", "E08", *_uk("2026-03-02", "10:00", "11:00"), ticket_id="TK08"),
    slip("RH8", "E08", *_uk("2026-03-03", "09:00", "10:00"), ticket_id="TK08"),
    slip("RH9", "E08", *_uk("2026-03-03", "11:00", "11:30"), ticket_id="TK08"),
    slip("RH21", "E09", *_uk("2026-03-02", "09:00", "09:24"), ticket_id="TK09"),
    slip("RH22", "E09", *_uk("2026-03-03", "09:00", "09:24"), ticket_id="TK09"),
    # -- exact_target (E10, daily target 4 h; alone in a team, so never heaping) ------
    # February: exactly 4 h billed on 3 of 5 days worked (0.6, the threshold). Fires.
    slip("ET1", "E10", *_uk("2026-02-02", "09:00", "13:00"), ticket_id="TK10"),
    slip("ET2", "E10", *_uk("2026-02-03", "09:00", "13:00"), ticket_id="TK10"),
    slip("ET3", "E10", *_uk("2026-02-04", "09:00", "13:00"), ticket_id="TK10"),
    slip("ET4", "E10", *_uk("2026-02-05", "09:00", "12:30"), ticket_id="TK10"),
    slip("ET5", "E10", *_uk("2026-02-06", "09:00", "12:30"), ticket_id="TK10"),
    # March: exact on both days worked, but 2 days are fewer than the 3 a month needs.
    slip("ET6", "E10", *_uk("2026-03-02", "09:00", "13:00"), ticket_id="TK10"),
    slip("ET7", "E10", *_uk("2026-03-03", "09:00", "13:00"), ticket_id="TK10"),
    # -- effort_outlier (E11, peers E12) -----------------------------------------------
    # P3 network, per engineer and ticket: E11 6 h on TKN1; E12 1 h on each of TKN2-5 and
    # 5 h on TKN6. Median of (1, 1, 1, 1, 5, 6) = 1 h. 6 h > 5 x 1 h and >= 4 h: fires.
    # 5 h is not more than 5 x 1 h.
    slip("EO1", "E11", *_uk("2026-02-09", "09:00", "11:00"), ticket_id="TKN1"),
    slip("EO2", "E11", *_uk("2026-02-10", "09:00", "11:00"), ticket_id="TKN1"),
    slip("EO3", "E11", *_uk("2026-02-11", "09:00", "11:00"), ticket_id="TKN1"),
    slip("EO11", "E12", *_uk("2026-02-09", "09:00", "10:00"), ticket_id="TKN2"),
    slip("EO12", "E12", *_uk("2026-02-09", "10:00", "11:00"), ticket_id="TKN3"),
    slip("EO13", "E12", *_uk("2026-02-10", "09:00", "10:00"), ticket_id="TKN4"),
    slip("EO14", "E12", *_uk("2026-02-10", "10:00", "11:00"), ticket_id="TKN5"),
    slip("EO15", "E12", *_uk("2026-02-11", "09:00", "11:00"), ticket_id="TKN6"),
    slip("EO16", "E12", *_uk("2026-02-11", "11:00", "13:00"), ticket_id="TKN6"),
    slip("EO17", "E12", *_uk("2026-02-12", "09:00", "10:00"), ticket_id="TKN6"),
    # P4 printing: E11 3.5 h on TKP1, E12 0.5 h on TKP2 and TKP3. Median 0.5 h: 7 times
    # the median, but under the 4 h floor.
    slip("EO4", "E11", *_uk("2026-02-12", "09:00", "11:00"), ticket_id="TKP1"),
    slip("EO5", "E11", *_uk("2026-02-12", "11:00", "12:30"), ticket_id="TKP1"),
    slip("EO18", "E12", *_uk("2026-02-12", "10:00", "10:30"), ticket_id="TKP2"),
    slip("EO19", "E12", *_uk("2026-02-12", "10:30", "11:00"), ticket_id="TKP3"),
    # -- post_target_slowdown (E13, weekly target 5 h) ---------------------------------
    # W06 and W07: 2 h worked after the target, billed 0.5 h: 0.25 per hour against 1.0
    # before, 75 % slower. Two weeks in a row: both fire.
    *_slowdown_week(1, "2026-02-02", 2, 0.5),
    *_slowdown_week(4, "2026-02-09", 2, 0.5),
    # W08: 0.7 per hour after, 30 % slower: not enough.
    *_slowdown_week(7, "2026-02-16", 2, 1.4),
    # W09: 75 % slower, but alone (W08 and W10 are not).
    *_slowdown_week(10, "2026-02-23", 2, 0.5),
    # W11 and W12: 0.6 per hour after, exactly 40 % slower, two weeks in a row: fire.
    *_slowdown_week(13, "2026-03-09", 2, 1.2),
    *_slowdown_week(16, "2026-03-16", 2, 1.2),
    # W14: nothing billed after, but only 0.5 h worked after (1 h needed); so W15, 75 %
    # slower, stands alone.
    *_slowdown_week(19, "2026-03-30", 0.5, 0),
    *_slowdown_week(22, "2026-04-06", 2, 0.5),
    # -- off_hours_without_ticket (E14, Berlin; open 08-12 and 13-17; 6 Jan a holiday) ---
    # Internal work 17:00-17:16: 16 minutes after closing. Fires.
    slip("OH1", "E14", *_de("2026-01-13", "17:00", "17:16")),
    # 16:50-17:05: 5 minutes out.
    slip("OH2", "E14", *_de("2026-01-14", "16:50", "17:05")),
    # Over lunch, 12:00-12:15: exactly 15 minutes out, not more.
    slip("OH3", "E14", *_de("2026-01-13", "12:00", "12:15")),
    # A Saturday: all 60 minutes out. Fires.
    slip("OH4", "E14", *_de("2026-01-17", "10:00", "11:00")),
    # A holiday, Tuesday 6 January. Fires.
    slip("OH5", "E14", *_de("2026-01-06", "10:00", "10:30")),
    # Saturday work on an open ticket: on-call work.
    slip("OH6", "E14", *_de("2026-01-17", "14:00", "15:00"), ticket_id="TK14"),
    # Sunday work on a ticket closed at 09:50 local that morning. Fires (and is well
    # within outside_ticket_life's 24 hours).
    slip("OH7", "E14", *_de("2026-01-18", "10:00", "10:30"), ticket_id="TK14B"),
    # Sunday night the clocks go forward: 01:30-03:30 on the wall clock is 60 minutes.
    slip("OH8", "E14", "2026-03-29T01:30:00+01:00", "2026-03-29T03:30:00+02:00"),
    # Internal work inside opening hours.
    slip("OH9", "E14", *_de("2026-01-12", "09:00", "10:00")),
    # -- vague_note (E15): entries of 2 h or more need notes of 15 characters ----------
    slip("VN1", "E15", *_uk("2026-01-19", "09:00", "11:00"), ticket_id="TK15", notes="misc"),
    # 1.98 h: too short to need notes.
    slip("VN2", "E15", *_uk("2026-01-20", "09:00", "10:59"), ticket_id="TK15", notes=""),
    # 15 characters: enough.
    slip(
        "VN3",
        "E15",
        *_uk("2026-01-21", "09:00", "11:30"),
        ticket_id="TK15",
        notes="Patched server1",
    ),
    # 14 characters: fires.
    slip(
        "VN4", "E15", *_uk("2026-01-22", "09:00", "11:30"), ticket_id="TK15", notes="Patched server"
    ),
    # Padding does not count.
    slip("VN5", "E15", *_uk("2026-01-23", "09:00", "12:00"), ticket_id="TK15", notes="   work   "),
    slip("VN6", "E15", *_uk("2026-01-26", "09:00", "11:00"), ticket_id="TK15", notes=""),
    # -- post_target_slowdown over a month (E16, March goal 22 h) ----------------------
    # 8 h, 8 h and 6 h billed in full on 2 to 4 March: the goal reached at 15:00 on the
    # 4th; then 2 h a day on five days, 0.2 h of each billed: 0.1 per hour against 1.0
    # before, 90 % slower over a month: fires, a month being long enough alone.
    slip("PM1", "E16", *_uk("2026-03-02", "09:00", "17:00"), ticket_id="TK16"),
    slip("PM2", "E16", *_uk("2026-03-03", "09:00", "17:00"), ticket_id="TK16"),
    slip("PM3", "E16", *_uk("2026-03-04", "09:00", "15:00"), ticket_id="TK16"),
    *[
        slip(f"PM{n}", "E16", *_uk(day, "09:00", "11:00"), ticket_id="TK16", billed=0.2)
        for n, day in enumerate(
            ("2026-03-05", "2026-03-06", "2026-03-09", "2026-03-10", "2026-03-11"), start=4
        )
    ],
    # -- ... and not over an even month (E17, March goal 22 h) -------------------------
    # 2 h worked and billed on each of the 22 weekdays: the goal is reached on the 16th
    # and the pace after it is the pace before: 0 % slower.
    *[
        slip(f"PE{n}", "E17", *_uk(day, "09:00", "11:00"), ticket_id="TK17")
        for n, day in enumerate(_days("2026-03-02", "2026-03-31"), start=1)
    ],
    # -- ... and over a quarter (E18, first-quarter goal 63 h) -------------------------
    # 8 h a day billed in full from 5 to 13 January (56 h), 7 h on the 14th: the goal
    # reached at 16:00 that day; then 2 h a day on five days, 0.2 h of each billed: 90 %
    # slower over the quarter. Judged weekly, those slow days would be five weeks'
    # business; the quarter is E18's period.
    *[
        slip(f"PQ{n}", "E18", *_uk(day, "09:00", "17:00"), ticket_id="TK18")
        for n, day in enumerate(_days("2026-01-05", "2026-01-13"), start=1)
    ],
    slip("PQ8", "E18", *_uk("2026-01-14", "09:00", "16:00"), ticket_id="TK18"),
    *[
        slip(f"PQ{n}", "E18", *_uk(day, "09:00", "11:00"), ticket_id="TK18", billed=0.2)
        for n, day in enumerate(_days("2026-01-15", "2026-01-21"), start=9)
    ],
]

EXPECTED_FLAGS: set[tuple[str, str]] = {
    ("overlap", "OV2"),
    ("overlap", "OV6"),
    ("overlap", "OV7"),
    ("overlap", "OV9"),
    ("overlap", "DU2"),
    ("overlap", "DU4"),
    ("overlap", "DU6"),
    ("duplicate", "DU2"),
    ("duplicate", "DU6"),
    ("excessive_day", "E03|2026-01-14"),
    ("billed_over_worked", "BO1"),
    ("billed_over_worked", "BO4"),
    ("outside_ticket_life", "OL1"),
    ("outside_ticket_life", "OL4"),
    ("late_entry", "LE3"),
    ("bulk_backfill", "BB1"),
    ("bulk_backfill", "BB2"),
    ("bulk_backfill", "BB3"),
    ("round_heaping", "E08|2026-02"),
    ("exact_target", "E10|2026-02"),
    ("effort_outlier", "E11|TKN1"),
    ("post_target_slowdown", "E13|2026-W06"),
    ("post_target_slowdown", "E13|2026-W07"),
    ("post_target_slowdown", "E13|2026-W11"),
    ("post_target_slowdown", "E13|2026-W12"),
    ("post_target_slowdown", "E16|2026-03"),
    ("post_target_slowdown", "E18|2026-Q1"),
    ("off_hours_without_ticket", "OH1"),
    ("off_hours_without_ticket", "OH4"),
    ("off_hours_without_ticket", "OH5"),
    ("off_hours_without_ticket", "OH7"),
    ("off_hours_without_ticket", "OH8"),
    ("vague_note", "VN1"),
    ("vague_note", "VN4"),
    ("vague_note", "VN5"),
    ("vague_note", "VN6"),
}


def make_rules_folder(root: Path, rules: list[tuple[str, ...]] = RULES) -> DataFolder:
    """Lay out the data, seeds and dbt target folders of this fixture under `root`: the
    tickets and timeslips above, as the ingest writes them; no events or surveys."""
    lake = {
        "tickets": {"tickets_20260401.csv": TICKETS},
        "timeslips": {"timeslips_20260401.csv": TIMESLIPS},
    }
    return make_data_folder(root, seeds={**SEEDS, "timeslip_rules": rules}, lake=lake)
