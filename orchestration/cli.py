"""The `xla` command: demo, run, backfill, generate, servicenow-agreement and bench.

Exit codes of `xla run`: 0 published (or already up to date); 3 the quality gate
blocked publication (nothing published was changed); 2 bad usage or configuration;
1 anything else. Every failure ends in one line that says what and why.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import uuid
import warnings
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from orchestration import locking
from orchestration.config import ConfigError, Settings, settings

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_BLOCKED = 0, 1, 2, 3
DEMO_SCALE, DEMO_MONTHS, DEMO_SEED = 1.0, 1, 42
DEMO_START = date(2026, 1, 1)

log = logging.getLogger("xla")


def _configure_output() -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", datefmt="%H:%M:%S"))
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False
    os.environ.setdefault("DAGSTER_DBT_PARSE_PROJECT_ON_LOAD", "0")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    warnings.filterwarnings("ignore")
    # Dagster and dbt narrate every step; the command prints its own progress instead.
    for name in ("dagster", "dagster_dbt"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _parse_as_of(value: str | None) -> str:
    if not value:
        return ""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"--as-of {value!r} is not an ISO 8601 timestamp") from None
    if parsed.tzinfo is None:
        raise ConfigError(f"--as-of {value!r} needs a UTC offset, e.g. {value}+00:00")
    # "Now" for open tickets cannot be in the future; one far ahead would make every open
    # clock run for centuries.
    if parsed > datetime.now(UTC) + timedelta(days=1):
        raise ConfigError(f"--as-of {value!r} is in the future; as_of is an instant passed")
    return parsed.isoformat()


def _run_job(
    current: Settings,
    as_of: str,
    full_refresh: bool = False,
    tags: dict[str, str] | None = None,
) -> int:
    """Launch the Dagster job in this process and turn its outcome into an exit code.

    The reference data is checked first, as the job's own first step checks it: a
    refusal then costs no more than reading the files, and launches nothing.
    """
    from orchestration.reference.check import ReferenceRefused, check

    try:
        check(current, str(uuid.uuid4()), log.info, record_passed=False)
    except ReferenceRefused:
        log.error(_not_run(current))
        return EXIT_USAGE

    import dagster as dg

    from orchestration import progress
    from orchestration.definitions import defs
    from orchestration.jobs import JOB_NAME
    from orchestration.publish.assets import GATE_BLOCKED_EXIT
    from orchestration.publish.publisher import is_current, latest_publication
    from orchestration.reference.assets import REFUSED_EXIT

    job = defs.resolve_job_def(JOB_NAME)
    instance = (
        dg.DagsterInstance.get()
        if os.environ.get("DAGSTER_HOME")
        else dg.DagsterInstance.ephemeral()
    )
    run_config = {
        "resources": {
            "xla": {"config": {"as_of": as_of, "full_refresh": full_refresh, "quiet_dbt": True}}
        },
        "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
    }
    started = time.monotonic()
    result = job.execute_in_process(
        run_config=run_config, instance=instance, raise_on_error=False, tags=tags
    )
    run_id = result.run_id
    steps = progress.step_durations(instance, run_id)
    try:
        progress.write_steps(current, run_id, steps, time.monotonic() - started)
    except OSError as error:  # a full disk must not hide why the run failed
        log.error(f"Step durations not recorded: {type(error).__name__}: {error}")
    if steps:
        log.info(progress.steps_line(steps))
    if result.success:
        latest = latest_publication(current)
        if latest is not None and latest.run_id == run_id:
            _print_tables(current)
            return EXIT_OK
        if is_current(current, as_of) is not None:
            return EXIT_OK  # the publication already holds exactly these inputs
        skipped = sorted({e.step_key for e in result.all_events if e.is_step_skipped})
        log.error(
            "Not published: the run ended without reaching the publication"
            + (f" (skipped: {', '.join(skipped)})" if skipped else "")
        )
        return EXIT_ERROR
    failures = [e for e in result.all_events if e.is_step_failure]
    if any(_exit_code(e) == REFUSED_EXIT for e in failures):
        log.error(_not_run(current))
        return EXIT_USAGE
    blocked = [e for e in failures if _is_gate_block(e, GATE_BLOCKED_EXIT)]
    for event in failures:
        if event not in blocked:
            step = progress.STEP_NAMES.get(event.step_key, event.step_key)
            log.error(
                f"Step {step} ({', '.join(_step_assets(job, event.step_key))}) failed: "
                f"{_root_message(event.step_failure_data.error)}"
            )
    if failures and len(blocked) == len(failures):
        log.error(
            f"Not published: the quality gate blocked run {run_id}; "
            f"{current.published_db} is unchanged"
        )
        return EXIT_BLOCKED
    return EXIT_ERROR


def _step_assets(job: object, step_key: str, shown: int = 3) -> list[str]:
    """The assets a step materializes, the first few by name."""
    keys: list[str] = []
    for assets_def in job.asset_layer.asset_graph.assets_defs:  # type: ignore[attr-defined]
        if assets_def.is_executable and assets_def.node_def.name == step_key:
            keys = sorted(key.to_user_string() for key in assets_def.keys)
    return keys[:shown] + ([f"{len(keys) - shown} more"] if len(keys) > shown else [])


def _not_run(current: Settings) -> str:
    return (
        f"Not run: the reference data in {current.seeds_dir} has problems (listed above); "
        f"nothing was ingested, built or published, and {current.published_db} is unchanged"
    )


def _exit_code(event: object) -> int | None:
    """The exit code a failed step asks for (a refusal or a gate block), if any."""
    user = event.step_failure_data.user_failure_data  # type: ignore[attr-defined]
    if user is not None and (code := user.metadata.get("exit_code")) is not None:
        return int(code.value)
    return None


def _is_gate_block(event: object, exit_code: int) -> bool:
    """A step that failed because a check failed, not because something broke."""
    if (code := _exit_code(event)) is not None:
        return code == exit_code
    error = event.step_failure_data.error  # type: ignore[attr-defined]
    while error is not None:
        if error.cls_name == "DagsterAssetCheckFailedError":
            return True
        error = error.cause
    return False


def _root_message(error: object) -> str:
    """The innermost cause of a step failure, as one line."""
    if error is None:
        return "failed"
    while getattr(error, "cause", None) is not None:
        error = error.cause
    text = " ".join(str(getattr(error, "message", error)).split())
    return text[:500]


def _print_tables(current: Settings) -> None:
    import duckdb

    con = duckdb.connect(str(current.published_db), read_only=True)
    try:
        rows = con.execute(
            "select case when schema_name = 'main' then '' else schema_name || '.' end"
            " || table_name, estimated_size from duckdb_tables()"
            " order by schema_name <> 'main', schema_name, table_name"
        ).fetchall()
    finally:
        con.close()
    log.info(f"Published warehouse: {current.published_db}")
    for name, size in rows:
        log.info(f"  {name:34} {size:>10} rows")


def command_run(as_of_text: str | None, full_refresh: bool = False) -> int:
    """`xla run`: ingest, build, audit and publish."""
    from orchestration.jobs import has_work
    from orchestration.publish.publisher import recover

    current = settings()
    as_of = _parse_as_of(as_of_text)

    def launch() -> int | None:
        for repair in recover(current):
            log.info(f"Repaired after an interrupted run: {repair}")
        if not as_of and not full_refresh:
            work, why = has_work()
            if not work:
                log.info(f"Nothing to do: {why} ({current.published_db})")
                return None
        log.info(f"Running XLA Warehouse on {current.data_dir} (seeds: {current.seeds_dir})")
        return _run_job(current, as_of, full_refresh)

    return _holding_the_data_folder(current, launch)


def _holding_the_data_folder(current: Settings, launch: Callable[[], int | None]) -> int:
    """Run `launch` holding the data folder's run lock; say how long it took and how it
    ended. `launch` returns None when it found nothing to do."""
    current.ensure_dirs()
    locking.acquire(current)
    try:
        started = time.monotonic()
        code = launch()
        if code is None:
            return EXIT_OK
        log.info(f"Finished in {time.monotonic() - started:.0f} s with exit code {code}")
        return code
    finally:
        locking.release(current)


def _parse_day(option: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None


def command_backfill(first_text: str, last_text: str, as_of_text: str | None) -> int:
    """`xla backfill`: re-derive the lake of a range of extract dates from the archive
    with today's validation, then build, audit and publish."""
    from orchestration.ingest.partitions import START_VARIABLE, has_partition, range_tags

    first, last = _parse_day("--from", first_text), _parse_day("--to", last_text)
    if first > last:
        raise ConfigError(f"--from {first} is after --to {last}")
    for day in (first, last):
        if not has_partition(day):
            raise ConfigError(
                f"{day} is not an extract date with a partition: dates run from "
                f"{START_VARIABLE} to today"
            )
    current = settings()
    as_of = _parse_as_of(as_of_text)

    def launch() -> int:
        log.info(
            f"Backfilling extract dates {first} to {last} on {current.data_dir} "
            f"(seeds: {current.seeds_dir})"
        )
        return _run_job(current, as_of, tags={"xla/reason": "backfill", **range_tags(first, last)})

    return _holding_the_data_folder(current, launch)


def command_demo(scale: float, months: int, seed: int) -> int:
    """`xla demo`: write the demo landing zone if nothing has landed yet, then run."""
    from orchestration.generate import generate
    from orchestration.ingest import ledger

    current = settings()
    current.ensure_dirs()
    landed = any(p.is_file() and not p.name.startswith(".") for p in current.landing_dir.iterdir())
    if not landed and not ledger.load(current):
        log.info(f"Writing the demo landing zone into {current.landing_dir}")
        summary = generate(
            current.landing_dir,
            scale=scale,
            months=months,
            seed=seed,
            start=DEMO_START,
            answer_key_path=current.data_dir / "demo_answer_key.json",
            progress=log.info,
        )
        log.info(
            f"  {len(summary.files)} files: "
            + ", ".join(f"{n} {name}" for name, n in sorted(summary.rows.items()))
        )
    return command_run(None)


def command_generate(args: argparse.Namespace) -> int:
    """`xla generate`: synthetic extracts, matching reference CSVs and an answer key."""
    from orchestration.generate import generate

    out = Path(args.out).resolve()
    start = date.fromisoformat(args.start)
    summary = generate(
        out / "landing",
        scale=args.scale,
        months=args.months,
        seed=args.seed,
        start=start,
        seeds_dir=out / "seeds",
        answer_key_path=out / "answer_key.json",
        progress=log.info,
    )
    log.info(f"Wrote {len(summary.files)} landing files to {out / 'landing'}")
    for name, n in sorted(summary.rows.items()):
        log.info(f"  {name:14} {n:>9} rows")
    log.info(f"Reference data in {out / 'seeds'}; answer key {out / 'answer_key.json'}")
    return EXIT_OK


def command_servicenow_agreement() -> int:
    """`xla servicenow-agreement`: how far the published counts agree with ServiceNow's own."""
    from orchestration.quality.servicenow_agreement import report

    for line in report(settings().published_db):
        log.info(line)
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xla",
        description="XLA Warehouse: SLA, KPI and XLA facts an MSP can stake a contract on.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="ingest new landing files, build, audit and publish")
    run.add_argument("--as-of", help="the instant 'now' for open tickets (ISO 8601 with offset)")
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild every table from the whole lake instead of only what new files touch",
    )
    backfill = sub.add_parser(
        "backfill",
        help="re-derive the lake of a range of extract dates from the archived files, "
        "then build, audit and publish",
    )
    backfill.add_argument("--from", dest="first", required=True, help="first extract date")
    backfill.add_argument("--to", dest="last", required=True, help="last extract date")
    backfill.add_argument("--as-of", help="the instant 'now' for open tickets (ISO 8601)")
    demo = sub.add_parser("demo", help="write a demo landing zone if none exists, then run")
    demo.add_argument("--scale", type=float, default=DEMO_SCALE)
    demo.add_argument("--months", type=int, default=DEMO_MONTHS)
    demo.add_argument("--seed", type=int, default=DEMO_SEED)
    gen = sub.add_parser("generate", help="write synthetic extracts and reference data")
    gen.add_argument("--scale", type=float, default=1.0, help="1 = ~2,500 tickets a month")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--months", type=int, default=1)
    gen.add_argument("--start", default=DEMO_START.isoformat(), help="first day (YYYY-MM-DD)")
    gen.add_argument("--out", required=True, help="folder for landing/, seeds/ and answer_key.json")
    sub.add_parser(
        "servicenow-agreement",
        help="print how far the published reopen and reassignment counts of ServiceNow "
        "incidents agree with ServiceNow's own counters",
    )
    from orchestration import bench

    bench.add_arguments(sub.add_parser("bench", help="measure the warehouse, write BENCHMARKS.md"))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `xla` console script."""
    _configure_output()
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else EXIT_OK
    try:
        if args.command == "run":
            return command_run(args.as_of, args.full_refresh)
        if args.command == "backfill":
            return command_backfill(args.first, args.last, args.as_of)
        if args.command == "demo":
            return command_demo(args.scale, args.months, args.seed)
        if args.command == "servicenow-agreement":
            return command_servicenow_agreement()
        if args.command == "bench":
            from orchestration import bench

            return bench.command(args, log.info)
        if args.scale <= 0 or args.months <= 0:
            raise ConfigError("--scale and --months must be positive")
        return command_generate(args)
    except ConfigError as exc:
        for line in str(exc).splitlines() or [""]:
            log.error(f"xla: {line}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        log.error("xla: interrupted")
        return EXIT_ERROR
    except Exception as exc:  # the last line of defence: one line, never a bare traceback
        log.error(f"xla: {type(exc).__name__}: {exc}")
        if os.environ.get("XLA_DEBUG"):
            raise
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
