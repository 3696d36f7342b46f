"""When entries are entered and corrected: each day in one style (with a running timer,
at the end of the day, or the next working morning), on-call entries some time after
the call, now and then a correction days later; and the incidents about entering: one
entry entered 8 to 10 business days after the work (late_entry), or a whole day
entered in one sitting well over a week later (bulk_backfill).
"""

from __future__ import annotations

import random
from datetime import date

from xla_lab.generate import text
from xla_lab.generate.timeslips.entries import DAY, MINUTE, Entry, Incident

STYLE_WEIGHTS = ("timer", "eod", "next")


class Entering:
    """Part of `Desk`: entered and updated times, corrections, late entries."""

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
