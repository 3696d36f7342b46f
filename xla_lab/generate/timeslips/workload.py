"""The work an engineer takes on: the load of recently assigned tickets, by which the
assignment gives a ticket to the less busy of two engineers, and each share of a
ticket, kept as regular work when its window meets the engineer's opening hours and
otherwise entered as a short on-call entry fixed in time.
"""

from __future__ import annotations

import random
from datetime import timedelta

from xla_lab.generate import text
from xla_lab.generate.timeslips.entries import MINUTE, Entry, WorkItem

ON_CALL_DAILY_CAP = 150
LOAD_HALF_LIFE = 12 * 3600


class Workload:
    """Part of `Desk`: assigned load, regular work items and on-call entries."""

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
