"""How long each step of a run took: one line on the console and `build/last_run_steps.json`.

The durations are read from the run's own event log (each step's start and end), so they
are the same whichever way the run was launched.
"""

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dagster as dg

from orchestration.config import Settings
from orchestration.files import write_atomic

# The job's steps in run order, by the names an engineer knows them by.
STEP_NAMES = {
    "reference__snapshot": "reference",
    "ingest_landing_files": "ingest",
    "warehouse_models": "dbt",
    "audit__quality_gate": "gate",
    "published__warehouse": "publish",
}
STEPS_FILE = "last_run_steps.json"
_ENDS = (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE)


def step_durations(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Seconds from each step's first start to its last end (retries included), run order."""
    started: dict[str, float] = {}
    ended: dict[str, float] = {}
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            started.setdefault(event.step_key, record.timestamp)
        elif event.event_type in _ENDS:
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
    path = settings.build_dir / STEPS_FILE
    document = {"run_id": run_id, "steps": steps, "total": round(total, 1)}
    write_atomic(path, (json.dumps(document, indent=2) + "\n").encode())
    return path


def announced(
    writers: list[tuple[str, Callable[[Path, Any], None]]], say: Callable[[str], None]
) -> list[Callable[[Path, Any], None]]:
    """Release writers that say which one runs, `[n/N]`, and how long it took."""

    def wrap(number: int, label: str, writer: Callable[[Path, Any], None]) -> Callable:
        def write(release: Path, publication: Any) -> None:
            say(f"  [{number}/{len(writers)}] writing {label}")
            started = time.monotonic()
            writer(release, publication)
            elapsed = time.monotonic() - started
            say(f"  [{number}/{len(writers)}] {label} written in {elapsed:.1f} s")

        return write

    return [wrap(number, label, writer) for number, (label, writer) in enumerate(writers, 1)]
