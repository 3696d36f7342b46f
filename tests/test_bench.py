"""`xla bench`: the report it writes and how it reads a run's steps (no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

from orchestration.cli import main
from xla_lab.bench import history, steps
from xla_lab.bench.runner import add_months


def test_bench_writes_every_row_and_the_machine(tmp_path: Path) -> None:
    report = tmp_path / "BENCHMARKS.md"
    args = ["bench", "--scales", "0.02", "--months", "1", "--out", str(tmp_path / "bench")]
    assert main([*args, "--report", str(report), "--only", "floor"]) == 0
    text = report.read_text(encoding="utf-8")
    assert "## Machine" in text
    for label in ("CPU", "Cores", "RAM", "Disk", "OS", "Python", "duckdb", "dbt-core", "dagster"):
        assert f"| {label} |" in text
    for row in (
        "SF0.02 floor: DuckDB loads the 1 month of CSV extracts",
        "SF0.02 full `xla run`, 1 month",
        "SF0.02 peak RSS of the full run",
        "SF0.02 incremental run of one more day",
        "SF1 one-month demo (`xla demo`)",
    ):
        assert f"| {row} |" in text
    floor_row = next(line for line in text.splitlines() if line.startswith("| SF0.02 floor"))
    assert floor_row.split("|")[2].strip().endswith(" rows)")
    assert text.count("not measured") == 4  # the full, its RSS, the incremental, the demo
    # The chart beside the table, and the history with this benchmark's line.
    assert "![Wall time and peak memory by scale factor](benchmarks/chart.svg)" in text
    assert (tmp_path / "benchmarks" / "chart.svg").read_text().startswith("<svg ")
    (entry,) = history.load(tmp_path / "benchmarks" / "history.jsonl")
    assert list(entry.results) == ["floor 0.02"] and entry.commit
    assert "## History" in text
    # The extracts are cached: a second run with --skip-generate reuses them.
    assert main([*args, "--report", str(report), "--only", "floor", "--skip-generate"]) == 0


def test_bench_refuses_unknown_measurements(tmp_path: Path) -> None:
    assert main(["bench", "--only", "floor,warp", "--out", str(tmp_path)]) == 2


def test_steps_from_progress_lines() -> None:
    lines = [
        (0.4, "10:00:00 Running XLA Warehouse on /data (seeds: /seeds)"),
        (8.0, "10:00:08 Ingesting landing files from /data/landing"),
        (9.0, "10:00:09 [1/2] tickets_20260101.csv: 5 rows, 5 loaded, 0 quarantined"),
        (30.0, "10:00:30 [2/2] surveys_20260101.csv: 5 rows, 5 loaded, 0 quarantined"),
        (40.0, "10:00:40 Great Expectations Data Docs: /data/audit/index.html"),
        (41.0, "10:00:41 Ingest: 2 new files, 10 rows in, 10 loaded, 0 quarantined"),
        (47.0, "10:00:47 Building the warehouse with dbt into /data/build/warehouse.duckdb"),
        (110.0, "10:01:50 dbt: 300 tests, 0 not passing"),
        (111.5, "10:01:51 quality gate passed: 320 checks, 2 warnings"),
        (119.0, "10:01:59 Published /data/published/warehouse.duckdb (as_of 2026-01-31)"),
        (119.5, "a line without a time is not progress"),
    ]
    assert steps.from_progress(lines) == {"ingest": 39.0, "dbt": 63.0, "gate": 1.5, "publish": 7.5}
    phases = steps.ingest_phases(lines)
    assert phases["read, validate and write every file"] == 22.0
    assert phases["Great Expectations suites and Data Docs"] == 10.0


def test_steps_file_wins_over_progress_lines(tmp_path: Path) -> None:
    (tmp_path / "build").mkdir()
    document = {"run_id": "r1", "steps": {"ingest": 1.5, "dbt": 2.0}, "total": 4.0}
    (tmp_path / "build" / "last_run_steps.json").write_text(json.dumps(document))
    assert steps.read_steps(tmp_path, []) == (
        {"ingest": 1.5, "dbt": 2.0},
        "build/last_run_steps.json",
    )
    assert steps.read_steps(tmp_path / "elsewhere", []) == ({}, "progress lines")


def test_the_held_back_month_follows_the_measured_ones() -> None:
    assert add_months(date(2026, 1, 1), 12) == date(2027, 1, 1)
    assert add_months(date(2026, 3, 1), 1) == date(2026, 4, 1)


def test_history_names_what_got_slower_than_its_last_measurement(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"

    def entry(at: str, **walls: float) -> history.Entry:
        return history.Entry(
            measured_at=at,
            commit=at[-1],
            machine="m",
            results={
                k.replace("_", " "): {"wall": w, "peak_rss": 0, "exit_code": 0}
                for k, w in walls.items()
            },
        )

    history.save(path, entry("2026-01-01 a", demo=30.0, full_10=200.0))
    history.save(path, entry("2026-01-02 b", demo=40.0))
    # The same benchmark saved again replaces its line.
    history.save(path, entry("2026-01-03 c", demo=30.0, full_10=200.0))
    entries = history.save(path, entry("2026-01-03 c", demo=33.1, full_10=219.0))
    assert [e.commit for e in entries] == ["a", "b", "c"]
    # demo: 33.1 against 40.0 the day before, faster; full 10: 219 against 200 on the
    # first day (the second did not measure it), 9.5 % slower, within the 10 % allowed.
    assert history.regressions(entries) == []
    entries = history.save(path, entry("2026-01-04 d", demo=36.5, full_10=241.0))
    assert history.regressions(entries) == [
        "demo: 36.5 s, 10% slower than 33.1 s on 2026-01-03 (c)",
        "full 10: 241.0 s, 10% slower than 219.0 s on 2026-01-03 (c)",
    ]
    # Another machine's timings are no baseline: slower there is no regression here.
    elsewhere = history.Entry("2026-01-05 e", "e", "other", {"demo": {"wall": 99.0}})
    assert history.regressions([*entries, elsewhere]) == []
    header, rows = history.table(entries)
    assert header[:3] == ["measured at", "commit", "demo (s)"]
    assert rows[1][2:4] == ["40.0", "—"]


def test_the_default_start_ends_the_held_back_month_before_today() -> None:
    from xla_lab.bench import default_start

    # 12 measured months and one held back, all before 7 December 2026: November 2025
    # to October 2026, then November 2026 (the incremental run's first day, 1 November).
    assert default_start(12, date(2026, 12, 7)) == date(2025, 11, 1)
    assert add_months(default_start(12, date(2026, 12, 7)), 12) == date(2026, 11, 1)
    assert default_start(12, date(2026, 1, 31)) == date(2024, 12, 1)
    assert default_start(1, date(2026, 3, 1)) == date(2026, 1, 1)


def test_a_benchmark_s_own_outputs_leave_the_commit_clean(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    for name in ("BENCHMARKS.md", "code.py", "benchmarks/history.jsonl"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("before\n")
    git("add", ".")
    git("-c", "user.name=x", "-c", "user.email=x@example.org", "commit", "-qm", "start")
    clean = history.commit(tmp_path)
    assert clean and not clean.endswith("-dirty")
    (tmp_path / "BENCHMARKS.md").write_text("after\n")
    (tmp_path / "benchmarks" / "history.jsonl").write_text("after\n")
    assert history.commit(tmp_path) == clean
    (tmp_path / "code.py").write_text("after\n")
    assert history.commit(tmp_path) == f"{clean}-dirty"
