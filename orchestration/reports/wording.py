"""How a report words times, durations, figures and the reason for an SLA breach.

Everything here formats values the warehouse computed; nothing is counted. Times are
shown on the client's wall clock (its time zone from `dim_clients`), in English
whatever the machine's locale. The wording rules of a breach reason are in
docs/metrics/service-reviews.md#why-a-clock-breached.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip
METRIC_NAMES = {"first_response": "first response", "resolution": "resolution"}
# Shown where there is no figure (an en dash, as in print).
NO_FIGURE = "\u2013"


def local(instant: datetime, timezone: str | None) -> datetime:
    """An instant on the client's wall clock (UTC when the client has no time zone)."""
    return instant.astimezone(ZoneInfo(timezone or "UTC"))


def month_name(month: date) -> str:
    """`January 2026`."""
    return f"{MONTHS[month.month - 1]} {month.year}"


def month_key(month: date) -> str:
    """`2026-01`: a month's folder name."""
    return f"{month:%Y-%m}"


def short_month(month: date) -> str:
    """`Jan`."""
    return MONTHS[month.month - 1][:3]


def day_and_time(instant: datetime, timezone: str | None) -> str:
    """`Friday 9 January 17:40` on the client's wall clock."""
    wall = local(instant, timezone)
    return f"{WEEKDAYS[wall.weekday()]} {wall.day} {MONTHS[wall.month - 1]} {wall:%H:%M}"


def short_day_and_time(instant: datetime | None, timezone: str | None) -> str:
    """`Fri 9 Jan 17:40` on the client's wall clock; empty for no instant."""
    if instant is None:
        return ""
    wall = local(instant, timezone)
    return f"{WEEKDAYS[wall.weekday()][:3]} {wall.day} {MONTHS[wall.month - 1][:3]} {wall:%H:%M}"


def long_date(day: date) -> str:
    """`Monday 19 January`."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def duration(minutes: int | float) -> str:
    """Whole minutes as hours and minutes: `3 h 10 m`, `2 h`, `45 m`, `50 h 5 m`."""
    total = round(minutes)
    hours, rest = divmod(total, 60)
    if hours and rest:
        return f"{hours} h {rest} m"
    if hours:
        return f"{hours} h"
    return f"{rest} m"


def number(value: float | int | None, decimals: int = 1) -> str:
    """A figure rounded for reading, trailing zeros dropped: `96.2`, `100`, `-58.7`."""
    if value is None:
        return NO_FIGURE
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def percent(value: float | None, decimals: int = 1) -> str:
    """`96.2 %`, or a dash when there is no figure."""
    return NO_FIGURE if value is None else f"{number(value, decimals)} %"


def score(value: float | None) -> str:
    """A happiness or nps score, signed: `+71.4`, `-58.7`, `0`."""
    if value is None:
        return NO_FIGURE
    text = number(value)
    return text if text.startswith("-") or text == "0" else f"+{text}"


def hours(value: float | None) -> str:
    """`12.25 h`."""
    return NO_FIGURE if value is None else f"{number(value, 2)} h"


def and_join(parts: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _holiday_names(holidays: Iterable[dict[str, Any]]) -> str:
    found = sorted(
        (h["holiday_date"], h["holiday_name"]) for h in holidays if h.get("holiday_date")
    )
    return and_join([f"{name or 'holiday'}, {long_date(day)}" for day, name in found])


def breach_reason(clock: dict[str, Any], as_of: datetime | None) -> str:
    """Why an SLA clock breached, in one plain sentence, from its segments.

    "Opened Friday 9 January 17:40; 3 h 10 m of business time passed before the first
    response (target 2 h); 14 h outside business hours not counted."
    """
    timezone = clock["timezone"]
    business = clock["clock"] == "business"
    started = clock["started_at"]
    parts = [f"Opened {day_and_time(started, timezone)}"]
    counting_from = clock.get("counting_from")
    if business and counting_from is not None and counting_from > started:
        on_holiday = clock.get("is_opened_on_holiday")
        parts[0] += ", on a holiday" if on_holiday else ", outside business hours"
        parts.append(f"the clock started {day_and_time(counting_from, timezone)}")

    counted = duration(clock["elapsed_minutes"]) + (" of business time" if business else "")
    target = f"target {duration(clock['target_minutes'])}"
    around = ", counted around the clock" if not business else ""
    if clock["stopped_at"] is not None:
        done = "the first response" if clock["metric"] == "first_response" else "resolution"
        parts.append(f"{counted} passed before {done}{around} ({target})")
    else:
        missing = (
            "still without a first response"
            if clock["metric"] == "first_response"
            else "still unresolved"
        )
        by = f"by {day_and_time(as_of, timezone)}" if as_of is not None else "so far"
        parts.append(f"{counted} counted {by}{around}, {missing} ({target})")

    not_counted = []
    if clock.get("closed_minutes"):
        not_counted.append(f"{duration(clock['closed_minutes'])} outside business hours")
    if clock.get("holiday_minutes"):
        names = _holiday_names(clock.get("holidays", []))
        spanned = f" ({names})" if names else ""
        not_counted.append(f"{duration(clock['holiday_minutes'])} of holiday{spanned}")
    pauses = [p for p in clock.get("pauses", []) if p.get("minutes")]
    for pause in pauses:
        status = pause.get("status") or "a pause status"
        not_counted.append(f"{duration(pause['minutes'])} paused in {status}")
    if clock.get("resolved_minutes"):
        times = clock.get("reopen_count") or 1
        between = (
            "between its resolution and the reopen"
            if times == 1
            else f"between its resolutions and the {times} reopens"
        )
        not_counted.append(f"{duration(clock['resolved_minutes'])} {between}")
    if not_counted:
        parts.append(f"{and_join(not_counted)} not counted")
    sentence = "; ".join(parts) + "."
    return sentence[0].upper() + sentence[1:]


def metric_name(metric: str) -> str:
    """`first response`, `resolution`."""
    return METRIC_NAMES.get(metric, metric)
