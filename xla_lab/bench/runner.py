"""`xla bench`: generate (or reuse) synthetic extracts and measure the warehouse on them.

Per scale factor: the floor (DuckDB alone loading the CSV extracts), a full `xla run` of
`months` months in a fresh data folder, and an incremental run of one more day on top
of it; once: the one-month demo. Every run is a child process, measured for wall time
and peak memory, and BENCHMARKS.md is written from what was measured.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from orchestration.files import link_or_copy
from xla_lab.bench import MEASUREMENTS, floor, steps
from xla_lab.bench.measure import ChildRun, run_child

COMPLETE = "complete.json"


@dataclass
class Options:
    scales: list[float]
    months: int
    out: Path
    report: Path
    seed: int = 7
    start: date = date(2026, 1, 1)
    only: tuple[str, ...] = MEASUREMENTS
    skip_generate: bool = False


@dataclass
class Measurement:
    """One measured child process and where its time went."""

    kind: str  # one of MEASUREMENTS
    scale: float | None
    run: ChildRun
    steps: dict[str, float] = field(default_factory=dict)
    steps_source: str = ""
    ingest_phases: dict[str, float] = field(default_factory=dict)
    dbt_nodes: list[tuple[str, str, float]] = field(default_factory=list)
    rows: int | None = None  # landed rows, when known


@dataclass
class Results:
    options: Options
    measured: dict[tuple[str, float | None], Measurement] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    generated: dict[float, dict[str, object]] = field(default_factory=dict)
    save: Callable[[], None] = lambda: None

    def add(self, measurement: Measurement) -> None:
        self.measured[(measurement.kind, measurement.scale)] = measurement
        self.save()


def add_months(start: date, months: int) -> date:
    """The same day `months` months later (the generator's months start on `start`)."""
    month = start.month - 1 + months
    return start.replace(year=start.year + month // 12, month=month % 12 + 1)


def scale_label(scale: float) -> str:
    return f"SF{scale:g}"


def generated_dir(options: Options, scale: float) -> Path:
    """The cache folder of one scale's extracts: one month beyond the measured ones."""
    name = f"sf{scale:g}-m{options.months + 1}-seed{options.seed}-{options.start:%Y%m%d}"
    return options.out / "generated" / name


def ensure_generated(options: Options, scale: float, log: Callable[[str], None]) -> Path:
    """Generate the scale's extracts unless an identical, complete set is cached."""
    from xla_lab.generate import generate

    folder = generated_dir(options, scale)
    if (folder / COMPLETE).exists():
        log(f"Reusing the extracts in {folder}")
        return folder
    if options.skip_generate:
        raise FileNotFoundError(
            f"{folder} holds no complete extracts; run without --skip-generate first"
        )
    shutil.rmtree(folder, ignore_errors=True)
    log(f"Generating {scale_label(scale)} x {options.months + 1} months into {folder}")
    started = time.monotonic()
    summary = generate(
        folder / "landing",
        scale=scale,
        months=options.months + 1,
        seed=options.seed,
        start=options.start,
        seeds_dir=folder / "seeds",
        answer_key_path=folder / "answer_key.json",
    )
    document = {
        "scale": scale,
        "months": options.months + 1,
        "seed": options.seed,
        "start": options.start.isoformat(),
        "files": len(summary.files),
        "rows": summary.rows,
        "seconds": round(time.monotonic() - started, 1),
    }
    (folder / COMPLETE).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return folder


def _land(files: list[Path], landing_dir: Path) -> int:
    """Put files into a landing folder (hard links where the disk allows); bytes landed."""
    landing_dir.mkdir(parents=True, exist_ok=True)
    size = 0
    for path in files:
        link_or_copy(path, landing_dir / path.name)
        size += path.stat().st_size
    return size


def _child_env(data_dir: Path, seeds_dir: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "XLA_SEEDS_DIR")}
    env["XLA_DATA_DIR"] = str(data_dir)
    if seeds_dir is not None:
        env["XLA_SEEDS_DIR"] = str(seeds_dir)
    return env


def _xla(*args: str) -> list[str]:
    return [sys.executable, "-m", "orchestration.cli", *args]


def _measure_run(
    kind: str, scale: float | None, command: list[str], data_dir: Path, env: dict[str, str]
) -> Measurement:
    run = run_child(command, env, data_dir.parent, data_dir.parent / f"{kind}.log")
    found, source = steps.read_steps(data_dir, run.lines)
    return Measurement(
        kind=kind,
        scale=scale,
        run=run,
        steps=found,
        steps_source=source,
        ingest_phases=steps.ingest_phases(run.lines),
        dbt_nodes=steps.slowest_dbt_nodes(data_dir),
    )


def _fresh(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def bench_scale(options: Options, scale: float, results: Results, log: Callable[[str], None]):
    """Every selected measurement of one scale factor."""
    source = ensure_generated(options, scale, log)
    results.generated[scale] = json.loads((source / COMPLETE).read_text(encoding="utf-8"))
    held_back = add_months(options.start, options.months)
    by_extract = floor.extract_files(source / "landing")
    measured = sorted(p for paths in by_extract.values() for p in paths if _date(p) < held_back)
    extra_day = sorted(p for paths in by_extract.values() for p in paths if _date(p) == held_back)
    work = options.out / "runs" / f"sf{scale:g}"
    label = scale_label(scale)

    if "floor" in options.only:
        log(f"{label}: the floor, DuckDB loading {len(measured)} CSV files")
        folder = _fresh(work / "floor")
        command = [
            sys.executable,
            "-m",
            "xla_lab.bench.floor",
            str(source / "landing"),
            str(folder / "floor.duckdb"),
            "--before",
            held_back.isoformat(),
        ]
        run = run_child(command, dict(os.environ), folder, folder / "floor.log")
        loaded = re.search(r"loaded (\d+) rows", run.output())
        results.add(Measurement("floor", scale, run, rows=int(loaded.group(1)) if loaded else None))
        (folder / "floor.duckdb").unlink(missing_ok=True)
        log(f"{label}: floor {run.wall:.1f} s")

    if "full" in options.only or "incremental" in options.only:
        data_dir = _fresh(work / "run") / "data"
        _land(measured, data_dir / "landing")
        log(f"{label}: full xla run over {len(measured)} files in {data_dir}")
        full = _measure_run(
            "full", scale, _xla("run"), data_dir, _child_env(data_dir, source / "seeds")
        )
        results.add(full)
        log(f"{label}: full run {full.run.wall:.1f} s, exit code {full.run.exit_code}")
        if "incremental" in options.only:
            if full.run.exit_code != 0:
                results.notes.append(
                    f"{label}: the incremental run was not measured: the full run ended with "
                    f"exit code {full.run.exit_code} (log: {data_dir.parent / 'full.log'})"
                )
            elif not extra_day:
                results.notes.append(f"{label}: no files dated {held_back} to land incrementally")
            else:
                _land(extra_day, data_dir / "landing")
                log(f"{label}: incremental xla run of {held_back} ({len(extra_day)} files)")
                incremental = _measure_run(
                    "incremental",
                    scale,
                    _xla("run"),
                    data_dir,
                    _child_env(data_dir, source / "seeds"),
                )
                results.add(incremental)
                log(f"{label}: incremental run {incremental.run.wall:.1f} s")


def _date(path: Path) -> date:
    from orchestration.ingest.reader import classify

    landing = classify(path)
    assert landing is not None
    return landing.extract_date


def bench_demo(options: Options, results: Results, log: Callable[[str], None]) -> None:
    data_dir = _fresh(options.out / "runs" / "demo") / "data"
    data_dir.mkdir()
    log(f"The one-month demo: xla demo in {data_dir}")
    demo = _measure_run("demo", None, _xla("demo"), data_dir, _child_env(data_dir, None))
    results.add(demo)
    log(f"demo {demo.run.wall:.1f} s, exit code {demo.run.exit_code}")


def run_bench(options: Options, log: Callable[[str], None] = print) -> Results:
    """Measure what `options` selects and write the report."""
    from xla_lab.bench import chart, history, report

    options.out.mkdir(parents=True, exist_ok=True)
    machine_rows = report.machine_section(options.out)
    commit = history.commit(Path(__file__).parent)
    kept = history.history_file(options.report)
    svg = kept.parent / "chart.svg"

    def save() -> None:
        # Rewritten after every measurement: an interrupted benchmark keeps what it measured.
        past = history.save(kept, report.history_entry(results, machine_rows, commit))
        svg.parent.mkdir(parents=True, exist_ok=True)
        svg.write_text(chart.render(*report.chart_points(results)), encoding="utf-8")
        notes = kept.parent / "notes.md"
        options.report.write_text(
            report.render(
                results,
                machine_rows,
                past,
                svg.relative_to(options.report.parent).as_posix(),
                notes.read_text(encoding="utf-8") if notes.is_file() else "",
            ),
            encoding="utf-8",
        )

    results = Results(options, save=save)
    # The short demo first: a benchmark stopped during a large scale still reports it.
    if "demo" in options.only:
        bench_demo(options, results, log)
    for scale in sorted(options.scales):
        bench_scale(options, scale, results, log)
    save()
    log(f"Wrote {options.report}")
    return results
