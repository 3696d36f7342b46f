"""Named kill points: a test hook that makes a crash happen at an exact place in a run.

`maybe_crash("ingest.after_lake_write")` does nothing unless the environment variable
`XLA_FAULT` names that point, in which case the process kills itself with SIGKILL on
the spot, as a power cut or the OOM killer would: no `finally`, no `atexit`, no flush.
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


def maybe_crash(point: str) -> None:
    """Kill this process with SIGKILL if `XLA_FAULT` names `point` (a test hook)."""
    if os.environ.get(FAULT_ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)
