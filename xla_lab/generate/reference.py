"""The demo MSP's reference data (docs/contract.md §3): clients, engineers, calendars, policies.

`build_reference` makes it from (scale, seed) alone, apart from holidays, which cover
every year the generated data spans (and always 2026). `write_reference` writes it as
the CSV files of `orchestration.reference.spec.REFERENCE_FILES`; the repo's `seeds/` folder is
exactly what it writes for scale 1, seed 42, twelve months from 2026-01-01. Clients,
engineers and leave are drawn in `people`; the fixed policies are in `policies`.
"""

from __future__ import annotations

import csv
import random
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from orchestration.reference.spec import REFERENCE_FILES, VALIDITY
from xla_lab.generate.calendars import BusinessCalendar
from xla_lab.generate.holidays import public_holidays
from xla_lab.generate.people import (
    LEAVE_YEARS,
    Client,
    Engineer,
    draw_clients,
    draw_engineers,
    plan_leave,
)
from xla_lab.generate.policies import (
    MSP_SETTINGS,
    SERVICENOW_VALUE_MAP,
    TIERS,
    TIMESLIP_RULES,
    XLA_COMPARATORS,
    XLA_MIN_RESPONSES,
    XLA_TARGETS,
    SlaPolicy,
    sla_policies,
)

ALWAYS_HOLIDAY_YEAR = 2026
VALIDITY_COLUMNS = frozenset(c.name for c in VALIDITY)

# Opening hours per calendar: ISO weekday -> (open, close) in local HH:MM.
CALENDAR_HOURS: dict[str, dict[int, tuple[tuple[str, str], ...]]] = {
    "cal_us": {d: (("08:00", "18:00"),) for d in range(1, 6)},
    # US retail clients also open on Saturday mornings.
    "cal_us_retail": {**{d: (("08:00", "18:00"),) for d in range(1, 6)}, 6: (("09:00", "13:00"),)},
    "cal_uk": {d: (("09:00", "17:30"),) for d in range(1, 6)},
    # A split day: closed for lunch between 12:00 and 13:00.
    "cal_de": {d: (("08:00", "12:00"), ("13:00", "17:00")) for d in range(1, 6)},
    "cal_au": {d: (("08:30", "17:00"),) for d in range(1, 6)},
}
CALENDAR_COUNTRY = {
    "cal_us": "US",
    "cal_us_retail": "US",
    "cal_uk": "UK",
    "cal_de": "DE",
    "cal_au": "AU",
}


@dataclass
class Reference:
    """Everything the generator and the seeds share."""

    clients: list[Client]
    engineers: list[Engineer]
    calendars: dict[str, BusinessCalendar]
    holidays: list[tuple[str, date, str]]
    leave: dict[str, dict[date, float]]
    policies: dict[tuple[str, str, str], SlaPolicy]
    leads: dict[str, str] = field(default_factory=dict)


def end_date(start: date, months: int) -> date:
    """The first date after a period of whole calendar months from `start`."""
    month = start.month - 1 + months
    year = start.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(start.day, monthrange(year, month)[1]))


def holiday_years(start: date, months: int) -> list[int]:
    last = end_date(start, months) - timedelta(days=1)
    return sorted(set(range(start.year, last.year + 1)) | {ALWAYS_HOLIDAY_YEAR})


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _calendars(years: list[int]) -> tuple[dict[str, BusinessCalendar], list[tuple[str, date, str]]]:
    """The business calendars with the holidays of the given years, and those holidays."""
    calendars: dict[str, BusinessCalendar] = {}
    holiday_rows: list[tuple[str, date, str]] = []
    for calendar_id, hours in CALENDAR_HOURS.items():
        holidays = public_holidays(CALENDAR_COUNTRY[calendar_id], years)
        weekly = {
            weekday: tuple((_minutes(o), _minutes(c)) for o, c in intervals)
            for weekday, intervals in hours.items()
        }
        calendars[calendar_id] = BusinessCalendar(calendar_id, weekly, dict(holidays))
        holiday_rows += [(calendar_id, day, name) for day, name in holidays]
    return calendars, holiday_rows


def build_reference(
    *, scale: float = 1.0, seed: int = 42, start: date = date(2026, 1, 1), months: int = 1
) -> Reference:
    """The reference data for a scale and seed (holidays cover the generated years)."""
    rng = random.Random(f"xla-reference|{seed}")
    years = holiday_years(start, months)
    calendars, holiday_rows = _calendars(years)
    clients = draw_clients(rng, max(8, round(50 * scale)))
    engineers = draw_engineers(rng, max(10, round(25 * scale)))
    # Leave is planned on the fixed leave years' calendars, whatever period is generated.
    leave = plan_leave(rng, engineers, _calendars(list(LEAVE_YEARS))[0])
    leads: dict[str, str] = {}
    for engineer in engineers:
        if engineer.role.endswith("Lead") and engineer.team == "service_desk":
            leads.setdefault(engineer.region, engineer.engineer_id)
    return Reference(
        clients=clients,
        engineers=engineers,
        calendars=calendars,
        holidays=holiday_rows,
        leave=leave,
        policies=sla_policies(),
        leads=leads,
    )


def reference_rows(ref: Reference) -> dict[str, list[tuple[str, ...]]]:
    """The rows of every reference file, in the column order of REFERENCE_FILES."""
    rows: dict[str, list[tuple[str, ...]]] = {name: [] for name in REFERENCE_FILES}
    for c in ref.clients:
        rows["clients"].append(
            (
                c.client_id,
                c.client_name,
                c.timezone,
                c.calendar_id,
                c.contract_tier,
                c.contract_start.isoformat(),
                c.contract_end.isoformat() if c.contract_end else "",
            )
        )
    for e in ref.engineers:
        rows["engineers"].append(
            (
                e.engineer_id,
                e.engineer_name,
                e.team,
                e.role,
                e.calendar_id,
                e.timezone,
                _number(e.weekly_contracted_hours),
                str(e.billable_target_pct),
                e.start_date.isoformat(),
                e.end_date.isoformat() if e.end_date else "",
                e.billable_goal_period,
            )
        )
    for calendar_id, hours in CALENDAR_HOURS.items():
        for weekday, intervals in sorted(hours.items()):
            for opens, closes in intervals:
                rows["business_calendars"].append((calendar_id, str(weekday), opens, closes))
    rows["holidays"] = [(cid, day.isoformat(), name) for cid, day, name in ref.holidays]
    for engineer_id, days in ref.leave.items():
        for day, hours in days.items():
            rows["engineer_leave"].append((engineer_id, day.isoformat(), _number(hours)))
    for p in ref.policies.values():
        rows["sla_policies"].append(
            (
                p.contract_tier,
                p.priority,
                p.metric,
                str(p.target_minutes),
                p.clock,
                ";".join(p.pause_statuses),
                str(p.attainment_target_pct),
            )
        )
    for tier in TIERS:
        for metric, target in XLA_TARGETS[tier].items():
            rows["xla_targets"].append(
                (
                    tier,
                    metric,
                    XLA_COMPARATORS[metric],
                    _number(target),
                    str(XLA_MIN_RESPONSES[metric]),
                )
            )
    rows["timeslip_rules"] = list(TIMESLIP_RULES)
    rows["value_map"] = [("servicenow", *row) for row in SERVICENOW_VALUE_MAP]
    rows["msp_settings"] = list(MSP_SETTINGS)
    return rows


def write_reference_files(ref: Reference, seeds_dir: Path) -> list[Path]:
    """Write one CSV per reference file (header and rows) into `seeds_dir`."""
    seeds_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, rows in reference_rows(ref).items():
        path = seeds_dir / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            # The generated MSP's reference data is always in force: no validity columns.
            writer.writerow(c for c in REFERENCE_FILES[name] if c not in VALIDITY_COLUMNS)
            writer.writerows(rows)
        written.append(path)
    return sorted(written)


def write_reference(
    seeds_dir: Path,
    *,
    scale: float = 1.0,
    seed: int = 42,
    start: date = date(2026, 1, 1),
    months: int = 1,
) -> list[Path]:
    """Build the reference data for these arguments and write it into `seeds_dir`."""
    return write_reference_files(
        build_reference(scale=scale, seed=seed, start=start, months=months), seeds_dir
    )
