"""A second, independent SLA engine for tests: minute by minute, in Python.

It marks every minute of a calendar open or closed with `zoneinfo` and counts minutes
one status stretch at a time, so it shares no code and no method with the dbt models
(which cut calendars into pieces and subtract cumulative counts). Where the two agree on
every clock of a generated data set, both read docs/contract.md §4 the same way.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

RESOLVED = ("Resolved", "Closed")


def minute_of(instant: datetime) -> int:
    """Whole minutes since the epoch, truncated."""
    return int(instant.timestamp() // 60)


def instant_of(minute: int) -> datetime:
    return datetime.fromtimestamp(minute * 60, UTC)


def _local_to_minute(day: date, minute_of_day: int, zone: ZoneInfo) -> int:
    """A local wall-clock time as minutes since the epoch: a time skipped in spring moves
    forward by the gap, a time repeated in autumn is its standard-time occurrence."""
    wall = datetime.combine(day, time()) + timedelta(minutes=minute_of_day)
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return minute_of(first)
    round_trips = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall
    return minute_of(second if round_trips else first)


@dataclass(frozen=True)
class Reference:
    clients: dict[str, dict[str, str]]
    hours: dict[str, list[tuple[int, int, int]]]
    holidays: dict[str, set[date]]
    policies: dict[tuple[str, str, str], dict[str, str]]


def _hm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def read_reference(seeds_dir: Path) -> Reference:
    def rows(name: str) -> list[dict[str, str]]:
        with (seeds_dir / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    hours: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for row in rows("business_calendars"):
        hours[row["calendar_id"]].append(
            (int(row["weekday"]), _hm(row["opens_at"]), _hm(row["closes_at"]))
        )
    holidays: dict[str, set[date]] = defaultdict(set)
    for row in rows("holidays"):
        holidays[row["calendar_id"]].add(date.fromisoformat(row["holiday_date"]))
    return Reference(
        clients={row["client_id"]: row for row in rows("clients")},
        hours=hours,
        holidays=holidays,
        policies={
            (row["contract_tier"], row["priority"], row["metric"]): row
            for row in rows("sla_policies")
        },
    )


class Calendar:
    """Open minutes of one calendar in one time zone, as a boolean array."""

    def __init__(self, ref: Reference, calendar_id: str | None, tz: str, first: int, last: int):
        self.first = first
        self.open = np.zeros(last - first, dtype=bool)
        if calendar_id is None:
            self.open[:] = True
            return
        zone = ZoneInfo(tz)
        day = instant_of(first).astimezone(zone).date() - timedelta(days=1)
        end_day = instant_of(last).astimezone(zone).date() + timedelta(days=1)
        while day <= end_day:
            if day not in ref.holidays.get(calendar_id, set()):
                for weekday, opens, closes in ref.hours.get(calendar_id, []):
                    if weekday == day.isoweekday():
                        a = _local_to_minute(day, opens, zone) - first
                        b = _local_to_minute(day, closes, zone) - first
                        self.open[max(a, 0) : max(b, 0)] = True
            day += timedelta(days=1)

    def count(self, start: int, end: int) -> int:
        return int(self.open[start - self.first : end - self.first].sum())

    def nth_open(self, start: int, n: int) -> int | None:
        """The minute (since the epoch) of the n-th open minute (0-based) from `start`."""
        found = np.flatnonzero(self.open[start - self.first :])
        return int(found[n]) + start if n < len(found) else None


@dataclass(frozen=True)
class Clock:
    elapsed: int
    paused: int
    due_at: datetime | None
    stopped_at: datetime | None
    breached_at: datetime | None
    status: str


def timeline(
    created: int, events: list[tuple[datetime, tuple, str | None, str]]
) -> list[tuple[int, str]]:
    """[(start minute, status)] from status events [(occurred_at, delivery order, old,
    new)]."""
    events = sorted(events, key=lambda e: (max(minute_of(e[0]), created), e[0], e[1]))
    changes = [(created, events[0][2] if events and events[0][2] else "New")]
    changes += [(max(minute_of(at), created), new) for at, _, _, new in events]
    return changes


def clocks_of_ticket(
    ticket: dict,
    events: list[tuple[datetime, tuple, str | None, str]],
    ref: Reference,
    as_of: datetime,
    calendars: dict[tuple[str | None, str], Calendar],
) -> dict[str, Clock]:
    client = ref.clients[ticket["client_id"]]
    created = minute_of(ticket["created_at"])
    changes = timeline(created, events)
    if not events:
        changes = [(created, "New")]
        stamp = ticket["resolved_at"] or ticket["closed_at"]
        if stamp:
            status = "Resolved" if ticket["resolved_at"] else "Closed"
            changes.append((max(minute_of(stamp), created), status))
    stretches = [
        (start, changes[i + 1][0] if i + 1 < len(changes) else None, status)
        for i, (start, status) in enumerate(changes)
    ]
    first_resolution = min((s for s, _, status in stretches if status in RESOLVED), default=None)
    if stretches[-1][2] in RESOLVED:
        open_ends = [e for _, e, status in stretches if status not in RESOLVED]
        resolution_stop: int | None = max(open_ends) if open_ends else created
    else:
        resolution_stop = None
    response = ticket["first_response_at"]
    response_stop = max(minute_of(response), created) if response else first_resolution

    result = {}
    for metric, stop in (("first_response", response_stop), ("resolution", resolution_stop)):
        policy = ref.policies[(client["contract_tier"], ticket["priority"], metric)]
        target = int(policy["target_minutes"])
        business = policy["clock"] == "business"
        calendar = calendars[(client["calendar_id"] if business else None, client["timezone"])]
        pauses = set(filter(None, policy["pause_statuses"].split(";")))
        end = stop if stop is not None else max(minute_of(as_of), created)
        if metric == "first_response":
            parts = [(created, end, "running")]
        else:
            parts = []
            for s, e, status in stretches:
                s, e = max(s, created), min(e if e is not None else end, end)
                if e > s:
                    state = (
                        "stopped"
                        if status in RESOLVED
                        else "paused"
                        if status in pauses
                        else "running"
                    )
                    parts.append((s, e, state))
        elapsed = paused = 0
        due = breached = None
        for s, e, state in parts:
            counted = calendar.count(s, e)
            if state == "running":
                if due is None and elapsed < target <= elapsed + counted:
                    due = calendar.nth_open(s, target - elapsed - 1) + 1
                if breached is None and elapsed <= target < elapsed + counted:
                    breached = calendar.nth_open(s, target - elapsed)
                elapsed += counted
            elif state == "paused":
                paused += counted
        if due is None:
            reached = calendar.nth_open(end, target - elapsed - 1)
            due = reached + 1 if reached is not None else None
        status = "breached" if elapsed > target else "met" if stop is not None else "in_progress"
        result[metric] = Clock(
            elapsed,
            paused,
            instant_of(due) if due is not None else None,
            instant_of(stop) if stop is not None else None,
            instant_of(breached) if breached is not None else None,
            status,
        )
    return result


def expected_clocks(
    tickets: list[dict],
    events: list[dict],
    ref: Reference,
    as_of: datetime,
    horizon_days: int = 120,
) -> dict[tuple[str, str], Clock]:
    """Every clock of every ticket, keyed by (ticket_id, metric)."""
    by_ticket: dict[str, list[tuple[datetime, tuple, str | None, str]]] = defaultdict(list)
    for e in events:
        if e["field"] == "status" and e["new_value"]:
            # Events of one instant keep the order they were delivered in.
            delivered = (e["extract_date"], e["source_file"], e["source_line"], e["event_id"])
            by_ticket[e["ticket_id"]].append(
                (e["occurred_at"], delivered, e["old_value"], e["new_value"])
            )
    first = min(minute_of(t["created_at"]) for t in tickets) - 3 * 1440
    last = (
        max(minute_of(as_of), *(minute_of(t["updated_at"]) for t in tickets)) + horizon_days * 1440
    )
    calendars: dict[tuple[str | None, str], Calendar] = {}
    for client in ref.clients.values():
        for key in ((client["calendar_id"], client["timezone"]), (None, client["timezone"])):
            if key not in calendars:
                calendars[key] = Calendar(ref, key[0], key[1], first, last)
    out = {}
    for t in tickets:
        for metric, clock in clocks_of_ticket(
            t, by_ticket[t["ticket_id"]], ref, as_of, calendars
        ).items():
            out[(t["ticket_id"], metric)] = clock
    return out
