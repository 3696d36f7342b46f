"""The progress of a command on the console: how long each step of a run took (one line,
and `build/last_run_steps.json`), and a heartbeat that says what is under way when the
console has been silent for a while.

The durations are read from the run's own event log (each step's start and end), so they
are the same whichever way the run was launched. This module imports Dagster only when a
function needs it: the heartbeat runs while Dagster itself is being imported.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from orchestration.config import Settings

if TYPE_CHECKING:
    import dagster as dg

# The job's steps in run order, by the names an engineer knows them by.
STEP_NAMES = {
    "reference__snapshot": "reference",
    "ingest_landing_files": "ingest",
    "warehouse_models": "dbt",
    "audit__quality_gate": "gate",
    "published__warehouse": "publish",
}
STEPS_FILE = "last_run_steps.json"


def step_durations(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Seconds from each step's first start to its last end (retries included), run order."""
    import dagster as dg

    ends = (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE)
    started: dict[str, float] = {}
    ended: dict[str, float] = {}
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            started.setdefault(event.step_key, record.timestamp)
        elif event.event_type in ends:
            ended[event.step_key] = record.timestamp
    order = list(STEP_NAMES)
    keys = sorted(
        (key for key in started if key in ended),
        key=lambda key: (order.index(key) if key in order else len(order), started[key]),
    )
    return {STEP_NAMES.get(key, key): round(ended[key] - started[key], 1) for key in keys}


def steps_line(steps: dict[str, float]) -> str:
    """E.g. `Steps: ingest 39.2 s, dbt 63.0 s, gate 1.1 s, publish 8.3 s`."""
    return "Steps: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in steps.items())


def write_steps(settings: Settings, run_id: str, steps: dict[str, float], total: float) -> Path:
    """`build/last_run_steps.json`: {"run_id", "steps": {step: seconds}, "total": seconds}."""
    from orchestration.files import write_atomic

    path = settings.build_dir / STEPS_FILE
    document = {"run_id": run_id, "steps": steps, "total": round(total, 1)}
    write_atomic(path, (json.dumps(document, indent=2) + "\n").encode())
    return path


def announced(
    writers: list[tuple[str, Callable[[Path, Any], str | None]]], say: Callable[[str], None]
) -> list[Callable[[Path, Any], None]]:
    """Release writers that say which one runs, `[n/N]`, and how long it took, with the
    remark a writer returns (how much of it was carried forward, say)."""

    def wrap(number: int, label: str, writer: Callable[[Path, Any], str | None]) -> Callable:
        def write(release: Path, publication: Any) -> None:
            say(f"  [{number}/{len(writers)}] writing {label}")
            started = time.monotonic()
            remark = writer(release, publication)
            elapsed = time.monotonic() - started
            said = f"  [{number}/{len(writers)}] {label} written in {elapsed:.1f} s"
            say(f"{said}: {remark}" if remark else said)

        return write

    return [wrap(number, label, writer) for number, (label, writer) in enumerate(writers, 1)]


# -- the heartbeat ---------------------------------------------------------------------------

QUIET_SECONDS = 5.0  # silence before the first "still" line
EVERY_SECONDS = 10.0  # silence between two "still" lines
_HEARTBEAT = "xla_heartbeat"  # marks the heartbeat's own log records
_COUNTER = re.compile(r"^\[(\d+/\d+)\]\s*")
# What a phase line says after its name: a path it works in, a remark, an ellipsis.
_DETAIL = re.compile(r"\s+(?:into|from|on|in)\s+\S*/.*|\s*\(.*|:\s.*|\s*(?:…|\.\.\.)\s*$")
_DOING = re.compile(r"[A-Za-z][A-Za-z-]*ing\b")
_NOT_PHASES = frozenset({"nothing", "something", "warning"})
_PHASES = {"Quality gate": "running the quality gate"}


def under_way(line: str) -> tuple[str | None, str | None]:
    """What a progress line says is under way, and the `n/N` count it gives, if any.

    A line that starts a phase starts with what it does (`Building the warehouse in full
    with dbt into ...`, `[2/5] writing the BI file`): the phase is that, without the
    path or remark after it (`building the warehouse in full with dbt`). Other lines
    (`[3/40] built fct_tickets`) start nothing, and the phase stays what it was.
    """
    text = line.strip()
    counter = _COUNTER.match(text)
    count = counter.group(1) if counter else None
    text = text[counter.end() :] if counter else text
    for prefix, phase in _PHASES.items():
        if text.startswith(prefix):
            return phase, count
    doing = _DOING.match(text)
    if doing is not None and doing.group().lower() not in _NOT_PHASES:
        phase = _DETAIL.sub("", text).strip()
        return phase[0].lower() + phase[1:], count
    return None, count


class Heartbeat(logging.Filter):
    """Says what is under way when the console has been silent for a while.

    Attached to a logger's handlers (`watch`), it notes every line they print; when none
    came for `quiet` seconds (default `QUIET_SECONDS`) it prints, through the logger,
    `  … still <what is under way> (<seconds> s)`, and again after every `every` seconds of
    silence (default `EVERY_SECONDS`), from a daemon thread, until stopped. What is under
    way is the phase the last phase line named (the seconds count from that line), else
    `phase`. Nothing is printed once `stop` returns; the thread never keeps the process
    alive.
    """

    def __init__(
        self,
        phase: str,
        quiet: float | None = None,
        every: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.quiet = QUIET_SECONDS if quiet is None else quiet
        self.every = EVERY_SECONDS if every is None else every
        self.clock = clock
        # How often the thread looks at the clock: a beat is at most this late.
        self.tick = min(0.5, self.quiet / 4, self.every / 4)
        now = clock()
        self.phase, self.phase_started, self.count = phase, now, None
        self.next_beat = now + self.quiet
        self._lock = threading.RLock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._logger: logging.Logger | None = None
        self._handlers: list[logging.Handler] = []

    def heard(self, line: str, now: float | None = None) -> None:
        """Note a line printed: silence starts again, and the line may name a new phase."""
        now = self.clock() if now is None else now
        phase, count = under_way(line)
        with self._lock:
            self.next_beat = now + self.quiet
            if phase is not None:
                self.phase, self.phase_started, self.count = phase, now, None
            elif count is not None:
                self.count = count

    def due(self, now: float | None = None) -> str | None:
        """The line to print now, if the console has been silent long enough."""
        now = self.clock() if now is None else now
        with self._lock:
            if now < self.next_beat:
                return None
            self.next_beat = now + self.every
            done = f"; {self.count} done" if self.count else ""
            return f"  … still {self.phase} ({now - self.phase_started:.0f} s{done})"

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, _HEARTBEAT, False):
            self.heard(record.getMessage())
        return True

    def watch(self, logger: logging.Logger) -> Heartbeat:
        """Note every line `logger`'s handlers print, and start beating."""
        self._logger, self._handlers = logger, list(logger.handlers)
        for handler in self._handlers:
            handler.addFilter(self)
        self._thread = threading.Thread(target=self._beat, name="xla-heartbeat", daemon=True)
        self._thread.start()
        return self

    def _beat(self) -> None:
        while not self._stopped.wait(self.tick):
            with self._lock:
                # Checked under the lock `stop` takes: nothing is printed after it.
                if self._stopped.is_set():
                    return
                line = self.due()
                if line is not None and self._logger is not None:
                    self._logger.info(line, extra={_HEARTBEAT: True})

    def stop(self) -> None:
        """Stop beating (idempotent); no line is printed after this returns."""
        with self._lock:
            self._stopped.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        for handler in self._handlers:
            handler.removeFilter(self)
        self._handlers = []

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> Heartbeat:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
