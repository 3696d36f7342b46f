"""An ordinary working day: sequential, non-overlapping entries inside the engineer's
opening hours (around on-call entries and lunch), ticket work taken up as an engineer
would (a focus ticket, P1s, tickets nobody has touched, then earliest deadline) while
the week stays below its billing cap, and internal work otherwise. Durations are
arbitrary minutes (half hours on a day planned to bill exactly the target), no ticket
gets the same duration twice a day, and notes are specific and never repeat in a day.
"""

from __future__ import annotations

import random
from datetime import date

from xla_lab.generate import text
from xla_lab.generate.timeslips.entries import DAY, MINUTE, DayParams, Entry, WorkItem


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


class OrdinaryWork:
    """Part of `Desk`: a working day filled with ticket and internal work."""

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
