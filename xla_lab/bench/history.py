"""The benchmark's history: every benchmark's measurements, kept beside BENCHMARKS.md.

`benchmarks/history.jsonl` holds one line per benchmark run (when, on which commit and
machine, and each measurement's wall time, peak memory and exit code). A benchmark adds
its line as it measures, replacing its own line, so an interrupted one keeps what it
measured. BENCHMARKS.md shows the history as a table and names every measurement that
got slower than the last time it was measured.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

# A measurement this much slower than the last time it was measured on the same machine
# is a regression.
REGRESSION = 0.10
# The measurements the history table shows, in its order: (kind, scale).
SHOWN = (
    ("demo", None),
    ("full", 1.0),
    ("incremental", 1.0),
    ("full", 10.0),
    ("incremental", 10.0),
    ("full", 30.0),
)


@dataclass(frozen=True)
class Entry:
    """One benchmark run as the history keeps it."""

    measured_at: str
    commit: str
    machine: str
    # "kind scale" (`full 10`, `demo`) -> {"wall": s, "peak_rss": bytes, "exit_code": n}
    results: dict[str, dict[str, float]]

    def wall(self, kind: str, scale: float | None) -> float | None:
        found = self.results.get(key(kind, scale))
        return None if found is None or found.get("exit_code", 0) != 0 else found["wall"]


def key(kind: str, scale: float | None) -> str:
    return kind if scale is None else f"{kind} {scale:g}"


def history_file(report: Path) -> Path:
    return report.parent / "benchmarks" / "history.jsonl"


# What a benchmark writes itself: changes there leave the code measured as it was.
OWN_OUTPUTS = (":(exclude)BENCHMARKS.md", ":(exclude)benchmarks")


def commit(folder: Path) -> str:
    """The short commit of the code measured, `-dirty` when it has changes other than a
    benchmark's own outputs; `unknown` outside a git checkout."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=folder, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".", *OWN_OUTPUTS)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}-dirty" if dirty else head


def load(path: Path) -> list[Entry]:
    """The entries of a history file, oldest first; lines that cannot be read are skipped."""
    entries = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    for line in lines:
        try:
            entries.append(Entry(**json.loads(line)))
        except (ValueError, TypeError):
            continue
    return entries


def save(path: Path, entry: Entry) -> list[Entry]:
    """Add `entry` to the history (replacing an entry of the same run); return them all."""
    entries = [e for e in load(path) if e.measured_at != entry.measured_at] + [entry]
    entries.sort(key=lambda e: e.measured_at)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "".join(json.dumps(e.__dict__, sort_keys=True) + "\n" for e in entries), encoding="utf-8"
    )
    return entries


def regressions(entries: list[Entry]) -> list[str]:
    """The measurements of the latest entry slower than the last time they were measured
    on the same machine (another machine's timings say nothing of the code)."""
    if not entries:
        return []
    latest, found = entries[-1], []
    for kind, scale in SHOWN:
        now = latest.wall(kind, scale)
        before = next(
            (
                e
                for e in reversed(entries[:-1])
                if e.machine == latest.machine and e.wall(kind, scale) is not None
            ),
            None,
        )
        if now is None or before is None:
            continue
        then = before.wall(kind, scale)
        assert then is not None
        if now > then * (1 + REGRESSION):
            found.append(
                f"{key(kind, scale)}: {now:.1f} s, {now / then - 1:.0%} slower than "
                f"{then:.1f} s on {before.measured_at[:10]} ({before.commit})"
            )
    return found


def table(entries: list[Entry]) -> tuple[list[str], list[list[str]]]:
    """The history as a table: a row per benchmark, a column per shown measurement."""
    header = ["measured at", "commit", *(f"{key(k, s)} (s)" for k, s in SHOWN)]
    rows = []
    for entry in entries:
        cells = []
        for kind, scale in SHOWN:
            found = entry.results.get(key(kind, scale))
            if found is None:
                cells.append("—")
            elif found.get("exit_code", 0) != 0:
                cells.append(f"exit {found['exit_code']:g}")
            else:
                cells.append(f"{found['wall']:.1f}")
        rows.append([entry.measured_at, entry.commit, *cells])
    return header, rows
