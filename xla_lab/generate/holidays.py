"""Public holidays of the countries whose calendars the demo MSP uses.

Fixed dates, Easter-based dates (from a computed Gregorian Easter) and nth-weekday dates,
with the substitute or observed days each country applies when a holiday falls on a
weekend. The weekend date itself is listed as well, so a calendar that opens on
Saturdays is still closed on a Saturday holiday.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

Holiday = tuple[date, str]


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th `weekday` (0 = Monday) of a month; n = -1 is the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    following = date(year + month // 12, month % 12 + 1, 1)
    last = following - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _us(year: int) -> list[Holiday]:
    """US holidays as most private-sector employers observe them."""
    days: list[Holiday] = []
    for month, day, name in (
        (1, 1, "New Year's Day"),
        (6, 19, "Juneteenth"),
        (7, 4, "Independence Day"),
        (12, 25, "Christmas Day"),
    ):
        actual = date(year, month, day)
        days.append((actual, name))
        # Federal rule: Saturday is observed on Friday, Sunday on Monday.
        if actual.weekday() == 5:
            days.append((actual - timedelta(days=1), f"{name} (observed)"))
        elif actual.weekday() == 6:
            days.append((actual + timedelta(days=1), f"{name} (observed)"))
    thanksgiving = nth_weekday(year, 11, 3, 4)
    days += [
        (nth_weekday(year, 1, 0, 3), "Martin Luther King Jr. Day"),
        (nth_weekday(year, 2, 0, 3), "Presidents' Day"),
        (nth_weekday(year, 5, 0, -1), "Memorial Day"),
        (nth_weekday(year, 9, 0, 1), "Labor Day"),
        (thanksgiving, "Thanksgiving Day"),
        (thanksgiving + timedelta(days=1), "Day after Thanksgiving"),
    ]
    return days


def _christmas_with_substitutes(year: int, boxing_name: str) -> list[Holiday]:
    """Christmas and Boxing Day, moved to the next free weekdays when on a weekend."""
    christmas, boxing = date(year, 12, 25), date(year, 12, 26)
    days: list[Holiday] = [(christmas, "Christmas Day"), (boxing, boxing_name)]
    if christmas.weekday() == 5:  # Sat, Sun -> Mon 27, Tue 28
        days += [
            (date(year, 12, 27), "Christmas Day (substitute day)"),
            (date(year, 12, 28), f"{boxing_name} (substitute day)"),
        ]
    elif christmas.weekday() == 6:  # Sun, Mon -> Tue 27 for Christmas
        days.append((date(year, 12, 27), "Christmas Day (substitute day)"))
    elif christmas.weekday() == 4:  # Fri, Sat -> Mon 28 for Boxing Day
        days.append((date(year, 12, 28), f"{boxing_name} (substitute day)"))
    return days


def _next_monday_if_weekend(day: date, name: str) -> list[Holiday]:
    days: list[Holiday] = [(day, name)]
    if day.weekday() >= 5:
        days.append((day + timedelta(days=7 - day.weekday()), f"{name} (substitute day)"))
    return days


def _uk(year: int) -> list[Holiday]:
    """Bank holidays of England and Wales."""
    easter = easter_sunday(year)
    return [
        *_next_monday_if_weekend(date(year, 1, 1), "New Year's Day"),
        (easter - timedelta(days=2), "Good Friday"),
        (easter + timedelta(days=1), "Easter Monday"),
        (nth_weekday(year, 5, 0, 1), "Early May bank holiday"),
        (nth_weekday(year, 5, 0, -1), "Spring bank holiday"),
        (nth_weekday(year, 8, 0, -1), "Summer bank holiday"),
        *_christmas_with_substitutes(year, "Boxing Day"),
    ]


def _de(year: int) -> list[Holiday]:
    """Public holidays of Berlin (Germany does not move holidays off weekends)."""
    easter = easter_sunday(year)
    return [
        (date(year, 1, 1), "New Year's Day"),
        (date(year, 3, 8), "International Women's Day"),
        (easter - timedelta(days=2), "Good Friday"),
        (easter + timedelta(days=1), "Easter Monday"),
        (date(year, 5, 1), "Labour Day"),
        (easter + timedelta(days=39), "Ascension Day"),
        (easter + timedelta(days=50), "Whit Monday"),
        (date(year, 10, 3), "Day of German Unity"),
        (date(year, 12, 25), "Christmas Day"),
        (date(year, 12, 26), "Second Day of Christmas"),
    ]


def _au(year: int) -> list[Holiday]:
    """Public holidays of New South Wales."""
    easter = easter_sunday(year)
    return [
        *_next_monday_if_weekend(date(year, 1, 1), "New Year's Day"),
        *_next_monday_if_weekend(date(year, 1, 26), "Australia Day"),
        (easter - timedelta(days=2), "Good Friday"),
        (easter - timedelta(days=1), "Easter Saturday"),
        (easter, "Easter Sunday"),
        (easter + timedelta(days=1), "Easter Monday"),
        (date(year, 4, 25), "Anzac Day"),
        (nth_weekday(year, 6, 0, 2), "King's Birthday"),
        (nth_weekday(year, 10, 0, 1), "Labour Day"),
        *_christmas_with_substitutes(year, "Boxing Day"),
    ]


COUNTRY_RULES: dict[str, Callable[[int], list[Holiday]]] = {
    "US": _us,
    "UK": _uk,
    "DE": _de,
    "AU": _au,
}


def public_holidays(country: str, years: Iterable[int]) -> list[Holiday]:
    """The holidays of a country falling in the given years, sorted, one row per date.

    Neighbouring years are computed too, because an observed day can cross a year end
    (a Saturday New Year's Day is observed on the Friday before). Two holidays on one
    date are listed once, with both names.
    """
    wanted = sorted(set(years))
    by_date: dict[date, list[str]] = {}
    for year in range(wanted[0] - 1, wanted[-1] + 2):
        for day, name in COUNTRY_RULES[country](year):
            if day.year in wanted and name not in by_date.setdefault(day, []):
                by_date[day].append(name)
    return [(day, " / ".join(names)) for day, names in sorted(by_date.items())]
