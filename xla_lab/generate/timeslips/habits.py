"""The habits of the engineers who have one, each breaking one timeslip rule again and
again: letting one entry run into the next (overlap), logging time on tickets closed
days ago (outside_ticket_life), and easing off once the week's billable target is
reached (post_target_slowdown), kept as a finding per week for the answer key to
confirm against the rows written. Billing exactly the daily target in half hours
(exact_target, round_heaping) is a plan of the billing week, in `days`.
"""

from __future__ import annotations

import random
from datetime import date
from itertools import pairwise

from xla_lab.generate import text
from xla_lab.generate.tickets import EFFORT_CAP_MINUTES
from xla_lab.generate.timeslips.entries import DAY, MINUTE, DayParams, Entry, Finding


class Habits:
    """Part of `Desk`: the habits that break a rule on purpose."""

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
