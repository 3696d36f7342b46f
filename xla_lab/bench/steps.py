"""Where the time of one `xla run` went: its steps, its slowest dbt nodes, its ingest phases.

The steps come from `build/last_run_steps.json` when the run wrote it; otherwise from the
arrival times of the run's progress lines, which mark where each step begins and ends.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

STEPS = ("ingest", "dbt", "gate", "publish")
_PROGRESS = re.compile(r"^\d{2}:\d{2}:\d{2} (?P<message>.*)$")
_FILE_LINE = re.compile(r"^\[\d+/\d+\] ")


def _messages(lines: list[tuple[float, str]]) -> list[tuple[float, str]]:
    found = []
    for at, text in lines:
        match = _PROGRESS.match(text)
        if match:
            found.append((at, match.group("message")))
    return found


def _first(messages: list[tuple[float, str]], test) -> float | None:
    return next((at for at, message in messages if test(message)), None)


def _last(messages: list[tuple[float, str]], test) -> float | None:
    return next((at for at, message in reversed(messages) if test(message)), None)


def from_progress(lines: list[tuple[float, str]]) -> dict[str, float]:
    """Seconds per step, read off the progress lines (arrival time, text) of a run."""
    messages = _messages(lines)
    marks = {
        "ingest": _first(messages, lambda m: m.startswith("Ingesting landing files")),
        "dbt": _first(messages, lambda m: m.startswith("Building the warehouse")),
        "gate": _last(messages, lambda m: m.startswith("dbt: ") and " tests" in m),
        "publish": _first(messages, lambda m: m.startswith("quality gate ")),
        "end": _last(messages, lambda m: m.startswith("Published ")),
    }
    order = [*STEPS, "end"]
    steps: dict[str, float] = {}
    for step, following in itertools.pairwise(order):
        begin, end = marks[step], marks[following]
        if begin is not None and end is not None and end >= begin:
            steps[step] = end - begin
    return steps


def read_steps(data_dir: Path, lines: list[tuple[float, str]]) -> tuple[dict[str, float], str]:
    """Seconds per step and where they came from."""
    for candidate in (data_dir / "build" / "last_run_steps.json",):
        try:
            document = json.loads(candidate.read_text(encoding="utf-8"))
            steps = {k: float(v) for k, v in (document.get("steps") or {}).items()}
        except (OSError, ValueError, TypeError, AttributeError):
            continue
        if steps:
            return steps, "build/last_run_steps.json"
    return from_progress(lines), "progress lines"


def ingest_phases(lines: list[tuple[float, str]]) -> dict[str, float]:
    """The ingest's phases, read off its progress lines: the files, then the checks."""
    messages = _messages(lines)
    begin = _first(messages, lambda m: m.startswith("Ingesting landing files"))
    last_file = _last(messages, lambda m: bool(_FILE_LINE.match(m)))
    docs = _first(messages, lambda m: m.startswith("Great Expectations Data Docs"))
    end = _first(messages, lambda m: m.startswith("Ingest: "))
    phases: dict[str, float] = {}
    if begin is not None and last_file is not None:
        phases["read, validate and write every file"] = last_file - begin
        checks_end = docs if docs is not None else end
        if checks_end is not None:
            phases["Great Expectations suites and Data Docs"] = checks_end - last_file
        if docs is not None and end is not None:
            phases["the rest (check results, materializations)"] = end - docs
    return phases


def slowest_dbt_nodes(data_dir: Path, count: int = 10) -> list[tuple[str, str, float]]:
    """The slowest nodes of the run's dbt build: (unique id, status, seconds)."""
    path = data_dir / "build" / "dbt_target" / "run_results.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    nodes = [
        (item.get("unique_id", "?"), str(item.get("status", "?")), float(item["execution_time"]))
        for item in document.get("results", [])
        if item.get("execution_time") is not None
    ]
    return sorted(nodes, key=lambda node: -node[2])[:count]
