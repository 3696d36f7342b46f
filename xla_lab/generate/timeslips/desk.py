"""A desk: one engineer's state (assigned work, fixed on-call entries, leave, the billing
week, habits, pending incidents and findings) and the order in which a working day
is lived: the week rolled over, the day's parameters chosen, the day filled, the
day's incidents planted, every entry given the time it was entered. What each step
does is in the module of its part: `days`, `workload`, `work`, `habits`, `incidents`
and `entering`.
"""

from __future__ import annotations

import random
from datetime import date

from xla_lab.generate.calendars import BusinessCalendar, Zone
from xla_lab.generate.people import Engineer
from xla_lab.generate.tickets import EFFORT_CAP_MINUTES
from xla_lab.generate.timeslips.days import WorkingDays
from xla_lab.generate.timeslips.entering import Entering
from xla_lab.generate.timeslips.entries import (
    DAY,
    DayParams,
    Entry,
    Finding,
    Incident,
    WorkItem,
)
from xla_lab.generate.timeslips.habits import Habits
from xla_lab.generate.timeslips.incidents import Incidents
from xla_lab.generate.timeslips.work import OrdinaryWork
from xla_lab.generate.timeslips.workload import Workload


class Desk(WorkingDays, Workload, OrdinaryWork, Habits, Incidents, Entering):
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

    def _params(
        self, day: date, available: int, rng: random.Random, due: list[Incident]
    ) -> DayParams:
        """How the day is to be filled: an ordinary day, changed by the week's plan, a
        habit or an incident due today."""
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
