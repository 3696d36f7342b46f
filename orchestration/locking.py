"""One run at a time per data folder, whoever launched it (CLI, schedule, sensor, UI).

The lock is an exclusive `flock` on `<data>/.xla-run.lock`. The operating system drops it
when the holding process ends, so a killed run never leaves a stale lock behind. Within
one process it is re-entrant: `xla run` takes it before launching the job, and the job's
first step takes it again without blocking itself.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from orchestration.config import ConfigError, Settings

_held: dict[Path, IO[str]] = {}


class RunLocked(ConfigError):
    """Another run holds the data folder."""


def acquire(settings: Settings) -> None:
    """Hold the data folder's run lock until `release` or the end of this process."""
    path = (settings.data_dir / ".xla-run.lock").resolve()
    if path in _held:
        return
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise RunLocked(
            f"another xla run is using {settings.data_dir} (pid {holder}); try again when it ends"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    _held[path] = handle


def release(settings: Settings) -> None:
    """Give the lock back (a no-op if this process does not hold it)."""
    handle = _held.pop((settings.data_dir / ".xla-run.lock").resolve(), None)
    if handle is not None:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
