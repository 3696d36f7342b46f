"""What a desk works with and writes: an engineer's share of a ticket (`WorkItem`),
one timeslip (`Entry`) with the rule tags that name it in the answer key, a planted
incident waiting for a day of its window (`Incident`), how one working day is to be
filled (`DayParams`) and an engineer-level finding (`Finding`). Instants are epoch
seconds, times of day and durations minutes, hours worked and billed hundredths of an hour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from xla_lab.generate.tickets import EFFORT_CAP_MINUTES

MINUTE = 60
DAY = 86_400


@dataclass(slots=True, eq=False)
class WorkItem:
    """An engineer's share of a ticket: when it can be worked and for how long."""

    ticket_id: str
    client_id: str
    category: str
    priority: str
    start: int
    end: int
    budget: int
    billable: str
    ticket_minutes: list[int]  # shared by every engineer's item on the ticket
    spent: int = 0
    touches: int = 0
    focus: bool = False
    closed: int | None = None

    def remaining(self) -> int:
        """Minutes that may still be booked without nearing the effort-outlier floor."""
        if self.focus:
            return self.budget - self.spent
        return min(self.budget - self.spent, EFFORT_CAP_MINUTES - self.ticket_minutes[0])

    def book(self, minutes: int) -> None:
        self.spent += minutes
        self.ticket_minutes[0] += minutes
        self.touches += 1


@dataclass(slots=True, eq=False)
class Entry:
    """One timeslip as the engineer enters it."""

    engineer_id: str
    work_date: date
    start: int
    end: int
    ticket_id: str
    client_id: str
    billable: str
    billed: int  # hundredths of an hour
    work_type: str
    notes: str
    item: WorkItem | None = None
    entered: int = 0
    updated: int = 0
    timeslip_id: str = ""
    on_call: bool = False
    planted: bool = False
    is_copy: bool = False
    edit: tuple[int, str, str, int] | None = None  # updated, notes, billable, billed
    tags: list[tuple[str, str, Entry | None]] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return (self.end - self.start) // MINUTE

    @property
    def worked(self) -> int:
        """hours_worked in hundredths (half up)."""
        return (self.minutes * 100 + 30) // 60


@dataclass
class Incident:
    """A planted anomaly waiting for a suitable working day of one engineer."""

    kind: str
    earliest: date
    latest: date


@dataclass
class DayParams:
    """How one working day is filled."""

    start: int
    limit: int
    work: int
    budget: float
    exact: bool = False
    half_hours: bool = False
    extended: bool = False
    vague: bool = False
    post_closure: bool = False
    slowdown_target: float | None = None
    lunch: tuple[int, int] | None = None


@dataclass
class Finding:
    """An engineer-level planted anomaly (not tied to one timeslip id)."""

    rule_id: str
    subject_type: str
    subject_id: str
    detail: str
    # What must be true of the written data for it to stand.
    engineer_id: str
    days: tuple[date, ...] = ()
    min_minutes: int = 0
    cut: int = 0  # for a slowdown week: the instant the weekly target was reached


def hundredths(value: int) -> str:
    """Hundredths of an hour as a decimal with two places."""
    return f"{value // 100}.{value % 100:02d}"
