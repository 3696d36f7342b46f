"""BENCHMARKS.md: the machine, every measurement against its target, where the time goes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from xla_lab.bench import chart, history, machine, steps
from xla_lab.bench.runner import Measurement, Results, scale_label


# The targets on a 2-core machine, per scale factor: the full run against the floor,
# the one-day incremental run against the full run, the peak memory of the full run;
# the largest scale's full run against the run of the target scale (cost linear in data).
@dataclass(frozen=True)
class Targets:
    full_over_floor: float | None = None
    incremental_share: float | None = None
    peak_rss_bytes: float | None = None
    # (the scale compared with, at most this many times its full run)
    full_over: tuple[float, float] | None = None


TARGETS = {
    1.0: Targets(full_over_floor=6.0, incremental_share=0.35, peak_rss_bytes=3e9),
    10.0: Targets(full_over_floor=3.0, incremental_share=0.10, peak_rss_bytes=3e9),
    30.0: Targets(peak_rss_bytes=6e9, full_over=(10.0, 3.3)),
}
DEMO_SECONDS = 30.0
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
        targets = TARGETS.get(scale, Targets())
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
        rows.append(_full_row(results, scale, span, targets, floor, full))
        if full:
            peak = full.run.peak_rss
            measured = (
                f"{_gb(peak)} (largest process {_gb(full.run.max_rss)}, "
                f"process tree {_gb(full.run.tree_rss)})"
            )
            ok = peak <= targets.peak_rss_bytes if targets.peak_rss_bytes else None
        else:
            measured, ok = NOT_MEASURED, None
        rows.append(
            (
                f"{label} peak RSS of the full run",
                measured,
                f"≤ {_gb(int(targets.peak_rss_bytes))}" if targets.peak_rss_bytes else "—",
                _verdict(ok),
            )
        )
        share = targets.incremental_share
        if incremental and full:
            ratio = incremental.run.wall / full.run.wall
            measured = (
                f"{_seconds(incremental.run.wall)}{_failed(incremental)} = {ratio:.0%} of the "
                f"full run; peak RSS {_gb(incremental.run.peak_rss)}"
            )
            ok = (ratio <= share and incremental.run.exit_code == 0) if share else None
        else:
            measured, ok = NOT_MEASURED, None
        rows.append(
            (
                f"{label} incremental run of one more day",
                measured,
                f"≤ {share:.0%} of the full run" if share else "—",
                _verdict(ok),
            )
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


def _full_row(
    results: Results,
    scale: float,
    span: str,
    targets: Targets,
    floor: Measurement | None,
    full: Measurement | None,
) -> tuple[str, str, str, str]:
    """The full run's line: against the floor, or against a smaller scale's full run."""
    name = f"{scale_label(scale)} full `xla run`, {span}"
    if full is None:
        return name, NOT_MEASURED, _full_target(targets), "—"
    measured = _seconds(full.run.wall) + _failed(full)
    ok: bool | None = None
    if floor is not None:
        ratio = full.run.wall / floor.run.wall
        measured += f" = {ratio:.1f}x the floor"
        if targets.full_over_floor:
            ok = ratio <= targets.full_over_floor
    if targets.full_over:
        other_scale, most = targets.full_over
        other = results.measured.get(("full", other_scale))
        if other is not None:
            ratio = full.run.wall / other.run.wall
            measured += f" = {ratio:.2f}x the {scale_label(other_scale)} run"
            ok = ratio <= most
    if ok is not None:
        ok = ok and full.run.exit_code == 0
    return name, measured, _full_target(targets), _verdict(ok)


def _full_target(targets: Targets) -> str:
    if targets.full_over:
        other_scale, most = targets.full_over
        return f"completes; ≤ {most:g}x the {scale_label(other_scale)} run"
    if targets.full_over_floor:
        return f"≤ {targets.full_over_floor:g}x the floor"
    return "—"


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


def chart_points(results: Results) -> tuple[chart.Points, chart.Points]:
    """Wall seconds and peak GB per series, by scale, of the runs that ended well."""
    seconds: chart.Points = {name: [] for name in chart.STYLES}
    peak: chart.Points = {name: [] for name in ("full", "incremental")}
    for (kind, scale), m in sorted(
        results.measured.items(), key=lambda item: (item[0][0], item[0][1] or 0)
    ):
        if scale is None or kind not in seconds or m.run.exit_code != 0:
            continue
        seconds[kind].append((scale, m.run.wall))
        if kind in peak:
            peak[kind].append((scale, m.run.peak_rss / 1e9))
    return seconds, peak


def history_entry(
    results: Results, machine_rows: list[tuple[str, str]], commit: str
) -> history.Entry:
    """This benchmark as a line of the history."""
    described = dict(machine_rows)
    return history.Entry(
        measured_at=described.get("Measured at", ""),
        commit=commit,
        machine=f"{described.get('CPU', '?')}, {described.get('Cores', '?')}",
        results={
            history.key(kind, scale): {
                "wall": round(m.run.wall, 1),
                "peak_rss": m.run.peak_rss,
                "exit_code": m.run.exit_code,
            }
            for (kind, scale), m in results.measured.items()
        },
    )


def render(
    results: Results,
    machine_rows: list[tuple[str, str]],
    past: list[history.Entry] | None = None,
    chart_name: str | None = None,
    notes: str = "",
) -> str:
    """BENCHMARKS.md. `notes` (the maintainers' account of where the time goes and what
    each change bought, `benchmarks/notes.md`) follows the results as written."""
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
        "The peak RSS is the larger of the largest single process (`ru_maxrss`) and the "
        "sampled sum over the run's process tree (the run and its dbt process).",
    ]
    if chart_name:
        lines += ["", f"![Wall time and peak memory by scale factor]({chart_name})"]
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
    if notes.strip():
        lines += ["", notes.strip()]
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
    if past:
        header, rows = history.table(past)
        slower = history.regressions(past)
        lines += [
            "",
            "## History",
            "",
            "Every benchmark on record (`benchmarks/history.jsonl`), wall seconds of each "
            "measurement, oldest first. A measurement more than "
            f"{history.REGRESSION:.0%} slower than the last time it was measured on the same "
            "machine is named below the table as a regression.",
            "",
            *_table(header, rows),
            "",
            *(
                [f"- **Regression**: {line}" for line in slower]
                or [
                    "No measurement of the latest benchmark is slower than the last one on "
                    "the same machine."
                ]
            ),
        ]
    return "\n".join(lines) + "\n"
