"""The deterministic synthetic MSP: landing extracts, reference data and an answer key.

`generate` simulates one MSP month by month. Each month it draws the tickets created in
it and their whole lifecycles, then lets every engineer work through their local days,
and writes the UTC days that can no longer change. Rows are kept per day only until that
day's files are written, so memory stays flat however many months are generated.
Who is assigned each ticket is decided in `assignment`; the answer key is kept in
`answer_key`.

Everything is drawn from `random.Random` instances seeded from the arguments and a
purpose string, never from the clock, so the same arguments give byte-identical files.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

from orchestration.contract import BILLABLE, EXTRACTS
from xla_lab.generate.answer_key import AnswerKey
from xla_lab.generate.assignment import HABIT_LOAD, Assignment
from xla_lab.generate.calendars import DAY, Zone, utc_date, utc_ts
from xla_lab.generate.people import Client
from xla_lab.generate.reference import (
    Reference,
    build_reference,
    end_date,
    write_reference_files,
)
from xla_lab.generate.surveys import (
    HURTING_CATEGORY,
    LOW_RATE_MONTHS,
    Response,
    Unanswered,
    csat_response,
    hurt,
    nps_wave,
    unanswered_csat,
)
from xla_lab.generate.tickets import (
    EFFORT_CAP_MINUTES,
    LifecycleBuilder,
    TicketLife,
    TicketSpec,
    sample_arrivals,
    silent_feed_client,
)
from xla_lab.generate.timeslips import Desk, Entry, Incident, WorkItem, hundredths

EXTRACT_NAMES = ("tickets", "ticket_events", "timeslips", "surveys")
NPS_MONTHS = (1, 4, 7, 10)
# Planted incidents per month (times the rounded scale), each on an ordinary engineer.
MONTHLY_INCIDENTS = (
    ("duplicate", 2),
    ("billed_over_worked", 2),
    ("late_entry", 2),
    ("bulk_backfill", 1),
    ("excessive_day", 1),
    ("off_hours_without_ticket", 2),
    ("vague_note", 3),
)
# Entered well after the work: the work must be early enough to land inside the period.
LATE_KINDS = ("late_entry", "bulk_backfill")
ENGINEERS_AT_SCALE_1 = 25
# The client whose feed stops: its tickets created in the period's last days (its local
# dates) never reach the extracts, nor their events or surveys, so the warehouse has a
# silent feed to report. The engineers' timeslips on them still arrive, as the work was
# done. Every other row, id and planted anomaly is as it would be without it.
FEED_STOP_DAYS = 7


@dataclass(frozen=True)
class GenerateSummary:
    """What `generate` wrote."""

    files: list[Path]  # landing files written, sorted
    rows: dict[str, int]  # extract name -> data rows written (all files)
    clients: int
    engineers: int


class _Bucket:
    """The rows of one UTC day, with their sort keys, until the day is written."""

    __slots__ = ("surveys", "ticket_events", "tickets", "timeslips")

    def __init__(self) -> None:
        self.tickets: list[tuple[tuple, tuple[str, ...]]] = []
        # None: an event of a ticket never delivered, numbered but not written.
        self.ticket_events: list[tuple[tuple, tuple[str, ...] | None]] = []
        self.timeslips: list[tuple[tuple, tuple[str, ...]]] = []
        self.surveys: list[tuple[tuple, tuple[str, ...]]] = []


class _Simulation(Assignment, AnswerKey):
    """One run: the reference, every engineer's desk, and the rows of the UTC days not
    yet written."""

    def __init__(
        self,
        ref: Reference,
        landing_dir: Path,
        *,
        scale: float,
        seed: int,
        start: date,
        months: int,
        progress: Callable[[str], None],
    ) -> None:
        self.ref = ref
        self.landing_dir = landing_dir
        self.scale = scale
        # Below the roster's floor of engineers, tickets follow the roster, not the
        # scale, so every engineer still has a realistic day's work.
        self.workload = max(scale, len(ref.engineers) / ENGINEERS_AT_SCALE_1)
        self.seed = seed
        self.start = start
        self.end = end_date(start, months)
        self.period_start = utc_ts(start)
        self.period_end = utc_ts(self.end)
        self.progress = progress
        names = sorted({c.timezone for c in ref.clients} | {e.timezone for e in ref.engineers})
        self.zones = {name: Zone(name) for name in names}
        period = (self.period_start, self.period_end)
        self.desks = {
            e.engineer_id: Desk(
                e,
                self.zones[e.timezone],
                ref.calendars[e.calendar_id],
                ref.leave.get(e.engineer_id, {}),
                seed,
                period,
            )
            for e in ref.engineers
        }
        self.pool: dict[str, list[str]] = {}
        self.region_zones: dict[str, list[str]] = {}
        self.capacity: dict[str, float] = {}
        for e in ref.engineers:
            self.pool.setdefault(e.region, []).append(e.engineer_id)
            zones = self.region_zones.setdefault(e.region, [])
            if e.timezone not in zones:
                zones.append(e.timezone)
            load = max((HABIT_LOAD.get(h, 1.0) for h in e.habits), default=1.0)
            self.capacity[e.engineer_id] = e.daily_minutes * load
        self.candidate_cache: dict[tuple, tuple[list[str], list[float]]] = {}
        self.assign_rng = random.Random(f"xla|{seed}|assign")
        self.builder = LifecycleBuilder(ref, self.zones, self.period_end, self._pick_engineer)
        self.buckets: dict[int, _Bucket] = {}
        self.next_flush = self.period_start // DAY
        self.next_local = start - timedelta(days=1)
        self.planned: set[str] = set()
        self.files: list[Path] = []
        self.rows = dict.fromkeys(EXTRACT_NAMES, 0)
        self.ticket_seq = self.event_seq = self.timeslip_seq = self.response_seq = 0
        self.anomalies: list[dict[str, str]] = []
        self.focus_items: list[tuple[str, WorkItem]] = []
        self.day_minutes: dict[tuple[str, date], int] = {}
        self.habit_entries: dict[str, list[Entry]] = {}
        self.team_heaping: dict[tuple[str, str], list[int]] = {}
        self.pair_hours: dict[tuple[str, str], int] = {}  # hundredths, written entries
        self.ticket_group: dict[str, tuple[str, str]] = {}
        self.silent_client = silent_feed_client(ref.clients, start, self.end)
        self.unanswered_seq = 0
        self._plant_survey_cases(start, months)
        self.undelivered: set[str] = set()  # tickets of the stopped feed

    # -- the run ------------------------------------------------------------------------

    def chunks(self) -> list[tuple[int, int, str]]:
        """Calendar months of the period (the first and last may be partial)."""
        bounds = [self.start]
        cursor = date(self.start.year, self.start.month, 1)
        while True:
            cursor = end_date(cursor, 1)
            if cursor >= self.end:
                break
            bounds.append(cursor)
        bounds.append(self.end)
        return [(utc_ts(a), utc_ts(b), a.strftime("%Y-%m")) for a, b in pairwise(bounds)]

    def run(self) -> None:
        chunks = self.chunks()
        for index, (a, b, label) in enumerate(chunks):
            self.progress(f"generating month {label} ...")
            rng = random.Random(f"xla|{self.seed}|tickets|{label}")
            specs = sample_arrivals(self.ref, self.zones, (a, b), self.workload, rng)
            self._choose_outliers(specs, (a, b), rng)
            for spec in specs:
                self.ticket_seq += 1
                life = self.builder.build(f"T{self.ticket_seq:06d}", spec, rng)
                if self._feed_stopped(spec):
                    self.undelivered.add(life.ticket_id)
                self._emit_ticket(life)
                self._register_work(life, rng)
                self._emit_csat(life, rng)
            first_day = utc_date(a)
            if index == 0 or first_day.month in NPS_MONTHS:
                self._emit_nps(label, date(first_day.year, first_day.month, 1), a)
            last = index == len(chunks) - 1
            local_last = self.end if last else utc_date(b) - timedelta(days=2)
            self._work_until(local_last)
            flush_before = self.period_end // DAY if last else utc_ts(local_last) // DAY
            self._flush(flush_before)
        self._finalize()

    def _work_until(self, last: date) -> None:
        while self.next_local <= last:
            day = self.next_local
            label = day.strftime("%Y-%m")
            if label not in self.planned:
                self.planned.add(label)
                self._plan_month(day)
            for desk in self.desks.values():
                rng = random.Random(f"xla|{self.seed}|day|{desk.id}|{day.isoformat()}")
                entries = desk.work_day(day, rng)
                if entries:
                    self._emit_entries(desk, entries)
            self.next_local = day + timedelta(days=1)

    # -- tickets ------------------------------------------------------------------------

    def _choose_outliers(
        self, specs: list[TicketSpec], window: tuple[int, int], rng: random.Random
    ) -> None:
        """Mark ordinary tickets that one engineer will sink a whole week into."""
        a, b = window
        early = a + (b - a) * 2 // 5
        candidates = []
        for spec in specs:
            local = self.zones[spec.client.timezone].local(spec.created)
            if (
                spec.client.profile in ("normal", "struggling")
                and spec.priority in ("P3", "P4")
                and spec.category != "project"
                and spec.channel != "monitoring"
                and spec.created < early
                and spec.created + 12 * DAY < self.period_end
                and local.weekday() <= 3
                and 8 <= local.hour < 14
            ):
                candidates.append(spec)
        for spec in rng.sample(candidates, min(len(candidates), max(1, round(self.scale)))):
            spec.long_running = True

    def _register_work(self, life: TicketLife, rng: random.Random) -> None:
        spec = life.spec
        if not life.assignments:
            return
        if spec.long_running or spec.category == "project":
            kind = "Billable"
        else:
            kind = rng.choices(BILLABLE, weights=(90, 6, 4))[0]
        focus_ok = (
            spec.long_running
            and life.resolved is not None
            and life.resolved < self.period_end - 3 * DAY
        )
        shared = [0]
        count = len(life.assignments)
        for index, (engineer_id, begin, until) in enumerate(life.assignments):
            share = 1.0 if count == 1 else (0.55 if index == 0 else 0.45 / (count - 1))
            focus = focus_ok and index == 0
            budget = (
                life.effort_minutes
                if focus
                else max(5, min(EFFORT_CAP_MINUTES, round(life.effort_minutes * share)))
            )
            item = WorkItem(
                ticket_id=life.ticket_id,
                client_id=spec.client.client_id,
                category=spec.category,
                priority=spec.priority,
                start=begin,
                end=until,
                budget=budget,
                billable=kind,
                ticket_minutes=shared,
                focus=focus,
                closed=life.closed,
            )
            desk = self.desks[engineer_id]
            if desk.add_work(item, rng):
                if focus:
                    self.focus_items.append((engineer_id, item))
                if life.closed is not None and "outside_ticket_life" in desk.habits:
                    desk.closed_items.append(item)

    def _feed_stopped(self, spec: TicketSpec) -> bool:
        """Whether the ticket is the silent client's, created after its feed stopped."""
        client = spec.client
        if client.client_id != self.silent_client:
            return False
        stop = self.end - timedelta(days=FEED_STOP_DAYS)
        return self.zones[client.timezone].local_date(spec.created) >= stop

    def _emit_ticket(self, life: TicketLife) -> None:
        """One tickets row per UTC day the ticket changed (its end-of-day state), and
        every event in the file of its own UTC day; nothing for a ticket never delivered."""
        if life.ticket_id in self.undelivered:
            # Its events keep their places in the numbering, so every other event keeps its id.
            for seq, (ts, *_) in enumerate(life.events):
                self._bucket(ts).ticket_events.append(((ts, life.ticket_id, seq), None))
            return
        spec = life.spec
        zone = self.zones[spec.client.timezone]
        created = zone.iso(spec.created)
        status, priority, assignee = "", life.initial_priority, ""
        first = resolved = closed = None
        events = life.events
        for seq, (ts, name, old, new, actor) in enumerate(events):
            bucket = self._bucket(ts)
            bucket.ticket_events.append(
                ((ts, life.ticket_id, seq), (life.ticket_id, zone.iso(ts), name, old, new, actor))
            )
            if name == "status":
                if new == "In Progress" and first is None:
                    first = ts
                if new == "Resolved":
                    resolved = ts
                elif new == "Closed":
                    closed = ts
                elif old in ("Resolved", "Closed"):
                    resolved = closed = None
                status = new
            elif name == "priority":
                priority = new
            else:
                assignee = new
            if seq + 1 < len(events) and events[seq + 1][0] // DAY == ts // DAY:
                continue
            bucket.tickets.append(
                (
                    (ts, life.ticket_id),
                    (
                        life.ticket_id,
                        spec.client.client_id,
                        spec.contact_id,
                        priority,
                        spec.category,
                        spec.channel,
                        status,
                        assignee,
                        spec.subject,
                        created,
                        zone.iso(first) if first is not None else "",
                        zone.iso(resolved) if resolved is not None else "",
                        zone.iso(closed) if closed is not None else "",
                        zone.iso(ts),
                    ),
                )
            )

    # -- surveys ------------------------------------------------------------------------

    def _lead(self, client: Client) -> str:
        return self.ref.leads.get(client.region) or self.ref.engineers[0].engineer_id

    def _plant_survey_cases(self, start: date, months: int) -> None:
        """Choose the low-response-rate client (the busiest happy client under contract
        from the start) and the two clients with a category that hurts (the busiest
        normal ones besides the client whose feed stops); see `surveys`."""

        def busiest(profile: str, besides: set[str | None]) -> str | None:
            """The busiest client of the profile under contract all along, if any."""
            candidates = [
                c
                for c in self.ref.clients
                if c.profile == profile
                and c.contract_start <= start
                and c.contract_end is None
                and c.client_id not in besides
            ]
            if not candidates:
                return None
            return min(candidates, key=lambda c: (-c.volume_share, c.client_id)).client_id

        self.low_rate_client = busiest("happy", set())
        self.low_rate_from = utc_ts(end_date(start, max(0, months - LOW_RATE_MONTHS)))
        first = busiest("normal", {self.silent_client})
        second = busiest("normal", {self.silent_client, first})
        self.hurting_clients = tuple(c for c in (first, second) if c is not None)

    def _emit_csat(self, life: TicketLife, rng: random.Random) -> None:
        client = life.spec.client
        zone = self.zones[client.timezone]
        calendar = self.ref.calendars[client.calendar_id]
        response = csat_response(life, zone, calendar, self._lead(client), rng)
        if response is not None:
            hurts = client.client_id in self.hurting_clients
            if hurts and life.spec.category == HURTING_CATEGORY:
                hurting = random.Random(f"xla|{self.seed}|hurts|{life.ticket_id}")
                hurt(response, zone, calendar, self._lead(client), hurting)
            self._emit_response(response)
        low_rate = (
            client.client_id == self.low_rate_client
            and life.closed is not None
            and life.closed >= self.low_rate_from
        )
        unanswered = random.Random(f"xla|{self.seed}|unanswered|{life.ticket_id}")
        for survey in unanswered_csat(life, response is not None, low_rate, unanswered):
            self._emit_unanswered(survey)

    def _emit_nps(self, label: str, month_first: date, not_before: int) -> None:
        rng = random.Random(f"xla|{self.seed}|nps|{label}")
        month_last = end_date(month_first, 1) - timedelta(days=1)
        for client in self.ref.clients:
            if client.contract_start > month_first:
                continue
            if client.contract_end is not None and client.contract_end < month_last:
                continue
            responses, unanswered = nps_wave(
                client,
                self.zones[client.timezone],
                self.ref.calendars[client.calendar_id],
                self._lead(client),
                month_first,
                not_before,
                rng,
            )
            for response in responses:
                self._emit_response(response)
            for survey in unanswered:
                self._emit_unanswered(survey)

    def _emit_unanswered(self, u: Unanswered) -> None:
        """A survey sent and never answered, in the file of the UTC day it was sent; ids
        of their own (`U000001`), so the answers keep theirs."""
        if u.sent >= self.period_end:
            return
        self.unanswered_seq += 1
        if u.ticket_id in self.undelivered:
            return
        survey_id = f"U{self.unanswered_seq:06d}"
        sent = self.zones[u.client.timezone].iso(u.sent)
        row = (survey_id, u.survey_type, u.ticket_id, u.client.client_id, u.contact_id, sent)
        self._bucket(u.sent).surveys.append(((u.sent, survey_id), row + ("",) * 7))

    def _emit_response(self, r: Response) -> None:
        if r.responded >= self.period_end:
            return
        self.response_seq += 1
        if r.ticket_id in self.undelivered:
            return  # its number stays taken, so every other response keeps its id
        response_id = f"R{self.response_seq:06d}"
        zone = self.zones[r.client.timezone]
        row = [
            response_id,
            r.survey_type,
            r.ticket_id,
            r.client.client_id,
            r.contact_id,
            zone.iso(r.sent),
            zone.iso(r.responded),
            str(r.score),
            r.comment,
            "" if r.lost_time is None else str(r.lost_time),
            "",
            "",
            "",
        ]
        followed = r.follow_up is not None and r.follow_up < self.period_end
        # Followed up the same UTC day: the day's file holds only the end-of-day version.
        if not followed or r.follow_up // DAY != r.responded // DAY:
            self._bucket(r.responded).surveys.append(((r.responded, response_id), tuple(row)))
        if followed and r.follow_up is not None:
            row[10:13] = [zone.iso(r.follow_up), r.follow_up_by, r.follow_up_outcome]
            self._bucket(r.follow_up).surveys.append(((r.follow_up, response_id), tuple(row)))

    # -- timeslips ----------------------------------------------------------------------

    def _plan_month(self, day: date) -> None:
        """Spread the month's planted incidents over ordinary engineers."""
        label = day.strftime("%Y-%m")
        rng = random.Random(f"xla|{self.seed}|plan|{label}")
        first = max(date(day.year, day.month, 1), self.start)
        month_last = end_date(date(day.year, day.month, 1), 1) - timedelta(days=1)
        period_last = self.end - timedelta(days=1)
        last = min(month_last, period_last)
        if last < first:
            return
        ordinary = [
            d
            for d in self.desks.values()
            if not d.habits and d.engineer.employed(first) and d.engineer.employed(last)
        ]
        full_time = [d for d in ordinary if d.engineer.daily_minutes >= 420]
        rng.shuffle(ordinary)
        rng.shuffle(full_time)
        turn = 0
        for kind, per_month in MONTHLY_INCIDENTS:
            people = full_time if kind in ("bulk_backfill", "excessive_day") else ordinary
            if not people:
                continue
            margin = 16 if kind in LATE_KINDS else 2
            latest = min(last, period_last - timedelta(days=margin))
            for _ in range(per_month * max(1, round(self.scale))):
                desk = people[turn % len(people)]
                turn += 1
                if latest < first:
                    continue
                earliest = first + timedelta(days=rng.randint(0, (latest - first).days // 2))
                desk.incidents.append(Incident(kind, earliest, latest))

    def _emit_entries(self, desk: Desk, entries: list[Entry]) -> None:
        zone = desk.zone
        team = desk.engineer.team
        for e in entries:
            if e.start < self.period_start or e.entered >= self.period_end:
                continue
            self.timeslip_seq += 1
            e.timeslip_id = f"TS{self.timeslip_seq:07d}"
            row = [
                e.timeslip_id,
                e.engineer_id,
                e.ticket_id,
                e.client_id,
                e.work_date.isoformat(),
                zone.iso(e.start),
                zone.iso(e.end),
                hundredths(e.worked),
                hundredths(e.billed),
                e.billable,
                e.work_type,
                e.notes,
                zone.iso(e.entered),
                zone.iso(e.updated),
            ]
            self._bucket(e.entered).timeslips.append(((e.updated, e.timeslip_id), tuple(row)))
            if e.edit is not None and e.edit[0] < self.period_end:
                updated, notes, billable, billed = e.edit
                row[8:12] = [hundredths(billed), billable, e.work_type, notes]
                row[13] = zone.iso(updated)
                self._bucket(updated).timeslips.append(((updated, e.timeslip_id), tuple(row)))
            key = (e.engineer_id, e.work_date)
            self.day_minutes[key] = self.day_minutes.get(key, 0) + e.minutes
            counts = self.team_heaping.setdefault((team, e.work_date.strftime("%Y-%m")), [0, 0])
            counts[0] += 1
            counts[1] += e.minutes % 30 == 0
            if desk.habits:
                self.habit_entries.setdefault(desk.id, []).append(e)
            if e.item is not None:
                pair = (e.engineer_id, e.ticket_id)
                self.pair_hours[pair] = self.pair_hours.get(pair, 0) + e.worked
                self.ticket_group[e.ticket_id] = (e.item.category, e.item.priority)
            for rule_id, detail, other in e.tags:
                if other is not None and not other.timeslip_id:
                    continue  # its counterpart never reached the data
                self._record(
                    rule_id,
                    "timeslip",
                    e.timeslip_id,
                    e.engineer_id,
                    detail.format(other=other.timeslip_id if other else ""),
                )

    # -- writing ------------------------------------------------------------------------

    def _bucket(self, ts: int) -> _Bucket:
        day = ts // DAY
        if day < self.next_flush:
            raise RuntimeError("a row arrived for a day already written")
        bucket = self.buckets.get(day)
        if bucket is None:
            bucket = self.buckets[day] = _Bucket()
        return bucket

    def _flush(self, before: int) -> None:
        """Write every UTC day before `before` (epoch days) inside the period."""
        last = self.period_end // DAY
        self.landing_dir.mkdir(parents=True, exist_ok=True)
        while self.next_flush < min(before, last):
            day = self.next_flush
            bucket = self.buckets.pop(day, None) or _Bucket()
            stamp = utc_date(day * DAY).strftime("%Y%m%d")
            for name in EXTRACT_NAMES:
                rows = sorted(getattr(bucket, name), key=lambda r: r[0])
                if name == "ticket_events":
                    numbered = []
                    for _, row in rows:
                        self.event_seq += 1
                        if row is not None:
                            numbered.append((f"EV{self.event_seq:07d}", *row))
                    lines = numbered
                else:
                    lines = [row for _, row in rows]
                path = self.landing_dir / f"{name}_{stamp}.csv"
                with path.open("w", newline="", encoding="utf-8") as handle:
                    writer = csv.writer(handle, lineterminator="\n")
                    writer.writerow(EXTRACTS[name].column_names)
                    writer.writerows(lines)
                self.rows[name] += len(lines)
                self.files.append(path)
            self.next_flush += 1


def generate(
    landing_dir: Path,
    *,
    scale: float = 1.0,
    months: int = 1,
    seed: int = 42,
    start: date = date(2026, 1, 1),
    seeds_dir: Path | None = None,
    answer_key_path: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> GenerateSummary:
    """Write a deterministic synthetic landing zone (and optionally seeds and answer key).

    Landing files are `<extract>_<YYYYMMDD>.csv`, one per extract per UTC day from
    `start` for `months` months, each the day's delta. Same arguments, same bytes.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    if months < 1:
        raise ValueError("months must be at least 1")
    ref = build_reference(scale=scale, seed=seed, start=start, months=months)
    if seeds_dir is not None:
        write_reference_files(ref, seeds_dir)
    simulation = _Simulation(
        ref,
        Path(landing_dir),
        scale=scale,
        seed=seed,
        start=start,
        months=months,
        progress=progress or (lambda _: None),
    )
    simulation.run()
    if answer_key_path is not None:
        key = {
            "seed": seed,
            "scale": scale,
            "months": months,
            "start": start.isoformat(),
            **simulation.answer_key(),
        }
        answer_key_path.parent.mkdir(parents=True, exist_ok=True)
        answer_key_path.write_text(
            json.dumps(key, sort_keys=True, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return GenerateSummary(
        files=sorted(simulation.files),
        rows=simulation.rows,
        clients=len(ref.clients),
        engineers=len(ref.engineers),
    )
