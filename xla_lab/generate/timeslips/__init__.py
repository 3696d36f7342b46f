"""Engineers' working days and the timeslips they enter.

Each engineer has a desk: the ticket work assigned to them (a window in which the work
can happen and a budget of minutes), on-call entries fixed in time, leave, and a weekly
billing position. A working day is filled with sequential, non-overlapping entries inside
the engineer's opening hours: ticket work picked earliest-deadline-first while the week
stays below its billing cap, internal work otherwise.

Ordinary engineers stay clear of every timeslip rule by construction: their billed hours
stay below the (pro-rated) weekly target, durations are arbitrary minutes, notes are
specific, no engineer spends 4 hours or more on an ordinary ticket, internal work stays
inside opening hours, and entries are entered the same or the next working day. The
habits and incidents (`habits`, `incidents`, and the late entries of `entering`) break
exactly one rule each, on purpose, and tag the entries they touch so the answer key can
name them.
"""

from xla_lab.generate.timeslips.desk import Desk
from xla_lab.generate.timeslips.entries import Entry, Incident, WorkItem, hundredths

__all__ = ["Desk", "Entry", "Incident", "WorkItem", "hundredths"]
