"""BENCHMARKS.md: the machine, every measurement against its target, where the time goes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from xla_lab.bench import machine, steps
from xla_lab.bench.runner import Measurement, Results, scale_label

# The targets on a 2-core machine.
TARGET_SCALE = 10.0  # the scale the floor and incremental targets speak of
FULL_OVER_FLOOR = 4.0
INCREMENTAL_SHARE = 0.15
PEAK_RSS_BYTES = 3e9
DEMO_SECONDS = 60.0
NOT_MEASURED = "not measured"


def machine_section(work_dir: Path) -> list[tuple[str, str]]:
    """The machine, described when the benchmark starts."""
    return [
        ("Measured at", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        *machine.describe(work_dir),
    ]


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 120 else f"{value:.0f} s ({value / 60:.1f} min)"


def _gb(value: int) -> str:
    return f"{value / 1e9:.2f} GB"


def _verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**missed**")


def _failed(m: Measurement) -> str:
    return "" if m.run.exit_code == 0 else f" (exit code {m.run.exit_code})"


def _landed(m: Measurement) -> str:
    return f" ({m.rows} rows)" if m.rows is not None else ""


def table_rows(results: Results) -> list[tuple[str, str, str, str]]:
    """(measurement, measured, target, verdict) for every line of the benchmark."""
    rows: list[tuple[str, str, str, str]] = []
    months = results.options.months
    span = f"{months} month" + ("s" if months != 1 else "")
    for scale in results.options.scales:
        label = scale_label(scale)
        targeted = scale == TARGET_SCALE
        floor = results.measured.get(("floor", scale))
        full = results.measured.get(("full", scale))
        incremental = results.measured.get(("incremental", scale))
        rows.append(
            (
                f"{label} floor: DuckDB loads the {span} of CSV extracts",
                _seconds(floor.run.wall) + _failed(floor) + _landed(floor)
                if floor
                else NOT_MEASURED,
                "reference",
                "—",
            )
        )
        ratio_target = f"≤ {FULL_OVER_FLOOR:g}x the floor" if targeted else "—"
        if full and floor:
            ratio = full.run.wall / floor.run.wall
            measured = f"{_seconds(full.run.wall)}{_failed(full)} = {ratio:.1f}x the floor"
            ok = (ratio <= FULL_OVER_FLOOR and full.run.exit_code == 0) if targeted else None
        elif full:
            measured, ok = _seconds(full.run.wall) + _failed(full) + " (no floor)", None
        else:
            measured, ok = NOT_MEASURED, None
        rows.append((f"{label} full `xla run`, {span}", measured, ratio_target, _verdict(ok)))
        if full:
            peak = full.run.peak_rss
            measured = (
                f"{_gb(peak)} (largest process {_gb(full.run.max_rss)}, "
                f"process tree {_gb(full.run.tree_rss)})"
            )
            ok = peak <= PEAK_RSS_BYTES
        else:
            measured, ok = NOT_MEASURED, None
        rows.append(
            (
                f"{label} peak RSS of the full run",
                measured,
                f"≤ {_gb(int(PEAK_RSS_BYTES))}",
                _verdict(ok),
            )
        )
        share_target = f"≤ {INCREMENTAL_SHARE:.0%} of the full run" if targeted else "—"
        if incremental and full:
            share = incremental.run.wall / full.run.wall
            measured = (
                f"{_seconds(incremental.run.wall)}{_failed(incremental)} = {share:.0%} of the "
                f"full run; peak RSS {_gb(incremental.run.peak_rss)}"
            )
            ok = (
                (share <= INCREMENTAL_SHARE and incremental.run.exit_code == 0)
                if targeted
                else None
            )
        else:
            measured, ok = NOT_MEASURED, None
        rows.append(
            (f"{label} incremental run of one more day", measured, share_target, _verdict(ok))
        )
    demo = results.measured.get(("demo", None))
    if demo:
        measured = f"{_seconds(demo.run.wall)}{_failed(demo)}; peak RSS {_gb(demo.run.peak_rss)}"
        ok = demo.run.wall <= DEMO_SECONDS and demo.run.exit_code == 0
    else:
        measured, ok = NOT_MEASURED, None
    rows.append(
        ("SF1 one-month demo (`xla demo`)", measured, f"≤ {DEMO_SECONDS:g} s", _verdict(ok))
    )
    return rows


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _step_rows(results: Results) -> list[list[str]]:
    rows = []
    for (kind, scale), m in results.measured.items():
        if kind == "floor":
            continue
        name = f"{scale_label(scale)} {kind}" if scale is not None else kind
        accounted = sum(m.steps.get(step, 0.0) for step in steps.STEPS)
        rows.append(
            [
                name,
                *(f"{m.steps[step]:.1f}" if step in m.steps else "?" for step in steps.STEPS),
                f"{max(m.run.wall - accounted, 0.0):.1f}",
                f"{m.run.wall:.1f}",
                m.steps_source,
            ]
        )
    return rows


def render(results: Results, machine_rows: list[tuple[str, str]]) -> str:
    options = results.options
    lines = [
        "# Benchmarks",
        "",
        "Written by `xla bench "
        f"--scales {','.join(f'{s:g}' for s in options.scales)} --months {options.months}"
        + (f" --only {','.join(options.only)}" if len(options.only) < 4 else "")
        + "`. Synthetic extracts from `xla generate` (seed "
        f"{options.seed}, from {options.start}); every run is a child process in a fresh data "
        "folder. Timings are wall-clock on a machine that may be shared: compare runs on the "
        "same machine, not across machines.",
        "",
        "## Machine",
        "",
        *_table(["", ""], [[label, value] for label, value in machine_rows]),
        "",
        "## Results",
        "",
        *_table(
            ["measurement", "measured", "target", ""],
            [list(row) for row in table_rows(results)],
        ),
        "",
        f"The floor and incremental targets apply to {scale_label(TARGET_SCALE)}; the peak RSS "
        "is the larger of the largest single process (`ru_maxrss`) and the sampled sum over the "
        "run's process tree (the run and its dbt process).",
    ]
    if results.generated:
        lines += ["", "Extracts:", ""]
        for scale, document in results.generated.items():
            rows = document.get("rows") or {}
            lines.append(
                f"- {scale_label(scale)}: {document.get('files')} files over "
                f"{document.get('months')} months (the last one held back for the incremental "
                "run), " + ", ".join(f"{n} {name}" for name, n in sorted(rows.items()))
            )
    if results.notes:
        lines += ["", *(f"- {note}" for note in results.notes)]
    lines += [
        "",
        "## Where the time goes",
        "",
        'Seconds per step; "other" is the rest of the wall time: starting Python, loading '
        "Dagster's definitions, printing the tables.",
        "",
        *_table(["run", *steps.STEPS, "other", "wall", "steps from"], _step_rows(results)),
    ]
    for (kind, scale), m in results.measured.items():
        if kind != "full":
            continue
        label = scale_label(scale)
        if m.ingest_phases:
            lines += ["", f"### {label} ingest phases", ""]
            lines += _table(
                ["phase", "seconds"], [[p, f"{s:.1f}"] for p, s in m.ingest_phases.items()]
            )
        if m.dbt_nodes:
            lines += ["", f"### {label} slowest dbt nodes", ""]
            lines += _table(
                ["node", "status", "seconds"],
                [[f"`{uid}`", status, f"{s:.1f}"] for uid, status, s in m.dbt_nodes],
            )
    return "\n".join(lines) + "\n"
