"""Run a command as a child process and measure it: wall time, peak memory, output lines.

Peak memory is taken two ways: the largest single process (`ru_maxrss` of the child and
the processes it waited for, from `wait4`) and the whole process tree (the child and its
descendants, e.g. dbt, summed from /proc every fraction of a second).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_SECONDS = 0.25


@dataclass
class ChildRun:
    """What one child process did and cost."""

    command: list[str]
    exit_code: int
    wall: float  # seconds
    max_rss: int  # bytes, the largest single process
    tree_rss: int  # bytes, the largest sampled sum over the process tree
    lines: list[tuple[float, str]] = field(default_factory=list)  # (seconds since start, text)

    @property
    def peak_rss(self) -> int:
        return max(self.max_rss, self.tree_rss)

    def output(self) -> str:
        return "\n".join(text for _, text in self.lines)


def _children() -> dict[int, list[int]]:
    """Every process's children, from /proc."""
    found: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces; the parent id follows it.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        found.setdefault(parent, []).append(int(entry.name))
    return found


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def tree_rss(pid: int) -> int:
    """The resident memory of a process and all its descendants, in bytes."""
    children = _children()
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        total += _rss(current)
        pending.extend(children.get(current, []))
    return total


def run_child(
    command: list[str],
    env: dict[str, str],
    cwd: Path,
    log_file: Path,
    echo=None,
) -> ChildRun:
    """Run `command` to its end; keep its output (also in `log_file`) with arrival times."""
    if not Path("/proc").is_dir():
        raise RuntimeError("measuring a child process needs /proc (Linux)")
    log_file.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(SAMPLE_SECONDS):
            peak[0] = max(peak[0], tree_rss(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    lines: list[tuple[float, str]] = []
    assert process.stdout is not None
    with log_file.open("w", encoding="utf-8") as log:
        for line in process.stdout:
            text = line.rstrip("\n")
            lines.append((time.monotonic() - started, text))
            log.write(text + "\n")
            if echo is not None:
                echo(text)
    # wait4 gives this child's own resource usage (and that of the processes it reaped).
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    sampler.join()
    return ChildRun(
        command=command,
        exit_code=process.returncode,
        wall=wall,
        max_rss=usage.ru_maxrss * 1024,
        tree_rss=peak[0],
        lines=lines,
    )
