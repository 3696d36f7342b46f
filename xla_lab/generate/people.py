"""The demo MSP's clients and engineers, drawn from the seed: clients spread over six
time zones with their size, contract and hidden profile (happy, struggling,
watermelon) and a few with a story of their own; the engineer roster repeated to the
scale, with a leaver, a joiner and the engineers whose habits break a timeslip rule;
and every engineer's annual leave.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from xla_lab.generate import text
from xla_lab.generate.calendars import BusinessCalendar
from xla_lab.generate.policies import TIERS

# The business calendar of each time zone (some US retail clients have their own).
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
# The years whose annual leave is planned, whatever period is generated.
LEAVE_YEARS = (2026, 2027)
ANNUAL_LEAVE_DAYS = {"us": 12, "uk": 20, "de": 24, "au": 18}


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


def draw_clients(rng: random.Random, count: int) -> list[Client]:
    """`count` clients: zones by fixed shares, then size, tier, contract and profile."""
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


def draw_engineers(rng: random.Random, count: int) -> list[Engineer]:
    """`count` engineers: the roster repeated, with names drawn per region."""
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


def plan_leave(
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
