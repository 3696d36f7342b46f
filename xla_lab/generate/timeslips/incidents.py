"""The one-off incidents the month's plan gives ordinary engineers (`Incident`), each
planted on a suitable day of its window: a long entry with a vague note (vague_note),
an outage day of over 12 hours (excessive_day) and, once a day is filled, an exact
copy of an entry (duplicate, overlap), hours billed over hours worked
(billed_over_worked) and internal work after the calendar closes
(off_hours_without_ticket). An incident that finds no room waits for a later day.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from xla_lab.generate import text
from xla_lab.generate.tickets import EFFORT_CAP_MINUTES
from xla_lab.generate.timeslips.entries import (
    MINUTE,
    DayParams,
    Entry,
    Finding,
    Incident,
    WorkItem,
    hundredths,
)

EXCESSIVE_MINUTES = 765  # a planted long day: over 12 h 45 min
EXCESSIVE_FALLBACK = 660  # a failed attempt is trimmed to 11 h, clear of the 12 h rule
DAY_CEILING = 660  # planted extra entries keep an ordinary day under 11 h


class Incidents:
    """Part of `Desk`: the planted one-off incidents."""

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

    def _plant_post_fill(
        self,
        day: date,
        entries: list[Entry],
        fixed: list[Entry],
        rng: random.Random,
        due: list[Incident],
    ) -> None:
        """The incidents planted once a day is filled, each where the day has room."""
        kinds = [i.kind for i in due]
        # Added time must never make an ordinary day look like an excessive one.
        room = DAY_CEILING - sum(e.minutes for e in entries) - sum(e.minutes for e in fixed)
        if room < 100:
            kinds = [k for k in kinds if k not in ("duplicate", "off_hours_without_ticket")]
        if "duplicate" in kinds:
            self._plant_duplicate(entries, due)
        if "billed_over_worked" in kinds:
            self._plant_billed_over_worked(entries, rng, due)
        if "off_hours_without_ticket" in kinds and entries:
            self._plant_off_hours(day, entries, fixed, rng, due)

    def _plant_duplicate(self, entries: list[Entry], due: list[Incident]) -> None:
        """A short ticket entry entered twice: an exact copy, which also overlaps it."""
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
        if source is None:
            return
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
        copy.tags.append(("overlap", "exact duplicate of {other}, overlaps it fully", source))
        entries.append(copy)
        self._done(due, "duplicate")

    def _plant_billed_over_worked(
        self, entries: list[Entry], rng: random.Random, due: list[Incident]
    ) -> None:
        """A billable ticket entry billed for more hours than were worked."""
        target = next(
            (e for e in entries if e.billable == "Billable" and not e.planted and e.item),
            None,
        )
        if target is None:
            return
        extra = rng.randint(25, 100)
        target.billed = target.worked + extra
        target.planted = True
        target.tags.append(
            (
                "billed_over_worked",
                f"billed {hundredths(target.billed)} h for {hundredths(target.worked)} h worked",
                None,
            )
        )
        self._done(due, "billed_over_worked")

    def _plant_off_hours(
        self,
        day: date,
        entries: list[Entry],
        fixed: list[Entry],
        rng: random.Random,
        due: list[Incident],
    ) -> None:
        """Internal work logged well after the calendar closes, without a ticket."""
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
        if begin + minutes >= 23 * 60 + 30 or clash:
            return
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
        """One incident of `kind` due today is planted: it waits no longer."""
        for incident in due:
            if incident.kind == kind and incident in self.incidents:
                self.incidents.remove(incident)
                return
