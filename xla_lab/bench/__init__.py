"""`xla bench`: measure the warehouse on synthetic extracts and write BENCHMARKS.md."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from pathlib import Path

from orchestration.config import ConfigError

MEASUREMENTS = ("floor", "full", "incremental", "demo")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scales", default="1,10", help="comma-separated scale factors (default 1,10)"
    )
    parser.add_argument("--months", type=int, default=12, help="months of a full run")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--start",
        default="",
        help=(
            "first day (YYYY-MM-DD); default: the first of the month MONTHS + 1 months "
            "before this one, so that every file is dated before today"
        ),
    )
    parser.add_argument(
        "--out", default="data/bench", help="folder for the generated extracts and the runs"
    )
    parser.add_argument("--report", default="BENCHMARKS.md", help="the file to write")
    parser.add_argument(
        "--only",
        default=",".join(MEASUREMENTS),
        help=f"comma-separated measurements to take, of {', '.join(MEASUREMENTS)}",
    )
    parser.add_argument(
        "--skip-generate", action="store_true", help="use only extracts generated before"
    )


def today() -> date:
    return datetime.now(UTC).date()


def default_start(months: int, on: date) -> date:
    """The first day of the month `months + 1` months before the month of `on`: the
    measured months and the held-back one all end before `on`, as the ingest refuses a
    file dated after tomorrow."""
    month = on.month - 1 - (months + 1)
    return date(on.year + month // 12, month % 12 + 1, 1)


def command(args: argparse.Namespace, log) -> int:
    """Run the benchmark `args` describe; 0 when it was written, whatever it measured."""
    from xla_lab.bench.runner import Options, run_bench

    try:
        scales = [float(s) for s in args.scales.split(",") if s.strip()]
        start = (
            date.fromisoformat(args.start) if args.start else default_start(args.months, today())
        )
    except ValueError as exc:
        raise ConfigError(f"bad --scales or --start: {exc}") from None
    only = tuple(m.strip() for m in args.only.split(",") if m.strip())
    unknown = sorted(set(only) - set(MEASUREMENTS))
    if unknown:
        raise ConfigError(f"--only: unknown measurement(s) {', '.join(unknown)}")
    if not scales or any(s <= 0 for s in scales) or args.months <= 0:
        raise ConfigError("--scales and --months must be positive")
    options = Options(
        scales=scales,
        months=args.months,
        out=Path(args.out).resolve(),
        report=Path(args.report).resolve(),
        seed=args.seed,
        start=start,
        only=only,
        skip_generate=args.skip_generate,
    )
    run_bench(options, log)
    return 0
