"""Ticket arrivals and lifecycles.

A ticket's lifecycle is decided when it arrives: when it is first answered, its status
moves, priority and assignee changes, when it is last resolved and closed. Timing follows
the client's SLA policy and profile. Happy and watermelon clients are always inside their
SLA by construction: calendar minutes from creation to first response and to the last
resolution stay within 80 % of the target, and business minutes never exceed calendar
minutes, so no clock definition can turn those into breaches.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from xla_lab.generate import text
from xla_lab.generate.calendars import BusinessCalendar, Zone
from xla_lab.generate.people import Client
from xla_lab.generate.reference import Reference

HOUR = 3600
SLA_SAFE_SHARE = 0.8

CATEGORIES = ("hardware", "software", "network", "access", "email", "security", "backup", "project")
CATEGORY_WEIGHTS = (17, 23, 10, 20, 15, 6, 3, 6)
MONITORING_CATEGORIES = ("network", "backup", "security", "hardware")
MONITORING_CATEGORY_WEIGHTS = (35, 25, 20, 20)
CHANNELS = ("email", "portal", "phone", "chat", "walk_in", "monitoring")
BUSINESS_CHANNEL_WEIGHTS = (36, 26, 22, 10, 2, 4)
PRIORITY_WEIGHTS = {"monitoring": (20, 40, 30, 10), "other": (3.5, 18.5, 52.5, 25.5)}
WEEKDAY_FACTOR = {1: 1.2, 2: 1.05, 3: 1.0, 4: 0.95, 5: 0.8}
TICKETS_PER_MONTH_AT_SCALE_1 = 2500

# Median minutes of hands-on effort per ticket.
EFFORT_MEDIAN = {"P1": 110, "P2": 90, "P3": 75, "P4": 65}
EFFORT_FACTOR = {
    "hardware": 1.2,
    "software": 1.0,
    "network": 1.3,
    "access": 0.6,
    "email": 0.8,
    "security": 1.2,
    "backup": 1.0,
    "project": 2.2,
}
# An engineer's total on one ordinary ticket stays under the effort_outlier floor (4 h).
EFFORT_CAP_MINUTES = 225
OUTLIER_EFFORT_MINUTES = 720
WRAP_UP_SECONDS = 20 * HOUR

BREACH_RATES = {"normal": (0.03, 0.04), "struggling": (0.3, 0.35)}
REOPEN_RATES = {"normal": 0.05, "struggling": 0.12, "happy": 0.03, "watermelon": 0.03}
REASSIGN_RATES = {"normal": 0.1, "struggling": 0.22, "happy": 0.06, "watermelon": 0.06}
PRIORITY_CHANGE_RATE = 0.06

Event = tuple[int, str, str, str, str]  # occurred (epoch s), field, old, new, actor
# (client, category, when, engineer to avoid, only engineers without a habit) -> engineer
PickEngineer = Callable[[Client, str, int, str | None, bool], str | None]


@dataclass(slots=True)
class TicketSpec:
    """A ticket as it arrives."""

    client: Client
    created: int
    priority: str  # the final priority; the SLA policy follows it
    category: str
    channel: str
    contact_id: str
    subject: str
    long_running: bool = False


@dataclass(slots=True)
class TicketLife:
    """A ticket's whole story, possibly reaching past the end of the period."""

    ticket_id: str
    spec: TicketSpec
    initial_priority: str
    events: list[Event]
    first_response: int | None
    resolved: int | None  # the last resolution
    closed: int | None
    assignments: list[tuple[str, int, int]] = field(default_factory=list)
    effort_minutes: int = 0


class Clock:
    """Adds SLA-clock minutes in a client's zone: every minute, or open minutes only."""

    __slots__ = ("business", "calendar", "zone")

    def __init__(self, kind: str, zone: Zone, calendar: BusinessCalendar) -> None:
        self.business = kind == "business"
        self.zone = zone
        self.calendar = calendar

    def add(self, ts: int, minutes: float) -> int:
        if not self.business:
            return ts + round(minutes * 60)
        local = self.calendar.add_minutes(self.zone.local(ts), minutes)
        return self.zone.to_ts(local)


def silent_feed_client(clients: list[Client], start: date, end: date) -> str | None:
    """The client whose tickets stop arriving before the period ends: the busiest
    `normal` client under contract the whole period (the first by id among equals), so
    that its silence stands out from its own baseline. None when there is none."""
    candidates = [
        c
        for c in clients
        if c.profile == "normal"
        and c.contract_start <= start
        and (c.contract_end is None or c.contract_end >= end - timedelta(days=1))
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda c: (-c.volume_share, c.client_id)).client_id


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; daily means here are small)."""
    if mean <= 0:
        return 0
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def sample_arrivals(
    ref: Reference,
    zones: dict[str, Zone],
    window: tuple[int, int],
    workload: float,
    rng: random.Random,
) -> list[TicketSpec]:
    """Tickets created in [start, end) epoch seconds, sorted by creation.

    `workload` scales the MSP's 2,500 tickets a month."""
    start, end = window
    specs: list[TicketSpec] = []
    for client in ref.clients:
        zone = zones[client.timezone]
        calendar = ref.calendars[client.calendar_id]
        monthly = client.volume_share * TICKETS_PER_MONTH_AT_SCALE_1 * workload
        per_weekday = monthly * 12 / 260
        day = zone.local_date(start) - timedelta(days=1)
        last = zone.local_date(end - 1)
        while day <= last:
            active = client.contract_start <= day and (
                client.contract_end is None or day <= client.contract_end
            )
            intervals = calendar.intervals(day)
            if day in calendar.holidays:
                factor = 0.15
            elif day.isoweekday() in WEEKDAY_FACTOR:
                factor = WEEKDAY_FACTOR[day.isoweekday()]
            else:
                factor = 0.5 if intervals else 0.1
            count = poisson(rng, per_weekday * factor) if active else 0
            for _ in range(count):
                spec = _arrival(client, zone, day, intervals, rng)
                if start <= spec.created < end:
                    specs.append(spec)
            day += timedelta(days=1)
    specs.sort(key=lambda s: (s.created, s.client.client_id))
    return specs


def _arrival(
    client: Client,
    zone: Zone,
    day: date,
    intervals: tuple[tuple[int, int], ...],
    rng: random.Random,
) -> TicketSpec:
    roll = rng.random()
    if roll < 0.82:
        opens = intervals or ((9 * 60, 17 * 60),)
        lo, hi = rng.choices(opens, weights=[c - o for o, c in opens])[0]
        # Mornings are busiest.
        minute = lo + (hi - lo) * (rng.random() ** 1.4 if rng.random() < 0.6 else rng.random())
        channel = rng.choices(CHANNELS, weights=BUSINESS_CHANNEL_WEIGHTS)[0]
    else:
        if roll < 0.92:
            minute = rng.uniform(18 * 60, 23 * 60)
        else:
            minute = rng.uniform(-60, 7 * 60) % (24 * 60)
        channel = rng.choices(("monitoring", "email", "portal"), weights=(60, 30, 10))[0]
    local = datetime.combine(day, time()) + timedelta(seconds=int(minute * 60))
    created = zone.to_ts(local)
    if channel == "monitoring":
        priority = rng.choices(("P1", "P2", "P3", "P4"), weights=PRIORITY_WEIGHTS["monitoring"])[0]
        category = rng.choices(MONITORING_CATEGORIES, weights=MONITORING_CATEGORY_WEIGHTS)[0]
        contact = ""
    else:
        priority = rng.choices(("P1", "P2", "P3", "P4"), weights=PRIORITY_WEIGHTS["other"])[0]
        category = rng.choices(CATEGORIES, weights=CATEGORY_WEIGHTS)[0]
        contact = client.contact_id(rng.randint(1, client.contacts))
    if category == "project":
        priority = "P4" if rng.random() < 0.7 else "P3"
    return TicketSpec(
        client=client,
        created=created,
        priority=priority,
        category=category,
        channel=channel,
        contact_id=contact,
        subject=rng.choice(text.SUBJECTS[category]),
    )


class LifecycleBuilder:
    """Turns arrivals into full lifecycles for one reference and period."""

    def __init__(
        self,
        ref: Reference,
        zones: dict[str, Zone],
        period_end: int,
        pick_engineer: PickEngineer,
    ) -> None:
        self.ref = ref
        self.zones = zones
        self.period_end = period_end
        self.pick_engineer = pick_engineer

    def build(self, ticket_id: str, spec: TicketSpec, rng: random.Random) -> TicketLife:
        """The lifecycle of one ticket."""
        client = spec.client
        tier = client.contract_tier
        fr_policy = self.ref.policies[(tier, spec.priority, "first_response")]
        res_policy = self.ref.policies[(tier, spec.priority, "resolution")]
        zone = self.zones[client.timezone]
        calendar = self.ref.calendars[client.calendar_id]
        fast = client.profile in ("happy", "watermelon") and not spec.long_running
        if fast:
            statuses = self._fast(spec, fr_policy.target_minutes, res_policy.target_minutes, rng)
            statuses = self._snap_resolution_back(statuses, zone, calendar, rng)
        else:
            clock = Clock(fr_policy.clock, zone, calendar)
            statuses = self._normal(
                spec, fr_policy.target_minutes, res_policy.target_minutes, clock, rng
            )
        return self._assemble(ticket_id, spec, statuses, zone, calendar, rng)

    def _fast(
        self, spec: TicketSpec, fr_target: int, res_target: int, rng: random.Random
    ) -> list[tuple[int, str]]:
        created = spec.created
        first = created + max(45, int(fr_target * 60 * rng.uniform(0.05, 0.55)))
        limit = created + int(res_target * 60 * SLA_SAFE_SHARE) - 120
        goal = created + int(res_target * 60 * rng.uniform(0.2, 0.7))
        final = min(max(goal, first + 600), limit)
        statuses = [(created, "New"), (first, "In Progress")]
        span = final - first
        roll = rng.random()
        if roll < 0.12 and span > HOUR:
            statuses += [
                (first + int(span * rng.uniform(0.2, 0.4)), "Waiting Customer"),
                (first + int(span * rng.uniform(0.5, 0.7)), "In Progress"),
            ]
        elif (
            roll < 0.12 + REOPEN_RATES[spec.client.profile]
            and span > HOUR
            and spec.priority != "P1"
        ):
            resolved = first + int(span * rng.uniform(0.3, 0.5))
            statuses += [
                (resolved, "Resolved"),
                (resolved + int((final - resolved) * rng.uniform(0.2, 0.5)), "In Progress"),
            ]
        statuses.append((final, "Resolved"))
        return statuses

    def _snap_resolution_back(
        self,
        statuses: list[tuple[int, str]],
        zone: Zone,
        calendar: BusinessCalendar,
        rng: random.Random,
    ) -> list[tuple[int, str]]:
        """Prefer a final resolution inside the client's opening hours when one is earlier."""
        final = statuses[-1][0]
        floor = statuses[-2][0] + 600
        back = calendar.snap_back(zone.local(final))
        if back is not None:
            candidate = zone.to_ts(back) - rng.randint(0, 900)
            if floor <= candidate < final:
                statuses[-1] = (candidate, "Resolved")
        return statuses

    def _normal(
        self,
        spec: TicketSpec,
        fr_target: int,
        res_target: int,
        clock: Clock,
        rng: random.Random,
    ) -> list[tuple[int, str]]:
        profile = spec.client.profile if spec.client.profile in BREACH_RATES else "normal"
        fr_breach, res_breach = BREACH_RATES[profile]
        created = spec.created
        if rng.random() < fr_breach:
            fr_minutes = fr_target * rng.uniform(1.15, 3.0)
        else:
            fr_minutes = fr_target * (0.04 + 0.76 * rng.random() ** 2)
        first = clock.add(created, fr_minutes) + rng.randint(1, 50)
        if rng.random() < res_breach:
            running = res_target * rng.uniform(1.15, 2.5)
        else:
            running = res_target * (0.1 + 0.72 * rng.random() ** 1.3)
        remaining = max(running - fr_minutes, rng.uniform(6, 30))
        waits = self._waits(spec, rng)
        statuses = [(created, "New"), (first, "In Progress")]
        weights = [rng.uniform(0.3, 1.0) for _ in range(len(waits) + 1)]
        cursor = first
        for i, weight in enumerate(weights):
            cursor = clock.add(cursor, remaining * weight / sum(weights)) + rng.randint(1, 50)
            if i < len(waits):
                status, hours = waits[i]
                statuses.append((cursor, status))
                resume = clock.calendar.snap_forward(clock.zone.local(cursor + int(hours * HOUR)))
                cursor = max(clock.zone.to_ts(resume) + rng.randint(60, 1500), cursor + 600)
                statuses.append((cursor, "In Progress"))
        statuses.append((cursor, "Resolved"))
        if spec.priority != "P1" and rng.random() < REOPEN_RATES[profile]:
            later = clock.zone.local(cursor + rng.randint(2 * HOUR, 40 * HOUR))
            reopened = clock.zone.to_ts(clock.calendar.snap_forward(later)) + rng.randint(60, 1800)
            statuses.append((reopened, "In Progress"))
            cursor = clock.add(reopened, rng.uniform(15, 180)) + rng.randint(1, 50)
            statuses.append((cursor, "Resolved"))
        return statuses

    def _waits(self, spec: TicketSpec, rng: random.Random) -> list[tuple[str, float]]:
        """Statuses the ticket waits in (with hours), in order."""
        if spec.long_running:
            return [
                ("Waiting Vendor", rng.uniform(50, 70)),
                ("Waiting Customer", rng.uniform(26, 40)),
            ]
        if spec.priority == "P1":
            return [("Waiting Vendor", rng.uniform(0.5, 2))] if rng.random() < 0.1 else []
        scheduled = 0.08 if spec.client.contract_tier == "bronze" else 0.02
        waits: list[tuple[str, float]] = []
        for _ in range(rng.choices((0, 1, 2), weights=(68, 24, 8))[0]):
            roll = rng.random()
            if roll < scheduled:
                waits.append(("Scheduled", rng.uniform(20, 72)))
            elif roll < scheduled + 0.25:
                waits.append(("Waiting Vendor", rng.uniform(4, 96)))
            else:
                waits.append(("Waiting Customer", rng.uniform(1, 60)))
        return waits

    def _assemble(
        self,
        ticket_id: str,
        spec: TicketSpec,
        statuses: list[tuple[int, str]],
        zone: Zone,
        calendar: BusinessCalendar,
        rng: random.Random,
    ) -> TicketLife:
        """Add closure, assignments and priority changes; cut at the end of the period."""
        profile = spec.client.profile
        final = statuses[-1][0]
        if rng.random() < 0.8:
            closed, closer = final + 72 * HOUR + rng.randint(0, 2 * HOUR), "system"
        else:
            later = zone.local(final + rng.randint(24 * HOUR, 96 * HOUR))
            closed, closer = zone.to_ts(calendar.snap_forward(later)) + rng.randint(60, 3000), ""
        statuses.append((closed, "Closed"))

        first = statuses[1][0]
        first_resolved = next(ts for ts, status in statuses if status == "Resolved")
        engineer = self.pick_engineer(spec.client, spec.category, first, None, spec.long_running)
        assignee_events: list[tuple[int, str, str]] = []
        changes: list[tuple[int, str, str]] = []
        assigned_at = max(spec.created, first - rng.randint(20, 300))
        if engineer:
            assignee_events.append((assigned_at, "", engineer))
            reassign = rng.random() < REASSIGN_RATES[profile] and not spec.long_running
            if reassign and first_resolved - first > 1200:
                moved = first + int((first_resolved - first) * rng.uniform(0.2, 0.7))
                other = self.pick_engineer(spec.client, spec.category, moved, engineer, False)
                if other:
                    assignee_events.append((moved, engineer, other))
        initial_priority = spec.priority
        if rng.random() < PRIORITY_CHANGE_RATE:
            initial_priority = _neighbour_priority(spec.priority, rng)
            if rng.random() < 0.5:
                changed = max(spec.created + 1, first - rng.randint(10, 120))
            else:
                changed = first + int((first_resolved - first) * rng.uniform(0.1, 0.6))
            changes.append((changed, initial_priority, spec.priority))

        events = self._events(spec, statuses, assignee_events, changes, closer)
        # Read the milestones back from the events, whose timestamps are final.
        first = next(e[0] for e in events if e[1] == "status" and e[3] == "In Progress")
        final = max(e[0] for e in events if e[1] == "status" and e[3] == "Resolved")
        closed = next(e[0] for e in events if e[1] == "status" and e[3] == "Closed")
        moves = [(e[0], e[3]) for e in events if e[1] == "assignee"]
        end = self.period_end
        life = TicketLife(
            ticket_id=ticket_id,
            spec=spec,
            initial_priority=initial_priority,
            events=[e for e in events if e[0] < end],
            first_response=first if first < end else None,
            resolved=final if final < end else None,
            closed=closed if closed < end else None,
            effort_minutes=self._effort(spec, rng),
        )
        # Wrap-up (notes, checks with the user) may follow the resolution until closure.
        work_end = min(final + WRAP_UP_SECONDS, closed, end)
        for i, (start, engineer_id) in enumerate(moves):
            until = moves[i + 1][0] if i + 1 < len(moves) else work_end
            begin = max(start, first)
            if begin < min(until, work_end):
                life.assignments.append((engineer_id, begin, min(until, work_end)))
        return life

    def _events(
        self,
        spec: TicketSpec,
        statuses: list[tuple[int, str]],
        assignee_events: list[tuple[int, str, str]],
        changes: list[tuple[int, str, str]],
        closer: str,
    ) -> list[Event]:
        """All events in time order, with distinct timestamps and the right actors."""
        raw: list[tuple[int, int, str, str, str]] = []  # ts, order, field, old, new
        previous = ""
        for ts, status in statuses:
            # Creation comes first, even when the assignment shares its second.
            raw.append((ts, -1 if status == "New" else 1, "status", previous, status))
            previous = status
        raw += [(ts, 0, "assignee", old, new) for ts, old, new in assignee_events]
        raw += [(ts, 2, "priority", old, new) for ts, old, new in changes]
        raw.sort(key=lambda r: (r[0], r[1]))
        events: list[Event] = []
        last_ts = -1
        assignee = ""
        for ts, _, name, old, new in raw:
            ts = max(ts, last_ts + 1)
            last_ts = ts
            if name == "assignee":
                # A first assignment is the dispatcher's (the region's lead) decision.
                actor = old or self.ref.leads.get(spec.client.region, new)
                assignee = new
            elif name == "status" and new == "New":
                actor = spec.contact_id or "system"
            elif name == "status" and new == "Closed":
                actor = closer or assignee or "system"
            elif name == "status" and old == "Resolved":
                actor = spec.contact_id or "system"  # the customer reopens by replying
            else:
                actor = assignee or "system"
            events.append((ts, name, old, new, actor))
        return events

    def _effort(self, spec: TicketSpec, rng: random.Random) -> int:
        if spec.long_running:
            return OUTLIER_EFFORT_MINUTES
        median = EFFORT_MEDIAN[spec.priority] * EFFORT_FACTOR[spec.category]
        return max(10, min(EFFORT_CAP_MINUTES, round(median * rng.lognormvariate(0, 0.5))))


def _neighbour_priority(priority: str, rng: random.Random) -> str:
    """A priority one step away: what the ticket was logged as before triage fixed it."""
    order = ("P1", "P2", "P3", "P4")
    i = order.index(priority)
    options = [order[j] for j in (i - 1, i + 1) if 0 <= j < len(order)]
    return rng.choice(options)
