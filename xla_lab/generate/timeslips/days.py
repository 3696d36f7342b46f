"""The calendar bookkeeping of a desk: the minutes an engineer is available on a local
date (employment, the business calendar, leave), the next working or business day, the
instant a day opens, and the billing week: its cap, pro-rated and kept below the weekly
billable target so that ordinary engineers never reach it, the on-call time billed
against it, and the week's plan for an engineer whose habit is weekly (exact_target,
post_target_slowdown).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from xla_lab.generate.timeslips.entries import DAY, MINUTE, Entry

# Normal engineers stay this far (hundredths of an hour) below the weekly billable target.
WEEKLY_MARGIN = 250


class WorkingDays:
    """Part of `Desk`: working days, opening instants and the billing week."""

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

    def _bill_fixed(self, entry: Entry) -> None:
        """On-call time is billed only while the week stays below its cap."""
        if entry.billable == "Billable" and self.week_billed + entry.worked <= self.week_cap:
            entry.billed = entry.worked
        elif entry.billable == "Billable":
            entry.billable = "No Charge"
        self.week_billed += entry.billed
