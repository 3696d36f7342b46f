"""The demo MSP's reference data (docs/contract.md §3): clients, engineers, calendars, policies.

`build_reference` makes it from (scale, seed) alone, apart from holidays, which cover
every year the generated data spans (and always 2026). `write_reference` writes it as
the CSV files of `orchestration.reference.spec.REFERENCE_FILES`; the repo's `seeds/` folder is
exactly what it writes for scale 1, seed 42, twelve months from 2026-01-01.
"""

from __future__ import annotations

import csv
import random
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from orchestration.contract import PRIORITIES
from orchestration.generate import text
from orchestration.generate.calendars import BusinessCalendar
from orchestration.generate.holidays import public_holidays
from orchestration.reference.spec import REFERENCE_FILES

TIERS = ("gold", "silver", "bronze")
LEAVE_YEARS = (2026, 2027)
ALWAYS_HOLIDAY_YEAR = 2026

# Opening hours per calendar: ISO weekday -> (open, close) in local HH:MM.
CALENDAR_HOURS: dict[str, dict[int, tuple[tuple[str, str], ...]]] = {
    "cal_us": {d: (("08:00", "18:00"),) for d in range(1, 6)},
    # US retail clients also open on Saturday mornings.
    "cal_us_retail": {**{d: (("08:00", "18:00"),) for d in range(1, 6)}, 6: (("09:00", "13:00"),)},
    "cal_uk": {d: (("09:00", "17:30"),) for d in range(1, 6)},
    # A split day: closed for lunch between 12:00 and 13:00.
    "cal_de": {d: (("08:00", "12:00"), ("13:00", "17:00")) for d in range(1, 6)},
    "cal_au": {d: (("08:30", "17:00"),) for d in range(1, 6)},
}
CALENDAR_COUNTRY = {
    "cal_us": "US",
    "cal_us_retail": "US",
    "cal_uk": "UK",
    "cal_de": "DE",
    "cal_au": "AU",
}
ZONE_CALENDAR = {
    "America/New_York": "cal_us",
    "America/Chicago": "cal_us",
    "America/Los_Angeles": "cal_us",
    "Europe/London": "cal_uk",
    "Europe/Berlin": "cal_de",
    "Australia/Sydney": "cal_au",
}
# Engineers serve the clients of their region.
ZONE_REGION = {
    "America/New_York": "amer",
    "America/Chicago": "amer",
    "America/Los_Angeles": "amer",
    "Europe/London": "emea",
    "Europe/Berlin": "emea",
    "Australia/Sydney": "apac",
}
NAME_REGION = {
    "America/New_York": "us",
    "America/Chicago": "us",
    "America/Los_Angeles": "us",
    "Europe/London": "uk",
    "Europe/Berlin": "de",
    "Australia/Sydney": "au",
}
# Clients per zone out of 50 at scale 1.
CLIENT_ZONE_WEIGHTS = (
    ("America/New_York", 12),
    ("America/Chicago", 8),
    ("America/Los_Angeles", 6),
    ("Europe/London", 10),
    ("Europe/Berlin", 6),
    ("Australia/Sydney", 8),
)

# The engineer roster at scale 1: zone, team, role, weekly hours, billable target %.
# UK and Australian staff have their countries' usual 37.5 and 38 hour weeks.
ROSTER: tuple[tuple[str, str, str, float, int], ...] = (
    ("America/New_York", "service_desk", "Service Desk Lead", 40, 60),
    ("America/New_York", "service_desk", "Service Desk Engineer", 40, 75),
    ("America/New_York", "service_desk", "Service Desk Engineer", 40, 75),
    ("Europe/London", "service_desk", "Service Desk Lead", 37.5, 60),
    ("America/Chicago", "service_desk", "Service Desk Engineer", 40, 75),
    ("Australia/Sydney", "service_desk", "Service Desk Lead", 38, 60),
    ("Europe/Berlin", "infrastructure", "Infrastructure Engineer", 40, 70),
    ("America/New_York", "infrastructure", "Senior Infrastructure Engineer", 40, 70),
    ("Europe/London", "infrastructure", "Infrastructure Engineer", 37.5, 70),
    ("America/New_York", "service_desk", "Senior Service Desk Engineer", 40, 75),
    ("Australia/Sydney", "infrastructure", "Infrastructure Engineer", 38, 70),
    ("America/New_York", "projects", "Project Engineer", 40, 80),
    ("Europe/London", "service_desk", "Service Desk Engineer", 20, 75),
    ("America/Chicago", "service_desk", "Service Desk Engineer", 32, 75),
    ("America/New_York", "service_desk", "Service Desk Engineer", 40, 75),
    ("Europe/Berlin", "service_desk", "Service Desk Engineer", 40, 75),
    ("America/Chicago", "infrastructure", "Infrastructure Engineer", 40, 70),
    ("Australia/Sydney", "service_desk", "Service Desk Engineer", 38, 75),
    ("Europe/London", "projects", "Project Lead", 37.5, 60),
    ("America/Chicago", "service_desk", "Service Desk Engineer", 40, 75),
    ("America/New_York", "projects", "Project Engineer", 40, 80),
    ("Europe/London", "service_desk", "Service Desk Engineer", 37.5, 75),
    ("America/New_York", "service_desk", "Service Desk Engineer", 40, 75),
    ("America/Chicago", "infrastructure", "Infrastructure Engineer", 40, 70),
    ("Australia/Sydney", "projects", "Project Engineer", 38, 80),
)
# Roster positions (0-based) with a fixed story: a leaver, a joiner and four habits.
LEAVER_SLOT, LEAVER_END = 14, date(2026, 3, 31)
JOINER_SLOT, JOINER_START = 22, date(2026, 4, 13)
HABIT_SLOTS: dict[int, tuple[str, ...]] = {
    2: ("exact_target", "round_heaping"),
    4: ("overlap",),
    7: ("outside_ticket_life",),
    9: ("post_target_slowdown",),
}
# Engineers whose billable goal is set per week rather than the MSP's month: the one who
# eases off once the week's goal is met.
WEEKLY_GOAL_SLOTS = frozenset({9})
# The MSP-wide settings of msp_settings.csv.
MSP_SETTINGS = (("billable_goal_period", "month"), ("history_start", "2000-01-01"))
# ServiceNow's own states, priorities and contact types, mapped onto the contract's
# (value_map.csv): the ServiceNow adapter reads its exports through these rows.
SERVICENOW_VALUE_MAP: tuple[tuple[str, str, str], ...] = (
    ("status", "New", "New"),
    ("status", "Active", "In Progress"),
    ("status", "Awaiting User Info", "Waiting Customer"),
    ("status", "Awaiting Evidence", "Waiting Customer"),
    ("status", "Awaiting Vendor", "Waiting Vendor"),
    ("status", "Awaiting Problem", "Scheduled"),
    ("status", "Resolved", "Resolved"),
    ("status", "Closed", "Closed"),
    ("priority", "1 - Critical", "P1"),
    ("priority", "2 - High", "P2"),
    ("priority", "3 - Moderate", "P3"),
    ("priority", "4 - Low", "P4"),
    ("channel", "Phone", "phone"),
    ("channel", "IVR", "phone"),
    ("channel", "Email", "email"),
    ("channel", "Self service", "portal"),
    ("channel", "Self-service", "portal"),
    ("channel", "Chat", "chat"),
    ("channel", "Virtual Agent", "chat"),
    ("channel", "Walk-in", "walk_in"),
    ("channel", "Direct opsys", "monitoring"),
)
ANNUAL_LEAVE_DAYS = {"us": 12, "uk": 20, "de": 24, "au": 18}

# SLA targets in minutes: tier -> priority -> (first response, resolution).
SLA_TARGETS: dict[str, dict[str, tuple[int, int]]] = {
    "gold": {"P1": (15, 240), "P2": (30, 480), "P3": (120, 960), "P4": (240, 1920)},
    "silver": {"P1": (30, 360), "P2": (60, 720), "P3": (240, 1440), "P4": (480, 2880)},
    "bronze": {"P1": (60, 480), "P2": (120, 960), "P3": (480, 2400), "P4": (960, 4800)},
}
TWENTY_FOUR_SEVEN = {("gold", "P1"), ("silver", "P1")}
PAUSE_STATUSES = {
    "gold": ("Waiting Customer", "Waiting Vendor"),
    "silver": ("Waiting Customer", "Waiting Vendor"),
    "bronze": ("Waiting Customer", "Waiting Vendor", "Scheduled"),
}
ATTAINMENT_TARGET = {"gold": 95, "silver": 90, "bronze": 85}

XLA_TARGETS: dict[str, dict[str, float]] = {
    "gold": {"happiness": 60, "nps": 40, "avg_lost_time_minutes": 30, "negative_follow_up_pct": 90},
    "silver": {
        "happiness": 50,
        "nps": 30,
        "avg_lost_time_minutes": 45,
        "negative_follow_up_pct": 85,
    },
    "bronze": {
        "happiness": 40,
        "nps": 20,
        "avg_lost_time_minutes": 60,
        "negative_follow_up_pct": 80,
    },
}
XLA_COMPARATORS = {
    "happiness": ">=",
    "nps": ">=",
    "avg_lost_time_minutes": "<=",
    "negative_follow_up_pct": ">=",
}
XLA_MIN_RESPONSES = {
    "happiness": 10,
    "nps": 5,
    "avg_lost_time_minutes": 10,
    "negative_follow_up_pct": 3,
}

# rule_id, enabled, severity, threshold, secondary_threshold, tertiary_threshold,
# description. The thresholds' meaning is per rule, in its description.
TIMESLIP_RULES: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    (
        "overlap",
        "true",
        "error",
        "5",
        "",
        "",
        "Two entries of one engineer overlap in time by more than threshold minutes; the "
        "later-starting entry is flagged. No other thresholds.",
    ),
    (
        "excessive_day",
        "true",
        "warn",
        "12",
        "",
        "",
        "An engineer's hours_worked on one work_date add up to more than threshold hours. "
        "No other thresholds.",
    ),
    (
        "billed_over_worked",
        "true",
        "error",
        "0",
        "",
        "",
        "An entry's hours_billed exceeds its hours_worked by more than threshold hours "
        "(0 = no tolerance). No other thresholds.",
    ),
    (
        "duplicate",
        "true",
        "error",
        "",
        "",
        "",
        "Two entries of one engineer with the same ticket, work_date, started_at, ended_at "
        "and hours_worked; the later copy is flagged. No thresholds.",
    ),
    (
        "outside_ticket_life",
        "true",
        "error",
        "24",
        "",
        "",
        "An entry on a ticket starts before the minute the ticket was created or ends more "
        "than threshold hours after it was closed. No other thresholds.",
    ),
    (
        "late_entry",
        "true",
        "warn",
        "5",
        "",
        "",
        "An entry was entered more than threshold business days (open days of the "
        "engineer's calendar, holidays excluded) after its work_date. No other thresholds.",
    ),
    (
        "bulk_backfill",
        "true",
        "warn",
        "10",
        "7",
        "60",
        "At least threshold entries of one engineer were entered within one sitting of "
        "tertiary_threshold minutes, each for a work_date at least secondary_threshold "
        "calendar days before the day it was entered; every such entry is flagged.",
    ),
    (
        "round_heaping",
        "true",
        "warn",
        "0.8",
        "3.0",
        "20",
        "In a month with at least tertiary_threshold entries, the share (0-1) of an "
        "engineer's entries whose hours_worked are whole or half hours is at least "
        "threshold, and at least secondary_threshold times the same share over the rest "
        "of the engineer's team.",
    ),
    (
        "exact_target",
        "true",
        "warn",
        "0.6",
        "",
        "5",
        "In a billable-goal period (the engineer's week, month or quarter) with at least "
        "tertiary_threshold days worked, the engineer's billed hours of a day equal the "
        "day's share of the goal (its available hours x billable_target_pct / 100) exactly "
        "on at least threshold (share 0-1) of the days worked.",
    ),
    (
        "effort_outlier",
        "true",
        "warn",
        "5",
        "4",
        "",
        "An engineer's total hours_worked on one ticket is more than threshold times the "
        "median of all engineers' per-ticket totals for the same category and priority, "
        "and at least secondary_threshold hours.",
    ),
    (
        "post_target_slowdown",
        "true",
        "warn",
        "0.4",
        "2",
        "4",
        "In a billable-goal period (the engineer's week, month or quarter), billed hours per "
        "hour worked after the engineer reached the period's goal (its available hours x "
        "billable_target_pct / 100) fall by at least threshold (share 0-1) against before, "
        "with at least tertiary_threshold hours worked after it; flagged where such periods "
        "follow one another for at least secondary_threshold weeks (a month or a quarter "
        "is long enough alone).",
    ),
    (
        "off_hours_without_ticket",
        "true",
        "warn",
        "15",
        "",
        "",
        "More than threshold minutes of an entry lie outside the engineer's business "
        "calendar (closed hours, weekends, holidays), and the entry has no ticket or lies "
        "wholly before its ticket was created or after it was closed. No other thresholds.",
    ),
    (
        "vague_note",
        "true",
        "warn",
        "2",
        "15",
        "",
        "An entry of at least threshold hours has notes shorter than secondary_threshold "
        "characters (empty or boilerplate such as 'work', 'support', 'misc').",
    ),
)


@dataclass(frozen=True)
class Client:
    """A client of the MSP, with the simulation's hidden profile and size."""

    client_id: str
    client_name: str
    timezone: str
    calendar_id: str
    contract_tier: str
    contract_start: date
    contract_end: date | None
    profile: str
    volume_share: float  # share of all tickets
    contacts: int

    @property
    def region(self) -> str:
        return ZONE_REGION[self.timezone]

    def contact_id(self, number: int) -> str:
        return f"{self.client_id}-U{number:02d}"


@dataclass(frozen=True)
class Engineer:
    """An engineer of the MSP."""

    engineer_id: str
    engineer_name: str
    team: str
    role: str
    calendar_id: str
    timezone: str
    weekly_contracted_hours: float
    billable_target_pct: int
    start_date: date
    end_date: date | None
    habits: tuple[str, ...] = ()
    # week, month or quarter; empty: the MSP-wide setting.
    billable_goal_period: str = ""

    @property
    def region(self) -> str:
        return ZONE_REGION[self.timezone]

    @property
    def daily_minutes(self) -> int:
        """Contracted minutes per weekday (every engineer works Monday to Friday)."""
        return round(self.weekly_contracted_hours * 60 / 5)

    @property
    def daily_target_hundredths(self) -> float:
        """The daily billable target in hundredths of an hour."""
        return self.weekly_contracted_hours * self.billable_target_pct / 5

    def employed(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


@dataclass(frozen=True)
class SlaPolicy:
    """One row of sla_policies.csv."""

    contract_tier: str
    priority: str
    metric: str
    target_minutes: int
    clock: str
    pause_statuses: tuple[str, ...]
    attainment_target_pct: int


@dataclass
class Reference:
    """Everything the generator and the seeds share."""

    clients: list[Client]
    engineers: list[Engineer]
    calendars: dict[str, BusinessCalendar]
    holidays: list[tuple[str, date, str]]
    leave: dict[str, dict[date, float]]
    policies: dict[tuple[str, str, str], SlaPolicy]
    leads: dict[str, str] = field(default_factory=dict)


def end_date(start: date, months: int) -> date:
    """The first date after a period of whole calendar months from `start`."""
    month = start.month - 1 + months
    year = start.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(start.day, monthrange(year, month)[1]))


def holiday_years(start: date, months: int) -> list[int]:
    last = end_date(start, months) - timedelta(days=1)
    return sorted(set(range(start.year, last.year + 1)) | {ALWAYS_HOLIDAY_YEAR})


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _largest_remainder(weights: list[int], total: int) -> list[int]:
    raw = [w * total / sum(weights) for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _client_name(rng: random.Random, region: str, used: set[str]) -> str:
    for _ in range(500):
        stem = rng.choice(text.CLIENT_NAME_STEMS)
        trade = rng.choice(text.CLIENT_TRADES[region])
        suffix = rng.choice(text.CLIENT_SUFFIXES[region])
        if region == "us" and rng.random() < 0.1:
            stem = f"{rng.choice(text.LAST_NAMES['us'])} & Sons"
        if f"{stem} {trade}" not in used:
            used.add(f"{stem} {trade}")
            return " ".join(part for part in (stem, trade, suffix) if part)
    # Very large scales exhaust the combinations: number the branches.
    name = f"{rng.choice(text.CLIENT_NAME_STEMS)} {rng.choice(text.CLIENT_TRADES[region])}"
    used.add(f"{name} #{len(used)}")
    return f"{name} Branch {len(used)}"


def _clients(rng: random.Random, count: int) -> list[Client]:
    zones: list[str] = []
    quotas = _largest_remainder([w for _, w in CLIENT_ZONE_WEIGHTS], count)
    for (zone, _), quota in zip(CLIENT_ZONE_WEIGHTS, quotas, strict=True):
        zones += [zone] * quota
    rng.shuffle(zones)
    weights = [rng.lognormvariate(0, 0.55) for _ in range(count)]
    total_weight = sum(weights)
    ids = [f"C{i + 1:03d}" for i in range(count)]

    # Clients with a story of their own (late start, leaving, Saturday hours) stay normal.
    late_starts = [date(2026, 3, 1)] + ([date(2026, 7, 1)] if count >= 20 else [])
    special: dict[int, str] = {}
    order = list(range(count))
    rng.shuffle(order)
    for i, _ in zip(order, late_starts, strict=False):
        special[i] = "late_start"
    if count >= 20:
        special[next(i for i in order if i not in special)] = "leaving"
    us_clients = [i for i in order if ZONE_REGION[zones[i]] == "amer" and i not in special]
    for i in us_clients[: max(1, round(len(us_clients) * 0.15))]:
        special[i] = "retail"

    ranked = sorted((i for i in range(count) if i not in special), key=lambda i: (-weights[i], i))
    n_watermelon = max(1, round(0.06 * count))
    n_struggling = max(1, round(0.06 * count))
    n_happy = max(2, round(0.12 * count))
    profiles = dict.fromkeys(range(count), "normal")
    # Watermelons and happy clients answer enough surveys to be judged every month,
    # so they come from the larger clients.
    big = ranked[: max(3, 2 * n_watermelon)]
    for i in rng.sample(big, n_watermelon):
        profiles[i] = "watermelon"
    upper = [i for i in ranked[: max(6, int(len(ranked) * 0.6))] if profiles[i] == "normal"]
    for i in rng.sample(upper, min(n_happy, len(upper))):
        profiles[i] = "happy"
    rest = [i for i in ranked if profiles[i] == "normal"]
    for i in rng.sample(rest, min(n_struggling, len(rest))):
        profiles[i] = "struggling"

    used: set[str] = set()
    clients: list[Client] = []
    late_iter = iter(late_starts)
    for i in range(count):
        zone = zones[i]
        region = NAME_REGION[zone]
        tier = rng.choices(TIERS, weights=(25, 40, 35))[0]
        start = date(rng.randint(2016, 2025), rng.randint(1, 12), 1)
        if start > date(2025, 10, 1):
            start = date(2025, 10, 1)
        contract_end = None
        calendar_id = ZONE_CALENDAR[zone]
        kind = special.get(i)
        if kind == "late_start":
            start = next(late_iter)
        elif kind == "leaving":
            contract_end = date(2026, 9, 30)
        elif kind == "retail":
            calendar_id = "cal_us_retail"
        clients.append(
            Client(
                client_id=ids[i],
                client_name=_client_name(rng, region, used),
                timezone=zone,
                calendar_id=calendar_id,
                contract_tier=tier,
                contract_start=start,
                contract_end=contract_end,
                profile=profiles[i],
                volume_share=weights[i] / total_weight,
                contacts=rng.randint(9, 30),
            )
        )
    return clients


def _engineers(rng: random.Random, count: int) -> list[Engineer]:
    # Draw first and last names without replacement per region, refilling when used up.
    pools: dict[str, tuple[list[str], list[str]]] = {}
    used: set[str] = set()
    engineers: list[Engineer] = []
    for i in range(count):
        zone, team, role, hours, pct = ROSTER[i % len(ROSTER)]
        region = NAME_REGION[zone]
        while True:
            firsts, lasts = pools.setdefault(region, ([], []))
            if not firsts:
                firsts += rng.sample(text.FIRST_NAMES[region], len(text.FIRST_NAMES[region]))
            if not lasts:
                lasts += rng.sample(text.LAST_NAMES[region], len(text.LAST_NAMES[region]))
            name = f"{firsts.pop()} {lasts.pop()}"
            if name not in used:
                used.add(name)
                break
        start = date(rng.randint(2015, 2025), rng.randint(1, 12), rng.randint(1, 28))
        if start > date(2025, 11, 28):
            start = date(2025, 11, 3)
        end = None
        if i == LEAVER_SLOT:
            end = LEAVER_END
        elif i == JOINER_SLOT:
            start = JOINER_START
        engineers.append(
            Engineer(
                engineer_id=f"E{i + 1:03d}",
                engineer_name=name,
                team=team,
                role=role,
                calendar_id=ZONE_CALENDAR[zone],
                timezone=zone,
                weekly_contracted_hours=hours,
                billable_target_pct=pct,
                start_date=start,
                end_date=end,
                habits=HABIT_SLOTS.get(i, ()),
                billable_goal_period="week" if i in WEEKLY_GOAL_SLOTS else "",
            )
        )
    return engineers


def _usable(day: date, engineer: Engineer, calendar: BusinessCalendar, taken: dict) -> bool:
    return calendar.is_open_day(day) and engineer.employed(day) and day not in taken


def _leave(
    rng: random.Random, engineers: list[Engineer], calendars: dict[str, BusinessCalendar]
) -> dict[str, dict[date, float]]:
    """Annual leave: one long break, a few short ones and some half days a year."""
    leave: dict[str, dict[date, float]] = {}
    for engineer in engineers:
        days: dict[date, float] = {}
        leave[engineer.engineer_id] = days
        calendar = calendars[engineer.calendar_id]
        full = engineer.weekly_contracted_hours / 5
        if {"exact_target", "post_target_slowdown"} & set(engineer.habits):
            # Their patterns are weekly and monthly: they take leave between the years.
            for year in LEAVE_YEARS:
                for day in range(24, 32):
                    if _usable(date(year, 12, day), engineer, calendar, days):
                        days[date(year, 12, day)] = full
            continue
        allowance = ANNUAL_LEAVE_DAYS[NAME_REGION[engineer.timezone]]
        for year in LEAVE_YEARS:
            left = allowance
            # The long break is in the local summer.
            month = rng.choice((1, 12)) if engineer.region == "apac" else rng.randint(6, 8)
            day = date(year, month, rng.randint(1, 20))
            block = rng.randint(5, 10)
            while block and left and day.year == year:
                if _usable(day, engineer, calendar, days):
                    days[day] = full
                    block -= 1
                    left -= 1
                day += timedelta(days=1)
            for _ in range(100):
                if left <= 1:
                    break
                day = date(year, 1, 1) + timedelta(days=rng.randint(0, 364))
                for _ in range(min(left - 1, rng.randint(1, 3))):
                    if _usable(day, engineer, calendar, days):
                        days[day] = full
                        left -= 1
                    day += timedelta(days=1)
            for _ in range(rng.randint(2, 4)):
                day = date(year, 1, 1) + timedelta(days=rng.randint(0, 364))
                if _usable(day, engineer, calendar, days):
                    days[day] = full / 2
        leave[engineer.engineer_id] = dict(sorted(days.items()))
    return leave


def _calendars(years: list[int]) -> tuple[dict[str, BusinessCalendar], list[tuple[str, date, str]]]:
    """The business calendars with the holidays of the given years, and those holidays."""
    calendars: dict[str, BusinessCalendar] = {}
    holiday_rows: list[tuple[str, date, str]] = []
    for calendar_id, hours in CALENDAR_HOURS.items():
        holidays = public_holidays(CALENDAR_COUNTRY[calendar_id], years)
        weekly = {
            weekday: tuple((_minutes(o), _minutes(c)) for o, c in intervals)
            for weekday, intervals in hours.items()
        }
        calendars[calendar_id] = BusinessCalendar(calendar_id, weekly, dict(holidays))
        holiday_rows += [(calendar_id, day, name) for day, name in holidays]
    return calendars, holiday_rows


def _policies() -> dict[tuple[str, str, str], SlaPolicy]:
    policies: dict[tuple[str, str, str], SlaPolicy] = {}
    for tier in TIERS:
        for priority in PRIORITIES:
            for metric, target in zip(
                ("first_response", "resolution"), SLA_TARGETS[tier][priority], strict=True
            ):
                policies[(tier, priority, metric)] = SlaPolicy(
                    contract_tier=tier,
                    priority=priority,
                    metric=metric,
                    target_minutes=target,
                    clock="24x7" if (tier, priority) in TWENTY_FOUR_SEVEN else "business",
                    pause_statuses=PAUSE_STATUSES[tier],
                    attainment_target_pct=ATTAINMENT_TARGET[tier],
                )
    return policies


def build_reference(
    *, scale: float = 1.0, seed: int = 42, start: date = date(2026, 1, 1), months: int = 1
) -> Reference:
    """The reference data for a scale and seed (holidays cover the generated years)."""
    rng = random.Random(f"xla-reference|{seed}")
    years = holiday_years(start, months)
    calendars, holiday_rows = _calendars(years)
    clients = _clients(rng, max(8, round(50 * scale)))
    engineers = _engineers(rng, max(10, round(25 * scale)))
    # Leave is planned on the fixed leave years' calendars, whatever period is generated.
    leave = _leave(rng, engineers, _calendars(list(LEAVE_YEARS))[0])
    leads: dict[str, str] = {}
    for engineer in engineers:
        if engineer.role.endswith("Lead") and engineer.team == "service_desk":
            leads.setdefault(engineer.region, engineer.engineer_id)
    return Reference(
        clients=clients,
        engineers=engineers,
        calendars=calendars,
        holidays=holiday_rows,
        leave=leave,
        policies=_policies(),
        leads=leads,
    )


def reference_rows(ref: Reference) -> dict[str, list[tuple[str, ...]]]:
    """The rows of every reference file, in the column order of REFERENCE_FILES."""
    rows: dict[str, list[tuple[str, ...]]] = {name: [] for name in REFERENCE_FILES}
    for c in ref.clients:
        rows["clients"].append(
            (
                c.client_id,
                c.client_name,
                c.timezone,
                c.calendar_id,
                c.contract_tier,
                c.contract_start.isoformat(),
                c.contract_end.isoformat() if c.contract_end else "",
            )
        )
    for e in ref.engineers:
        rows["engineers"].append(
            (
                e.engineer_id,
                e.engineer_name,
                e.team,
                e.role,
                e.calendar_id,
                e.timezone,
                _number(e.weekly_contracted_hours),
                str(e.billable_target_pct),
                e.start_date.isoformat(),
                e.end_date.isoformat() if e.end_date else "",
                e.billable_goal_period,
            )
        )
    for calendar_id, hours in CALENDAR_HOURS.items():
        for weekday, intervals in sorted(hours.items()):
            for opens, closes in intervals:
                rows["business_calendars"].append((calendar_id, str(weekday), opens, closes))
    rows["holidays"] = [(cid, day.isoformat(), name) for cid, day, name in ref.holidays]
    for engineer_id, days in ref.leave.items():
        for day, hours in days.items():
            rows["engineer_leave"].append((engineer_id, day.isoformat(), _number(hours)))
    for p in ref.policies.values():
        rows["sla_policies"].append(
            (
                p.contract_tier,
                p.priority,
                p.metric,
                str(p.target_minutes),
                p.clock,
                ";".join(p.pause_statuses),
                str(p.attainment_target_pct),
            )
        )
    for tier in TIERS:
        for metric, target in XLA_TARGETS[tier].items():
            rows["xla_targets"].append(
                (
                    tier,
                    metric,
                    XLA_COMPARATORS[metric],
                    _number(target),
                    str(XLA_MIN_RESPONSES[metric]),
                )
            )
    rows["timeslip_rules"] = list(TIMESLIP_RULES)
    rows["value_map"] = [("servicenow", *row) for row in SERVICENOW_VALUE_MAP]
    rows["msp_settings"] = list(MSP_SETTINGS)
    return rows


def write_reference_files(ref: Reference, seeds_dir: Path) -> list[Path]:
    """Write one CSV per reference file (header and rows) into `seeds_dir`."""
    seeds_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, rows in reference_rows(ref).items():
        path = seeds_dir / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(REFERENCE_FILES[name])
            writer.writerows(rows)
        written.append(path)
    return sorted(written)


def write_reference(
    seeds_dir: Path,
    *,
    scale: float = 1.0,
    seed: int = 42,
    start: date = date(2026, 1, 1),
    months: int = 1,
) -> list[Path]:
    """Build the reference data for these arguments and write it into `seeds_dir`."""
    return write_reference_files(
        build_reference(scale=scale, seed=seed, start=start, months=months), seeds_dir
    )
