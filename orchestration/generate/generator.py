"""The deterministic synthetic MSP: landing extracts, reference data and an answer key.

`generate` simulates one MSP month by month. Each month it draws the tickets created in
it and their whole lifecycles, then lets every engineer work through their local days,
and writes the UTC days that can no longer change. Rows are kept per day only until that
day's files are written, so memory stays flat however many months are generated.

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
from orchestration.generate.calendars import DAY, Zone, utc_date, utc_ts
from orchestration.generate.reference import (
    Client,
    Reference,
    build_reference,
    end_date,
    write_reference_files,
)
from orchestration.generate.surveys import Response, csat_response, nps_wave
from orchestration.generate.tickets import (
    EFFORT_CAP_MINUTES,
    LifecycleBuilder,
    TicketLife,
    TicketSpec,
    sample_arrivals,
)
from orchestration.generate.timeslips import Desk, Entry, Incident, WorkItem, hundredths

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
TEAM_FOR_CATEGORY = {
    "network": ("infrastructure", 0.7),
    "security": ("infrastructure", 0.7),
    "backup": ("infrastructure", 0.7),
    "project": ("projects", 0.9),
}
# Habits need a full queue to show: those engineers take more tickets.
HABIT_LOAD = {"exact_target": 3.0, "post_target_slowdown": 1.5}
SLOWDOWN_GRAB, SLOWDOWN_AVOID = 4.0, 0.2
ASSIGNMENT_LOAD = 60.0  # minutes of expected work a new assignment adds
OUTLIER_DAYS = 8
OUTLIER_RATIO, OUTLIER_FLOOR_HOURS = 5, 4  # the effort_outlier rule's thresholds
ENGINEERS_AT_SCALE_1 = 25


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
        self.ticket_events: list[tuple[tuple, tuple[str, ...]]] = []
        self.timeslips: list[tuple[tuple, tuple[str, ...]]] = []
        self.surveys: list[tuple[tuple, tuple[str, ...]]] = []


class _Simulation:
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

    def _pick_engineer(
        self, client: Client, category: str, when: int, avoid: str | None, ordinary: bool
    ) -> str | None:
        """An engineer of the client's region at work that day, by team and current load.

        Two candidates are drawn by team fit and capacity; the less loaded one gets the
        ticket ("power of two choices"), which keeps queues even without scanning them.
        """
        rng = self.assign_rng
        team, share = TEAM_FOR_CATEGORY.get(category, ("service_desk", 0.9))
        if rng.random() >= share:
            team = "service_desk" if team != "service_desk" else "infrastructure"
        ids, cumulative = self._candidates(client.region, team, avoid, ordinary, when)
        if not ids:
            return None
        first = rng.choices(ids, cum_weights=cumulative)[0]
        second = rng.choices(ids, cum_weights=cumulative)[0]
        chosen = min(
            (first, second),
            key=lambda i: (self.desks[i].load_at(when) / self._capacity(i, when), i),
        )
        self.desks[chosen].add_load(when, ASSIGNMENT_LOAD)
        return chosen

    def _capacity(self, engineer_id: str, when: int) -> float:
        """How much new work an engineer takes on at a moment.

        The engineer who eases off after the weekly target grabs tickets from the queue
        early in a target week and avoids them on its Friday."""
        capacity = self.capacity[engineer_id]
        desk = self.desks[engineer_id]
        if "post_target_slowdown" in desk.habits:
            day = desk.zone.local_date(when)
            if desk.target_week(day):
                capacity *= SLOWDOWN_GRAB if day.isoweekday() <= 3 else SLOWDOWN_AVOID
        return capacity

    def _candidates(
        self, region: str, team: str, avoid: str | None, ordinary: bool, when: int
    ) -> tuple[list[str], list[float]]:
        dates = tuple(self.zones[z].local_date(when) for z in self.region_zones.get(region, ()))
        key = (region, team, avoid, ordinary, dates)
        found = self.candidate_cache.get(key)
        if found is not None:
            return found
        if len(self.candidate_cache) > 20_000:
            self.candidate_cache.clear()
        ids: list[str] = []
        weights: list[float] = []
        for engineer_id in self.pool.get(region, []):
            desk = self.desks[engineer_id]
            if engineer_id == avoid or (ordinary and desk.habits):
                continue
            day = dates[self.region_zones[region].index(desk.zone.name)]
            if not desk.available_minutes(day):
                continue
            # A week-long piece of work goes to someone who is not about to go on leave.
            if ordinary and any(
                desk.leave.get(day + timedelta(days=i)) for i in range(1, OUTLIER_DAYS)
            ):
                continue
            fit = 1.0 if desk.engineer.team == team else 0.35
            ids.append(engineer_id)
            weights.append(self._capacity(engineer_id, when) * fit)
        if not ids:
            # Out of hours: the region's on-call roster.
            for engineer_id in self.pool.get(region, []):
                desk = self.desks[engineer_id]
                day = dates[self.region_zones[region].index(desk.zone.name)]
                if engineer_id != avoid and not desk.habits and desk.engineer.employed(day):
                    ids.append(engineer_id)
                    weights.append(1.0)
        cumulative: list[float] = []
        total = 0.0
        for weight in weights:
            total += weight
            cumulative.append(total)
        self.candidate_cache[key] = (ids, cumulative)
        return ids, cumulative

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

    def _emit_ticket(self, life: TicketLife) -> None:
        """One tickets row per UTC day the ticket changed (its end-of-day state), and
        every event in the file of its own UTC day."""
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

    def _emit_csat(self, life: TicketLife, rng: random.Random) -> None:
        client = life.spec.client
        response = csat_response(
            life,
            self.zones[client.timezone],
            self.ref.calendars[client.calendar_id],
            self._lead(client),
            rng,
        )
        if response is not None:
            self._emit_response(response)

    def _emit_nps(self, label: str, month_first: date, not_before: int) -> None:
        rng = random.Random(f"xla|{self.seed}|nps|{label}")
        month_last = end_date(month_first, 1) - timedelta(days=1)
        for client in self.ref.clients:
            if client.contract_start > month_first:
                continue
            if client.contract_end is not None and client.contract_end < month_last:
                continue
            for response in nps_wave(
                client,
                self.zones[client.timezone],
                self.ref.calendars[client.calendar_id],
                self._lead(client),
                month_first,
                not_before,
                rng,
            ):
                self._emit_response(response)

    def _emit_response(self, r: Response) -> None:
        if r.responded >= self.period_end:
            return
        self.response_seq += 1
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

    # -- the answer key -----------------------------------------------------------------

    def _record(
        self, rule_id: str, subject_type: str, subject_id: str, engineer_id: str, detail: str
    ) -> None:
        self.anomalies.append(
            {
                "rule_id": rule_id,
                "subject_type": subject_type,
                "subject_id": subject_id,
                "engineer_id": engineer_id,
                "detail": detail,
            }
        )

    def _finalize(self) -> None:
        """Engineer-level anomalies, confirmed against the rows actually written."""
        slowdown_weeks: dict[str, list[tuple[date, str, str]]] = {}
        for desk in self.desks.values():
            for finding in desk.findings:
                if finding.rule_id == "excessive_day":
                    written = self.day_minutes.get((desk.id, finding.days[0]), 0)
                    if written >= finding.min_minutes:
                        self._record(
                            finding.rule_id,
                            finding.subject_type,
                            finding.subject_id,
                            desk.id,
                            finding.detail,
                        )
                elif finding.rule_id == "post_target_slowdown":
                    detail = self._slowdown_detail(desk, finding.days, finding.cut)
                    if detail:
                        slowdown_weeks.setdefault(desk.id, []).append(
                            (finding.days[0], finding.subject_id, detail)
                        )
        for engineer_id, weeks in slowdown_weeks.items():
            # The rule wants consecutive weeks: keep runs of two or more.
            mondays = {monday for monday, _, _ in weeks}
            for monday, subject_id, detail in weeks:
                if (monday - timedelta(days=7)) in mondays or (
                    monday + timedelta(days=7)
                ) in mondays:
                    self._record(
                        "post_target_slowdown", "engineer_period", subject_id, engineer_id, detail
                    )
        for desk in self.desks.values():
            if "exact_target" in desk.habits:
                self._padder_months(desk)
        self._effort_outliers()

    def _effort_outliers(self) -> None:
        """Week-long tickets, judged as the rule judges them: against the median of all
        engineers' per-ticket hours for the same category and priority."""
        groups: dict[tuple[str, str], list[int]] = {}
        for (_, ticket_id), total in self.pair_hours.items():
            groups.setdefault(self.ticket_group[ticket_id], []).append(total)
        for engineer_id, item in self.focus_items:
            total = self.pair_hours.get((engineer_id, item.ticket_id), 0)
            peers = sorted(groups.get((item.category, item.priority), [0]))
            middle = len(peers) // 2
            median = peers[middle] if len(peers) % 2 else (peers[middle - 1] + peers[middle]) / 2
            if total >= OUTLIER_FLOOR_HOURS * 100 and total > OUTLIER_RATIO * median:
                self._record(
                    "effort_outlier",
                    "ticket",
                    f"{engineer_id}|{item.ticket_id}",
                    engineer_id,
                    f"{hundredths(total)} h on one {item.priority} {item.category} ticket; "
                    f"the median for {item.priority} {item.category} is {median / 100:.2f} h",
                )

    def _slowdown_detail(self, desk: Desk, days: tuple[date, ...], cut: int) -> str:
        week = [e for e in self.habit_entries.get(desk.id, []) if e.work_date in days]
        before = [e for e in week if e.end <= cut]
        after = [e for e in week if e.start >= cut]
        worked_before = sum(e.minutes for e in before) / 60
        worked_after = sum(e.minutes for e in after) / 60
        if worked_before < 20 or worked_after < 4:
            return ""
        pace_before = sum(e.billed for e in before) / 100 / worked_before
        pace_after = sum(e.billed for e in after) / 100 / worked_after
        if pace_after > pace_before * 0.4:
            return ""
        reached = self.zones[desk.engineer.timezone].local(cut).strftime("%a %H:%M")
        target = desk.engineer.weekly_contracted_hours * desk.engineer.billable_target_pct / 100
        return (
            f"reached the {target:g} h weekly billable target on {reached}; billed per hour "
            f"worked {pace_before:.2f} before, {pace_after:.2f} after"
        )

    def _padder_months(self, desk: Desk) -> None:
        target = round(desk.engineer.daily_target_hundredths)
        by_month: dict[str, dict[date, list[Entry]]] = {}
        for e in self.habit_entries.get(desk.id, []):
            by_month.setdefault(e.work_date.strftime("%Y-%m"), {}).setdefault(
                e.work_date, []
            ).append(e)
        for label, days in sorted(by_month.items()):
            entries = [e for day_entries in days.values() for e in day_entries]
            exact = sum(1 for d in days.values() if sum(e.billed for e in d) == target)
            first = date.fromisoformat(f"{label}-01")
            month_days = [
                first + timedelta(days=i)
                for i in range((end_date(first, 1) - first).days)
                if self.start <= first + timedelta(days=i) < self.end
            ]
            working = sum(1 for d in month_days if desk.available_minutes(d))
            heaped = sum(1 for e in entries if e.minutes % 30 == 0)
            team_total, team_heaped = self.team_heaping.get((desk.engineer.team, label), [0, 0])
            others = max(1, team_total - len(entries))
            team_share = max(team_heaped / max(1, team_total), (team_heaped - heaped) / others)
            share = heaped / len(entries)
            subject = f"{desk.id}|{label}"
            if len(entries) >= 20 and share >= 0.8 and share >= 3 * team_share:
                self._record(
                    "round_heaping",
                    "engineer_period",
                    subject,
                    desk.id,
                    f"{heaped} of {len(entries)} durations on whole or half hours "
                    f"(team share {team_share:.2f})",
                )
            if len(days) >= 5 and exact / len(days) >= 0.7 and exact / max(1, working) >= 0.65:
                self._record(
                    "exact_target",
                    "engineer_period",
                    subject,
                    desk.id,
                    f"billed exactly {hundredths(target)} h on {exact} of {len(days)} days worked",
                )

    def answer_key(self) -> dict[str, object]:
        return {
            "client_profiles": {c.client_id: c.profile for c in self.ref.clients},
            "engineer_habits": {
                e.engineer_id: sorted(e.habits) for e in self.ref.engineers if e.habits
            },
            "timeslip_anomalies": sorted(
                self.anomalies, key=lambda a: (a["rule_id"], a["subject_id"], a["detail"])
            ),
        }


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
