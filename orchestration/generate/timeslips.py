"""Engineers' working days and the timeslips they enter.

Each engineer has a desk: the ticket work assigned to them (a window in which the work
can happen and a budget of minutes), on-call entries fixed in time, leave, and a weekly
billing position. A working day is filled with sequential, non-overlapping entries inside
the engineer's opening hours: ticket work picked earliest-deadline-first while the week
stays below its billing cap, internal work otherwise.

Ordinary engineers stay clear of every timeslip rule by construction: their billed hours
stay below the (pro-rated) weekly target, durations are arbitrary minutes, notes are
specific, no engineer spends 4 hours or more on an ordinary ticket, internal work stays
inside opening hours, and entries are entered the same or the next working day. The
habits and incidents in this module break exactly one rule each, on purpose, and tag the
entries they touch so the answer key can name them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise

from orchestration.generate import text
from orchestration.generate.calendars import BusinessCalendar, Zone
from orchestration.generate.reference import Engineer
from orchestration.generate.tickets import EFFORT_CAP_MINUTES

MINUTE = 60
DAY = 86_400
# Normal engineers stay this far (hundredths of an hour) below the weekly billable target.
WEEKLY_MARGIN = 250
EXCESSIVE_MINUTES = 765  # a planted long day: over 12 h 45 min
EXCESSIVE_FALLBACK = 660  # a failed attempt is trimmed to 11 h, clear of the 12 h rule
DAY_CEILING = 660  # planted extra entries keep an ordinary day under 11 h
ON_CALL_DAILY_CAP = 150
STYLE_WEIGHTS = ("timer", "eod", "next")
LOAD_HALF_LIFE = 12 * 3600


@dataclass(slots=True, eq=False)
class WorkItem:
    """An engineer's share of a ticket: when it can be worked and for how long."""

    ticket_id: str
    client_id: str
    category: str
    priority: str
    start: int
    end: int
    budget: int
    billable: str
    ticket_minutes: list[int]  # shared by every engineer's item on the ticket
    spent: int = 0
    touches: int = 0
    focus: bool = False
    closed: int | None = None

    def remaining(self) -> int:
        """Minutes that may still be booked without nearing the effort-outlier floor."""
        if self.focus:
            return self.budget - self.spent
        return min(self.budget - self.spent, EFFORT_CAP_MINUTES - self.ticket_minutes[0])

    def book(self, minutes: int) -> None:
        self.spent += minutes
        self.ticket_minutes[0] += minutes
        self.touches += 1


@dataclass(slots=True, eq=False)
class Entry:
    """One timeslip as the engineer enters it."""

    engineer_id: str
    work_date: date
    start: int
    end: int
    ticket_id: str
    client_id: str
    billable: str
    billed: int  # hundredths of an hour
    work_type: str
    notes: str
    item: WorkItem | None = None
    entered: int = 0
    updated: int = 0
    timeslip_id: str = ""
    on_call: bool = False
    planted: bool = False
    is_copy: bool = False
    edit: tuple[int, str, str, int] | None = None  # updated, notes, billable, billed
    tags: list[tuple[str, str, Entry | None]] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return (self.end - self.start) // MINUTE

    @property
    def worked(self) -> int:
        """hours_worked in hundredths (half up)."""
        return (self.minutes * 100 + 30) // 60


@dataclass
class Incident:
    """A planted anomaly waiting for a suitable working day of one engineer."""

    kind: str
    earliest: date
    latest: date


@dataclass
class DayParams:
    """How one working day is filled."""

    start: int
    limit: int
    work: int
    budget: float
    exact: bool = False
    half_hours: bool = False
    extended: bool = False
    vague: bool = False
    post_closure: bool = False
    slowdown_target: float | None = None
    lunch: tuple[int, int] | None = None


@dataclass
class Finding:
    """An engineer-level planted anomaly (not tied to one timeslip id)."""

    rule_id: str
    subject_type: str
    subject_id: str
    detail: str
    # What must be true of the written data for it to stand.
    engineer_id: str
    days: tuple[date, ...] = ()
    min_minutes: int = 0
    cut: int = 0  # for a slowdown week: the instant the weekly target was reached


def hundredths(value: int) -> str:
    """Hundredths of an hour as a decimal with two places."""
    return f"{value // 100}.{value % 100:02d}"


def subtract(
    segments: list[tuple[int, int]], blocks: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Segments minus blocked intervals (all in minutes)."""
    for lo, hi in blocks:
        cut: list[tuple[int, int]] = []
        for a, b in segments:
            if hi <= a or lo >= b:
                cut.append((a, b))
                continue
            if a < lo:
                cut.append((a, lo))
            if hi < b:
                cut.append((hi, b))
        segments = cut
    return [s for s in segments if s[1] > s[0]]


class Desk:
    """One engineer: assigned work, fixed entries, leave, billing position, habits."""

    def __init__(
        self,
        engineer: Engineer,
        zone: Zone,
        calendar: BusinessCalendar,
        leave: dict[date, float],
        seed: int,
        period: tuple[int, int],
    ) -> None:
        self.engineer = engineer
        self.id = engineer.engineer_id
        self.zone = zone
        self.calendar = calendar
        self.leave = leave
        self.period_start, self.period_end = period
        self.habits = engineer.habits
        self.items: list[WorkItem] = []
        self.fixed: dict[date, list[Entry]] = {}
        self.closed_items: list[WorkItem] = []
        self.incidents: list[Incident] = []
        self.findings: list[Finding] = []
        traits = random.Random(f"xla|{seed}|traits|{self.id}")
        self.styles = (
            traits.uniform(0.3, 0.6),
            traits.uniform(0.3, 0.5),
            traits.uniform(0.05, 0.15),
        )
        self.load = 0.0
        self.load_ts = 0
        self.week: tuple[int, int] | None = None
        self.week_billed = 0.0
        self.week_cap = 0.0
        self.week_plan: dict[date, str] = {}
        self.week_state: dict[str, float] = {}

    # -- availability -------------------------------------------------------------

    def available_minutes(self, day: date) -> int:
        """Contracted minutes on a date after leave; 0 on days off."""
        if not self.engineer.employed(day) or not self.calendar.intervals(day):
            return 0
        leave = round(self.leave.get(day, 0) * 60)
        return max(0, self.engineer.daily_minutes - leave)

    def _next_working_day(self, day: date, within: int = 5) -> date | None:
        for _ in range(within):
            day += timedelta(days=1)
            if self.available_minutes(day):
                return day
        return None

    def _business_days_later(self, day: date, count: int) -> date:
        for _ in range(count):
            day = self.calendar.next_open_day(day)
        return day

    def _opening_instant(self, day: date, rng: random.Random, spread: int) -> int:
        opens = self.calendar.intervals(day)[0][0]
        return self.zone.day_origin(day) + (opens + rng.randint(0, spread)) * MINUTE

    # -- assigned work ------------------------------------------------------------

    def load_at(self, when: int) -> float:
        """Recently assigned work, halving every twelve hours."""
        return self.load * 0.5 ** (max(0, when - self.load_ts) / LOAD_HALF_LIFE)

    def add_load(self, when: int, minutes: float) -> None:
        self.load = self.load_at(when) + minutes
        self.load_ts = max(self.load_ts, when)

    def add_work(self, item: WorkItem, rng: random.Random) -> bool:
        """Take on a ticket share: regular work if the window meets working hours,
        else a fixed on-call entry. Engineers with a habit take no on-call work, so their
        patterns stay clean."""
        day = self.zone.local_date(item.start)
        last = self.zone.local_date(item.end)
        while day <= last and (day - self.zone.local_date(item.start)).days <= 14:
            if self.available_minutes(day):
                origin = self.zone.day_origin(day)
                for opens, closes in self.calendar.intervals(day):
                    lo = max(item.start, origin + opens * MINUTE)
                    hi = min(item.end, origin + closes * MINUTE)
                    if hi - lo >= 10 * MINUTE:
                        self.items.append(item)
                        return True
            day += timedelta(days=1)
        # Long windows missed through leave are simply not logged; short ones are on-call.
        if self.habits or item.end - item.start > 12 * 3600:
            return False
        return self._on_call(item, rng)

    def _on_call(self, item: WorkItem, rng: random.Random) -> bool:
        start = item.start + rng.randint(0, 300)
        start -= start % MINUTE
        minutes = min(item.remaining(), rng.randint(20, 80), (item.end - start) // MINUTE)
        if minutes < 5 or start < self.period_start:
            return False
        day = self.zone.local_date(start)
        end = start + minutes * MINUTE
        nearby = [
            e
            for d in (day - timedelta(days=1), day, day + timedelta(days=1))
            for e in self.fixed.get(d, [])
        ]
        if sum(e.minutes for e in self.fixed.get(day, [])) + minutes > ON_CALL_DAILY_CAP:
            return False
        if any(e.start < end and start < e.end for e in nearby):
            return False
        opener = rng.choice(text.ON_CALL_OPENERS)
        action = rng.choice(text.NOTE_ACTIONS[item.category])
        entry = Entry(
            engineer_id=self.id,
            work_date=day,
            start=start,
            end=end,
            ticket_id=item.ticket_id,
            client_id=item.client_id,
            billable=item.billable,
            billed=0,
            work_type="On-call",
            notes=f"{opener} {action}",
            item=item,
            on_call=True,
        )
        item.book(minutes)
        self.fixed.setdefault(day, []).append(entry)
        return True

    # -- the working day ------------------------------------------------------------

    def work_day(self, day: date, rng: random.Random) -> list[Entry]:
        """Every entry of one local date, with entered/updated times set."""
        self._roll_week(day, rng)
        fixed = self.fixed.pop(day, [])
        for entry in fixed:
            self._bill_fixed(entry)
        available = self.available_minutes(day)
        entries = list(fixed)
        due = [i for i in self.incidents if i.earliest <= day <= i.latest]
        self.incidents = [i for i in self.incidents if day <= i.latest]
        if available:
            params = self._params(day, available, rng, due)
            billed_fixed = sum(e.billed for e in fixed)
            regular = self._fill(day, params, rng, fixed, billed_fixed)
            if params.extended:
                regular = self._settle_long_day(day, regular, fixed, due)
            else:
                # Other incidents never share a day with a planted long day.
                if any(t[0] == "vague_note" for e in regular for t in e.tags):
                    self._done(due, "vague_note")
                if "overlap" in self.habits and rng.random() < 0.5:
                    self._plant_overlap(regular, rng)
                self._plant_post_fill(day, regular, fixed, rng, due)
            self.week_billed += sum(e.billed for e in regular)
            entries += regular
            self._track_habits(day, regular)
        if not entries:
            return []
        entries.sort(key=lambda e: (e.start, e.is_copy))
        self._set_entered(day, entries, rng, due)
        for entry in entries:
            if not entry.planted and not self.habits and rng.random() < 0.012:
                self._edit(entry, rng)
        return entries

    def _bill_fixed(self, entry: Entry) -> None:
        """On-call time is billed only while the week stays below its cap."""
        if entry.billable == "Billable" and self.week_billed + entry.worked <= self.week_cap:
            entry.billed = entry.worked
        elif entry.billable == "Billable":
            entry.billable = "No Charge"
        self.week_billed += entry.billed

    def _roll_week(self, day: date, rng: random.Random) -> None:
        iso = day.isocalendar()
        key = (iso.year, iso.week)
        if key == self.week:
            return
        self.week = key
        self.week_billed = 0.0
        monday = day - timedelta(days=day.isoweekday() - 1)
        weekdays = [monday + timedelta(days=i) for i in range(5)]
        target = self.engineer.daily_target_hundredths
        daily = self.engineer.daily_minutes
        self.week_cap = (
            sum(target * self.available_minutes(d) / daily for d in weekdays) - WEEKLY_MARGIN
        )
        self.week_plan = {}
        self.week_state = {}
        working = [d for d in weekdays if self.available_minutes(d)]
        if "exact_target" in self.habits and working:
            # One day a week bills short, so the week never reaches the weekly target.
            short = rng.choice(working)
            self.week_plan = {d: "short" if d == short else "exact" for d in working}
        if "post_target_slowdown" in self.habits and self.target_week(day):
            self.week_plan = dict.fromkeys(weekdays, "fast")
            self.week_state = {"reached": 0.0}

    def target_week(self, day: date) -> bool:
        """A week in which the engineer chases the weekly target: a full working week
        wholly inside the period."""
        monday = day - timedelta(days=day.isoweekday() - 1)
        weekdays = [monday + timedelta(days=i) for i in range(5)]
        first = self.zone.local_date(self.period_start + DAY)
        last = self.zone.local_date(self.period_end) - timedelta(days=2)
        daily = self.engineer.daily_minutes
        return (
            first <= monday
            and weekdays[-1] <= last
            and all(self.available_minutes(d) == daily for d in weekdays)
        )

    def _params(
        self, day: date, available: int, rng: random.Random, due: list[Incident]
    ) -> DayParams:
        intervals = self.calendar.intervals(day)
        part_time = available < 300
        start = intervals[0][0] + rng.randint(0, 60 if part_time else 30)
        limit = intervals[-1][1]
        work = round(available * rng.uniform(0.9, 1.0))
        # Ordinary engineers work whatever tickets they have; only the weekly cap binds.
        budget = self.week_cap - self.week_billed
        lunch = None
        if len(intervals) == 1 and work > 300:
            begins = rng.randint(11 * 60 + 45, 13 * 60)
            lunch = (begins, begins + rng.randint(30, 50))
        params = DayParams(start=start, limit=limit, work=work, budget=budget, lunch=lunch)

        plan = self.week_plan.get(day)
        daily_target = round(self.engineer.daily_target_hundredths)
        weekly_target = self.engineer.weekly_contracted_hours * self.engineer.billable_target_pct
        if plan in ("exact", "short"):
            params.half_hours = True
            params.exact = True
            params.work = rng.choice((480, 480, 510))
            params.budget = daily_target - (0 if plan == "exact" else rng.choice((50, 100, 150)))
            self._top_up(day)
        elif plan == "fast" and not self.week_state.get("reached"):
            params.work = rng.randint(525, 555)
            params.budget = weekly_target + 400
            params.slowdown_target = weekly_target
            self._top_up(day)
        elif plan == "fast":
            params.work = rng.randint(240, 330)
            params.budget = rng.randint(10, 45)
        if "outside_ticket_life" in self.habits and rng.random() < 0.45:
            params.post_closure = True
        kinds = [i.kind for i in due]
        if "excessive_day" in kinds and available == self.engineer.daily_minutes:
            params.extended = True
            params.start = intervals[0][0] - rng.randint(60, 90)
            params.limit = 22 * 60 + 30
            params.work = rng.randint(775, 810)
            params.lunch = (12 * 60, 12 * 60 + 30) if len(intervals) == 1 else None
            self._top_up(day)
        elif "vague_note" in kinds:
            params.vague = True
        return params

    def _top_up(self, day: date) -> None:
        """Give today's open tickets room for more work (up to the ordinary cap)."""
        lo = self.zone.day_origin(day)
        for item in self.items:
            billable = item.billable == "Billable" and not item.focus
            if billable and item.start < lo + DAY and item.end > lo:
                item.budget = EFFORT_CAP_MINUTES

    def _fill(
        self,
        day: date,
        params: DayParams,
        rng: random.Random,
        fixed: list[Entry],
        billed_fixed: int,
    ) -> list[Entry]:
        origin = self.zone.day_origin(day)
        intervals = self.calendar.intervals(day)
        if params.extended:
            segments = [(params.start, params.limit)]
        else:
            segments = [(max(o, params.start), c) for o, c in intervals if c > params.start]
        blocks = [((e.start - origin) // MINUTE, -(-(e.end - origin) // MINUTE)) for e in fixed]
        if params.lunch:
            blocks.append(params.lunch)
        segments = subtract(segments, blocks)
        shortest = 30 if params.half_hours else 5
        day_items = sorted(
            (
                i
                for i in self.items
                if i.remaining() > 0 and i.start < origin + DAY and i.end > origin
            ),
            key=lambda i: (i.end, i.ticket_id),
        )
        self.items = [i for i in self.items if i.remaining() > 0 and i.end > origin]
        focus_quota = rng.randint(150, 200)
        focus_done = 0
        entries: list[Entry] = []
        used_notes: set[str] = set()
        used_today: dict[str, list[int]] = {}
        worked = 0
        billed = float(billed_fixed)
        t = segments[0][0] if segments else 0
        index = 0
        while worked < params.work and index < len(segments):
            a, b = segments[index]
            t = max(t, a)
            room = min(b - t, params.work - worked)
            if room < shortest:
                if params.work - worked < shortest:
                    break
                index += 1
                continue
            now = origin + t * MINUTE
            hours_end = next((c for o, c in intervals if o <= t < c), None)
            entry = None
            if params.post_closure and t >= 10 * 60:
                entry = self._post_closure(day, now, min(room, 50), billed, params, rng)
                params.post_closure = entry is None
            if entry is None and params.vague and t >= 9 * 60 + 30:
                entry = self._vague(day, now, room, hours_end, day_items, billed, params, rng)
                params.vague = entry is None
            if entry is None:
                allow_bill = billed < params.budget - 8
                focus_open = focus_done < focus_quota
                for item in self._candidates(day_items, now, allow_bill, params, focus_open, rng):
                    entry = self._ticket_entry(
                        day, item, now, room, billed, params, rng, used_notes, used_today
                    )
                    if entry is not None:
                        break
            if entry is None and hours_end is not None:
                entry = self._internal(day, now, min(room, hours_end - t), params, rng, used_notes)
            if entry is None:
                t = self._skip_to(t, b, now, day_items, intervals)
                continue
            if entry.item is not None and entry.item.focus:
                focus_done += entry.minutes
            entries.append(entry)
            worked += entry.minutes
            billed += entry.billed
            if params.slowdown_target is not None:
                self._watch_slowdown(day, params, entries, worked, billed, rng)
            t = (entry.end - origin) // MINUTE
            if not params.half_hours and rng.random() < 0.5:
                t += rng.randint(1, 8)
        return entries

    def _skip_to(
        self,
        t: int,
        segment_end: int,
        now: int,
        day_items: list[WorkItem],
        intervals: tuple[tuple[int, int], ...],
    ) -> int:
        """Where to look next when nothing can be done at minute t."""
        later = [t + 15, segment_end]
        later += [o for o, _ in intervals if o > t]
        later += [t + -(-(i.start - now) // MINUTE) for i in day_items if i.start > now]
        return min(x for x in later if x > t)

    def _watch_slowdown(
        self,
        day: date,
        params: DayParams,
        entries: list[Entry],
        worked: int,
        billed: float,
        rng: random.Random,
    ) -> None:
        """Once the weekly target is reached, the rest of the week is slow."""
        target = params.slowdown_target or 0
        if self.week_billed + billed < target:
            return
        params.slowdown_target = None
        weekdays = sorted(self.week_plan)
        if day >= weekdays[-1]:
            return  # reached on the week's last day: nothing after it to slow down
        self.week_state["reached"] = 1.0
        self.week_state["cut"] = float(entries[-1].end)
        params.budget = billed
        params.work = min(params.work, worked + rng.randint(45, 90))

    def _candidates(
        self,
        day_items: list[WorkItem],
        now: int,
        allow_bill: bool,
        params: DayParams,
        focus_open: bool,
        rng: random.Random,
    ) -> list[WorkItem]:
        """The work that can be done now, in the order the engineer would take it up:
        a focus ticket, P1s, tickets nobody has looked at yet, then earliest deadline."""
        shortest = 30 if params.half_hours else 5
        focus: list[WorkItem] = []
        candidates: list[WorkItem] = []
        for item in day_items:
            if item.start > now or item.end < now + shortest * MINUTE:
                continue
            if item.remaining() < shortest:
                continue
            billable = item.billable == "Billable"
            if billable and not allow_bill and not params.extended:
                continue
            if item.focus:
                if focus_open and allow_bill:
                    focus.append(item)
                continue
            if len(candidates) < 6:
                candidates.append(item)
        if allow_bill and (params.exact or params.slowdown_target is not None):
            candidates = [i for i in candidates if i.billable == "Billable"] or candidates
        urgent = [i for i in candidates if i.priority == "P1"]
        untouched = [i for i in candidates if i.touches == 0 and i.priority != "P1"]
        rest = [i for i in candidates if i.touches and i.priority != "P1"]
        if len(rest) > 1 and rng.random() >= 0.6:
            rng.shuffle(rest)
        return focus + urgent + untouched + rest

    def _ticket_entry(
        self,
        day: date,
        item: WorkItem,
        now: int,
        room: int,
        billed: float,
        params: DayParams,
        rng: random.Random,
        used_notes: set[str],
        used_today: dict[str, list[int]],
    ) -> Entry | None:
        if item.touches == 0:
            raw = rng.randint(6, 30)
        elif item.focus:
            raw = rng.randint(70, 120)
        elif self.engineer.team == "service_desk":
            raw = rng.randint(6, 36)
        else:
            raw = rng.randint(10, 60)
        if item.priority == "P1":
            raw = max(raw, rng.randint(20, 60))
        window = (item.end - now) // MINUTE
        if params.half_hours:
            longest = min(window, room, item.remaining()) // 30 * 30
            minutes = min(-(-raw // 30) * 30, longest)
        else:
            minutes = min(raw, window, room, item.remaining())
        kind = item.billable
        if kind == "Billable" and not params.exact:
            left = int((params.budget - billed) * 60 / 100)
            if minutes > left:
                if params.extended:
                    kind = "No Charge"  # overtime on an outage is not charged
                else:
                    minutes = left
        shortest = 30 if params.half_hours else 5
        if minutes < shortest:
            return None
        # The same ticket twice a day never gets the same duration (no look-alike rows).
        used = used_today.get(item.ticket_id, [])
        if params.half_hours:
            while minutes in used and minutes + 30 <= longest:
                minutes += 30
        else:
            while minutes in used and minutes > shortest:
                minutes -= 1
        if minutes in used:
            return None
        start = now
        entry = Entry(
            engineer_id=self.id,
            work_date=day,
            start=start,
            end=start + minutes * MINUTE,
            ticket_id=item.ticket_id,
            client_id=item.client_id,
            billable=kind,
            billed=0,
            work_type=self._work_type(item, rng),
            notes=self._ticket_note(item, rng, used_notes),
            item=item,
        )
        if kind == "Billable":
            entry.billed = entry.worked
            if params.exact:
                entry.billed = max(0, min(entry.worked, round(params.budget - billed)))
                if entry.billed == 0:
                    entry.billable = "No Charge"
        item.book(minutes)
        used_today.setdefault(item.ticket_id, []).append(minutes)
        return entry

    def _work_type(self, item: WorkItem, rng: random.Random) -> str:
        if item.category == "project":
            return "Project Work"
        if item.category == "hardware" and rng.random() < 0.3:
            return "Onsite"
        return "Phone Support" if rng.random() < 0.2 else "Remote Support"

    def _ticket_note(self, item: WorkItem, rng: random.Random, used: set[str]) -> str:
        openers = text.TRIAGE_OPENERS if item.touches == 0 else text.NOTE_OPENERS
        note = ""
        for _ in range(8):
            opener = rng.choice(openers)
            action = rng.choice(text.NOTE_ACTIONS[item.category])
            if not opener:
                action = action[0].upper() + action[1:]
            note = f"{opener} {action}; {rng.choice(text.NOTE_OUTCOMES)}".strip()
            if note not in used:
                break
        else:
            note = f"{note} ({item.ticket_id}, part {item.touches + 1})"
        used.add(note)
        return note

    def _internal(
        self,
        day: date,
        now: int,
        room: int,
        params: DayParams,
        rng: random.Random,
        used_notes: set[str],
    ) -> Entry | None:
        minutes = min(rng.randint(8, 32), room)
        if params.half_hours:
            minutes = min(-(-minutes // 30) * 30, room // 30 * 30)
        if minutes < (30 if params.half_hours else 5):
            return None
        options = [w for w in text.INTERNAL_WORK if w[1] not in used_notes]
        work_type, note = rng.choice(options or text.INTERNAL_WORK)
        if note in used_notes:
            note = f"{note} (continued, part {len(used_notes)})"
        used_notes.add(note)
        return Entry(
            engineer_id=self.id,
            work_date=day,
            start=now,
            end=now + minutes * MINUTE,
            ticket_id="",
            client_id="",
            billable="Do Not Bill",
            billed=0,
            work_type=work_type,
            notes=note,
        )

    # -- habits and planted incidents ------------------------------------------------

    def _post_closure(
        self,
        day: date,
        now: int,
        room: int,
        billed: float,
        params: DayParams,
        rng: random.Random,
    ) -> Entry | None:
        """The habit of logging time on tickets closed days ago."""
        minutes = rng.randint(20, 50)
        if minutes > room:
            return None
        self.closed_items = [i for i in self.closed_items if (i.closed or 0) > now - 12 * DAY]
        choices = [
            i
            for i in self.closed_items
            if (i.closed or 0) <= now - 26 * 3600
            and EFFORT_CAP_MINUTES - i.ticket_minutes[0] >= minutes
        ]
        if not choices:
            return None
        item = rng.choice(choices)
        entry = Entry(
            engineer_id=self.id,
            work_date=day,
            start=now,
            end=now + minutes * MINUTE,
            ticket_id=item.ticket_id,
            client_id=item.client_id,
            billable="Billable",
            billed=0,
            work_type="Remote Support",
            notes=rng.choice(text.POST_CLOSURE_NOTES),
            item=item,
            planted=True,
        )
        if billed + entry.worked <= params.budget:
            entry.billed = entry.worked
        else:
            entry.billable = "No Charge"
        item.book(minutes)
        hours = (now - (item.closed or 0)) / 3600
        closed_at = self.zone.iso(item.closed or 0)
        entry.tags.append(
            (
                "outside_ticket_life",
                f"started {hours:.0f} h after {item.ticket_id} closed at {closed_at}",
                None,
            )
        )
        return entry

    def _vague(
        self,
        day: date,
        now: int,
        room: int,
        hours_end: int | None,
        day_items: list[WorkItem],
        billed: float,
        params: DayParams,
        rng: random.Random,
    ) -> Entry | None:
        """A long entry whose note says nothing."""
        minutes = rng.randint(135, 200)
        if minutes > room:
            return None
        note = rng.choice(text.VAGUE_NOTES)
        item = next(
            (
                i
                for i in day_items
                if i.start <= now
                and i.end >= now + minutes * MINUTE
                and not i.focus
                and EFFORT_CAP_MINUTES - i.ticket_minutes[0] >= minutes
            ),
            None,
        )
        if item is None:
            origin = self.zone.day_origin(day)
            if hours_end is None or (now - origin) // MINUTE + minutes > hours_end:
                return None
            entry = Entry(
                engineer_id=self.id,
                work_date=day,
                start=now,
                end=now + minutes * MINUTE,
                ticket_id="",
                client_id="",
                billable="Do Not Bill",
                billed=0,
                work_type="Admin",
                notes=note,
                planted=True,
            )
        else:
            entry = Entry(
                engineer_id=self.id,
                work_date=day,
                start=now,
                end=now + minutes * MINUTE,
                ticket_id=item.ticket_id,
                client_id=item.client_id,
                billable=item.billable,
                billed=0,
                work_type="Remote Support",
                notes=note,
                item=item,
                planted=True,
            )
            if item.billable == "Billable" and billed + entry.worked <= params.budget:
                entry.billed = entry.worked
            elif item.billable == "Billable":
                entry.billable = "No Charge"
            item.book(minutes)
        entry.tags.append(("vague_note", f"{hundredths(entry.worked)} h with notes {note!r}", None))
        return entry

    def _settle_long_day(
        self, day: date, entries: list[Entry], fixed: list[Entry], due: list[Incident]
    ) -> list[Entry]:
        """Keep a planted long day only when it is unambiguously over 12 hours."""
        worked = sum(e.minutes for e in entries) + sum(e.minutes for e in fixed)
        if worked >= EXCESSIVE_MINUTES:
            self._done(due, "excessive_day")
            self.findings.append(
                Finding(
                    rule_id="excessive_day",
                    subject_type="engineer_day",
                    subject_id=f"{self.id}|{day.isoformat()}",
                    detail=f"worked {worked / 60:.2f} h on {day.isoformat()} "
                    f"in {len(entries)} entries (an outage day)",
                    engineer_id=self.id,
                    days=(day,),
                    min_minutes=EXCESSIVE_MINUTES,
                )
            )
            return entries
        while entries and worked > EXCESSIVE_FALLBACK:
            dropped = entries.pop()
            worked -= dropped.minutes
            if dropped.item is not None:
                dropped.item.spent -= dropped.minutes
                dropped.item.ticket_minutes[0] -= dropped.minutes
        return entries

    def _plant_overlap(self, entries: list[Entry], rng: random.Random) -> None:
        """The habit of letting one entry run into the next."""
        regular = sorted(entries, key=lambda e: e.start)
        pairs = list(pairwise(regular))
        rng.shuffle(pairs)
        for first, second in pairs:
            gap = (second.start - first.end) // MINUTE
            if gap > 15 or second.minutes < 30 or first.planted or second.planted:
                continue
            overlap = rng.randint(15, min(35, second.minutes - 10))
            extra = gap + overlap
            if first.item is not None:
                if first.item.remaining() < extra and not first.item.focus:
                    continue
                first.item.book(extra)
                first.item.touches -= 1
            first.end += extra * MINUTE
            first.planted = second.planted = True
            second.tags.append(("overlap", f"starts {overlap} min before {{other}} ends", first))
            return

    def _plant_post_fill(
        self,
        day: date,
        entries: list[Entry],
        fixed: list[Entry],
        rng: random.Random,
        due: list[Incident],
    ) -> None:
        kinds = [i.kind for i in due]
        # Added time must never make an ordinary day look like an excessive one.
        room = DAY_CEILING - sum(e.minutes for e in entries) - sum(e.minutes for e in fixed)
        if room < 100:
            kinds = [k for k in kinds if k not in ("duplicate", "off_hours_without_ticket")]
        if "duplicate" in kinds:
            source = next(
                (
                    e
                    for e in sorted(entries, key=lambda e: (e.minutes, e.start))
                    if e.item is not None
                    and not e.planted
                    and 15 <= e.minutes <= 60
                    and e.item.remaining() >= e.minutes
                ),
                None,
            )
            if source is not None:
                copy = Entry(
                    engineer_id=source.engineer_id,
                    work_date=source.work_date,
                    start=source.start,
                    end=source.end,
                    ticket_id=source.ticket_id,
                    client_id=source.client_id,
                    billable=source.billable,
                    billed=source.billed,
                    work_type=source.work_type,
                    notes=source.notes,
                    item=source.item,
                    planted=True,
                    is_copy=True,
                )
                assert source.item is not None
                source.item.book(source.minutes)
                source.planted = True
                copy.tags.append(("duplicate", "second copy of {other}", source))
                copy.tags.append(
                    ("overlap", "exact duplicate of {other}, overlaps it fully", source)
                )
                entries.append(copy)
                self._done(due, "duplicate")
        if "billed_over_worked" in kinds:
            target = next(
                (e for e in entries if e.billable == "Billable" and not e.planted and e.item),
                None,
            )
            if target is not None:
                extra = rng.randint(25, 100)
                target.billed = target.worked + extra
                target.planted = True
                target.tags.append(
                    (
                        "billed_over_worked",
                        f"billed {hundredths(target.billed)} h for "
                        f"{hundredths(target.worked)} h worked",
                        None,
                    )
                )
                self._done(due, "billed_over_worked")
        if "off_hours_without_ticket" in kinds and entries:
            origin = self.zone.day_origin(day)
            close = self.calendar.intervals(day)[-1][1]
            last = max((e.end - origin) // MINUTE for e in entries)
            begin = max(close, last) + rng.randint(75, 120)
            minutes = rng.randint(45, 100)
            start, end = origin + begin * MINUTE, origin + (begin + minutes) * MINUTE
            clash = any(
                e.start < end and start < e.end
                for e in fixed + self.fixed.get(day + timedelta(days=1), [])
            )
            if begin + minutes < 23 * 60 + 30 and not clash:
                entry = Entry(
                    engineer_id=self.id,
                    work_date=day,
                    start=start,
                    end=end,
                    ticket_id="",
                    client_id="",
                    billable="Do Not Bill",
                    billed=0,
                    work_type="Internal",
                    notes=rng.choice(text.OFF_HOURS_INTERNAL),
                    planted=True,
                )
                local = self.zone.local(start).strftime("%H:%M")
                entry.tags.append(
                    (
                        "off_hours_without_ticket",
                        f"internal work at {local} local, after the calendar closes",
                        None,
                    )
                )
                entries.append(entry)
                self._done(due, "off_hours_without_ticket")

    def _done(self, due: list[Incident], kind: str) -> None:
        for incident in due:
            if incident.kind == kind and incident in self.incidents:
                self.incidents.remove(incident)
                return

    def _track_habits(self, day: date, entries: list[Entry]) -> None:
        if "post_target_slowdown" in self.habits and self.week_plan:
            weekdays = sorted(self.week_plan)
            if day == weekdays[-1] and self.week_state.get("reached"):
                iso = day.isocalendar()
                self.findings.append(
                    Finding(
                        rule_id="post_target_slowdown",
                        subject_type="engineer_period",
                        subject_id=f"{self.id}|{iso.year}-W{iso.week:02d}",
                        detail="",  # filled in from the written entries
                        engineer_id=self.id,
                        days=tuple(weekdays),
                        cut=int(self.week_state["cut"]),
                    )
                )

    # -- entering ---------------------------------------------------------------------

    def _set_entered(
        self, day: date, entries: list[Entry], rng: random.Random, due: list[Incident]
    ) -> None:
        style = rng.choices(STYLE_WEIGHTS, weights=self.styles)[0]
        following = self._next_working_day(day) if style == "next" else None
        if style == "next" and following is None:
            style = "eod"
        last_end = (
            max(e.end for e in entries if not e.on_call)
            if any(not e.on_call for e in entries)
            else 0
        )
        if style == "eod":
            cursor = last_end + rng.randint(5, 40) * MINUTE
        elif following is not None:
            cursor = self._opening_instant(following, rng, 40)
        else:
            cursor = 0
        for entry in entries:
            if entry.on_call:
                entry.entered = entry.end + rng.randint(60, 1200)
            elif style == "timer":
                entry.entered = entry.end + rng.randint(0, 240)
            else:
                cursor += rng.randint(20, 90)
                entry.entered = cursor
            entry.updated = entry.entered
        for entry in entries:
            if entry.is_copy and entry.tags[0][2] is not None:
                entry.entered = entry.updated = entry.tags[0][2].entered + rng.randint(60, 1800)
        kinds = [i.kind for i in due]
        if "bulk_backfill" in kinds:
            self._plant_backfill(day, entries, rng, due)
        elif "late_entry" in kinds:
            self._plant_late(day, entries, rng, due)

    def _plant_late(
        self, day: date, entries: list[Entry], rng: random.Random, due: list[Incident]
    ) -> None:
        candidates = [e for e in entries if e.item is not None and not e.planted and not e.on_call]
        if not candidates:
            return
        entry = rng.choice(candidates)
        later = self._business_days_later(day, rng.randint(8, 10))
        entered = self._opening_instant(later, rng, 300) + rng.randint(0, 59)
        if entered >= self.period_end - DAY:
            return
        entry.entered = entry.updated = entered
        entry.planted = True
        entry.tags.append(
            ("late_entry", f"work on {day.isoformat()} entered on {later.isoformat()}", None)
        )
        self._done(due, "late_entry")

    def _plant_backfill(
        self, day: date, entries: list[Entry], rng: random.Random, due: list[Incident]
    ) -> None:
        """Forgot a whole day, entered it all in one sitting well over a week later."""
        batch = [e for e in entries if not e.on_call and not e.planted]
        if len(batch) < 10:
            return
        later = self._business_days_later(day, rng.randint(9, 11))
        sitting = self._opening_instant(later, rng, 0) + rng.randint(60, 300) * MINUTE
        step = 150 if len(batch) <= 20 else max(30, 2700 // len(batch))
        if sitting + step * len(batch) >= self.period_end - DAY:
            return
        for n, entry in enumerate(batch):
            entry.entered = entry.updated = sitting + n * step + rng.randint(0, 20)
            entry.planted = True
            entry.tags.append(
                (
                    "bulk_backfill",
                    f"one of {len(batch)} entries for {day.isoformat()} "
                    f"entered on {later.isoformat()} within {step * len(batch) // 60 + 1} min",
                    None,
                )
            )
            entry.tags.append(
                ("late_entry", f"work on {day.isoformat()} entered on {later.isoformat()}", None)
            )
        self._done(due, "bulk_backfill")

    def _edit(self, entry: Entry, rng: random.Random) -> None:
        """A later correction: clarified notes, sometimes written off as No Charge."""
        updated = entry.entered + rng.randint(1, 4) * DAY + rng.randint(0, 8 * 3600)
        notes = entry.notes + rng.choice(text.EDIT_SUFFIXES)
        billable, billed = entry.billable, entry.billed
        if billable == "Billable" and rng.random() < 0.3:
            billable, billed = "No Charge", 0
            notes = entry.notes + " - written off as goodwill"
        entry.edit = (updated, notes, billable, billed)
