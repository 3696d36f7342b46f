"""Time zones and business calendars for the simulation.

Instants are whole UTC epoch seconds; local wall times are naive datetimes in a zone.
Business arithmetic works on wall time: opening hours never straddle a DST change
(those happen at night), so minutes inside opening hours are real minutes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY = 86_400


class Zone:
    """An IANA time zone with conversions between epoch seconds and local wall time."""

    __slots__ = ("_noon_cache", "name", "tz")

    def __init__(self, name: str) -> None:
        self.name = name
        self.tz = ZoneInfo(name)
        self._noon_cache: dict[date, int] = {}

    def local(self, ts: int) -> datetime:
        """Local wall time (naive) of an instant."""
        return datetime.fromtimestamp(ts, self.tz).replace(tzinfo=None)

    def to_ts(self, local: datetime) -> int:
        """The instant of a local wall time (a time skipped by DST moves forward)."""
        return int(local.replace(tzinfo=self.tz).timestamp())

    def iso(self, ts: int) -> str:
        """ISO 8601 with seconds and the zone's UTC offset at that instant."""
        return datetime.fromtimestamp(ts, self.tz).isoformat(timespec="seconds")

    def local_date(self, ts: int) -> date:
        return datetime.fromtimestamp(ts, self.tz).date()

    def day_origin(self, day: date) -> int:
        """Epoch seconds of local midnight, using the day's midday offset.

        Adding seconds-since-midnight to it is exact for any time after the night's DST
        change, which is all that working hours need.
        """
        origin = self._noon_cache.get(day)
        if origin is None:
            origin = self.to_ts(datetime.combine(day, time(12))) - 12 * 3600
            self._noon_cache[day] = origin
        return origin


def utc_ts(day: date) -> int:
    """Epoch seconds of midnight UTC at the start of a date."""
    return int(datetime.combine(day, time(), tzinfo=UTC).timestamp())


def utc_date(ts: int) -> date:
    return datetime.fromtimestamp(ts, UTC).date()


class BusinessCalendar:
    """Weekly opening hours plus closed holidays, in local wall time."""

    def __init__(
        self,
        calendar_id: str,
        weekly: dict[int, tuple[tuple[int, int], ...]],
        holidays: dict[date, str],
    ) -> None:
        """`weekly` maps ISO weekday (1 = Monday) to (open, close) minutes after midnight."""
        self.calendar_id = calendar_id
        self.weekly = weekly
        self.holidays = holidays
        self._cache: dict[date, tuple[tuple[int, int], ...]] = {}

    def intervals(self, day: date) -> tuple[tuple[int, int], ...]:
        """Opening intervals of a date in minutes after midnight; empty when closed."""
        found = self._cache.get(day)
        if found is None:
            found = () if day in self.holidays else self.weekly.get(day.isoweekday(), ())
            self._cache[day] = found
        return found

    def is_open_day(self, day: date) -> bool:
        return bool(self.intervals(day))

    def next_open_day(self, day: date) -> date:
        """The first open date strictly after `day`."""
        day += timedelta(days=1)
        for _ in range(60):
            if self.intervals(day):
                return day
            day += timedelta(days=1)
        raise ValueError(f"calendar {self.calendar_id} is never open")

    def add_minutes(self, start: datetime, minutes: float) -> datetime:
        """The wall time after `minutes` of open time counted from `start`."""
        remaining = round(minutes * 60)
        day = start.date()
        position = start.hour * 3600 + start.minute * 60 + start.second
        for _ in range(3700):
            for opens, closes in self.intervals(day):
                lo, hi = opens * 60, closes * 60
                if position >= hi:
                    continue
                begin = max(position, lo)
                if remaining <= hi - begin:
                    return datetime.combine(day, time()) + timedelta(seconds=begin + remaining)
                remaining -= hi - begin
                position = hi
            day += timedelta(days=1)
            position = 0
        raise ValueError(f"calendar {self.calendar_id} has no open time ahead")

    def snap_forward(self, local: datetime) -> datetime:
        """`local` if inside opening hours, else the next opening instant."""
        return self.add_minutes(local, 0)

    def snap_back(self, local: datetime, within_days: int = 7) -> datetime | None:
        """The latest instant inside opening hours at or before `local`."""
        day = local.date()
        minute = local.hour * 60 + local.minute
        for back in range(within_days + 1):
            for opens, closes in reversed(self.intervals(day)):
                if back == 0 and minute < opens:
                    continue
                if back == 0 and minute < closes:
                    return local
                return (
                    datetime.combine(day, time()) + timedelta(minutes=closes) - timedelta(seconds=1)
                )
            day -= timedelta(days=1)
        return None

    def end_of_next_open_day(self, local: datetime) -> datetime:
        """End of the first open day after the date of `local` (a follow-up deadline)."""
        day = self.next_open_day(local.date())
        return datetime.combine(day, time()) + timedelta(minutes=self.intervals(day)[-1][1])

    def open_minutes_between(self, a: datetime, b: datetime) -> float:
        """Minutes of opening hours between two wall times (0 when b <= a)."""
        total = 0.0
        day = a.date()
        while day <= b.date():
            base = datetime.combine(day, time())
            for opens, closes in self.intervals(day):
                lo = max(a, base + timedelta(minutes=opens))
                hi = min(b, base + timedelta(minutes=closes))
                if hi > lo:
                    total += (hi - lo).total_seconds() / 60
            day += timedelta(days=1)
        return total
