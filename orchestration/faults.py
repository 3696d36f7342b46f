"""Named kill points: a test hook that makes a crash happen at an exact place in a run.

`maybe_crash("ingest.after_lake_write")` does nothing unless the environment variable
`XLA_FAULT` names that point, in which case the process kills itself with SIGKILL on
the spot, as a power cut or the OOM killer would: no `finally`, no `atexit`, no flush;
or names it with `:disk-full`, in which case every later durable write fails with
`ENOSPC`, as when the disk fills up mid-run.
The reliability tests (`tests/reliability/crashes.py`) set it to prove that the next
run repairs whatever the dead one left. `XLA_FAULT` is never set in production.
"""

from __future__ import annotations

import os
import signal

FAULT_ENV = "XLA_FAULT"

# Every place a run can be told to die, in the order a run passes them.
KILL_POINTS = (
    "ingest.between_files",  # one landing file wholly ingested, the next not started
    "ingest.after_lake_write",  # lake and quarantine written, no archive copy or ledger entry
    "ingest.after_ledger",  # ledger entry written, the landing file not yet removed
    "build.mid_build",  # dbt has built part of the warehouse
    "gate.mid_checks",  # the gate has evaluated its checks but not recorded them
    "publish.assembling",  # the release folder is half-written under .incoming-*
    "publish.before_switch",  # the release is in place, `published` not yet switched
    "publish.before_record",  # `published` switched, the audit record not yet written
)


# `XLA_FAULT=<point>:disk-full`: from that point on, every durable write of this process
# fails as on a full disk (`files.write_atomic`), instead of the process dying.
DISK_FULL = "disk-full"
_disk_full: list[bool] = []


def maybe_crash(point: str) -> None:
    """Kill this process with SIGKILL if `XLA_FAULT` names `point`, or fill the disk from
    here on if it names `<point>:disk-full` (a test hook)."""
    fault = os.environ.get(FAULT_ENV)
    if fault == point:
        os.kill(os.getpid(), signal.SIGKILL)
    if fault == f"{point}:{DISK_FULL}":
        _disk_full.append(True)


def disk_is_full() -> bool:
    """Whether a `disk-full` fault has filled the disk in this process."""
    return bool(_disk_full)
