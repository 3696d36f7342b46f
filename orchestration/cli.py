"""The `xla` command: demo, run, backfill, generate, servicenow-agreement and bench.

Exit codes of `xla run`, `xla backfill` and `xla demo`: 0 published (or already up to
date); 3 the quality gate blocked publication (nothing published was changed); 2 bad
usage or configuration (an unknown option, a bad setting, reference data with problems,
another command holding the data folder); 1 anything else. Other commands: 0 done, 2 bad
usage, 1 anything else. Every failure ends in one line that says what and why;
`xla <command> --help` says what a command does, its exit codes and where it writes.
While a command works, a line says what is under way whenever the console has been
silent for 5 s (`progress.Heartbeat`).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import textwrap
import time
import uuid
import warnings
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from orchestration import locking, progress
from orchestration.config import (
    DEFAULT_SEEDS_DIR,
    ConfigError,
    Settings,
    prepare_process_environment,
    settings,
)

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

    log.info("Loading the pipeline definitions (Dagster, dbt)…")
    from orchestration import instance as dagster_instance
    from orchestration.definitions import defs
    from orchestration.jobs import JOB_NAME
    from orchestration.publish.assets import GATE_BLOCKED_EXIT
    from orchestration.publish.publisher import is_current, latest_publication
    from orchestration.reference.assets import REFUSED_EXIT

    job = defs.resolve_job_def(JOB_NAME)
    instance = dagster_instance.for_runs(current)
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

    current = prepare_process_environment()
    as_of = _parse_as_of(as_of_text)

    def launch() -> int | None:
        for repair in recover(current):
            log.info(f"Repaired after an interrupted run: {repair}")
        if not full_refresh:
            work, why = has_work(as_of)
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
    from orchestration.ingest.partitions import extract_dates, has_partition, range_tags

    first, last = _parse_day("--from", first_text), _parse_day("--to", last_text)
    if first > last:
        raise ConfigError(f"--from {first} is after --to {last}")
    for day in (first, last):
        if not has_partition(day):
            raise ConfigError(
                f"{day} is not an extract date with a partition: dates run from "
                f"{extract_dates.get_first_partition_key()} (the data folder's first extract "
                "date, or XLA_PARTITIONS_START) to today"
            )
    current = prepare_process_environment()
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
    from orchestration.ingest import ledger
    from xla_lab.generate import generate

    current = prepare_process_environment()
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
    return command_run(_replay_as_of(DEMO_START, months))


def _replay_as_of(start: date, months: int) -> str | None:
    """The demo replays `months` months from `start`: its "now" is the first instant
    after them (UTC), so that its open tickets, clocks and freshness are judged as on the
    day after its last extract; None (now) when that instant is still to come."""
    from xla_lab.generate.reference import end_date

    end = datetime.combine(end_date(start, months), datetime.min.time(), tzinfo=UTC)
    return end.isoformat() if end <= datetime.now(UTC) else None


def command_generate(args: argparse.Namespace) -> int:
    """`xla generate`: synthetic extracts, matching reference CSVs and an answer key."""
    from xla_lab.generate import generate

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


_DATA_FOLDER = """\
  the data folder, $XLA_DATA_DIR (default ./data{data_now}):
    landing/    the extracts the MSP delivers; each file ingested leaves it
    archive/    every ingested file as delivered
    lake/       the accepted rows (Parquet); lake/quarantine/ the rejected rows
    build/      the run's own build file (readers use published/), dbt's artifacts,
                last_run_steps.json (how long each step of the last run took)
    releases/   one folder per publication
    published   a link to the current release under releases/
    audit/      check results, publications, the ledger of ingested files
                (audit/ingested/) and the auditors' site
  the reference data, $XLA_SEEDS_DIR (default {seeds}{seeds_now}): read only"""

_RUN_EXITS = """\
exit codes:
  0  published, or nothing new to publish (the published release already holds
     exactly these inputs)
  3  the quality gate blocked publication; nothing published changed
  2  bad usage or configuration, found before anything is ingested or built:
     an unknown or missing option, a bad {options};
     a setting its variable does not accept; reference data with problems (each
     printed); another command holding the data folder
  1  anything else, e.g. a step that failed; the last line says what and why"""

_MORE = "The contract: docs/contract.md §1 (running it) and §2 (extracts)."


def _now(variable: str) -> str:
    """`; now <value>` when the environment sets `variable`, for a help text."""
    value = os.environ.get(variable)
    return f"; now {value}" if value else ""


def _folders(intro: str) -> str:
    """Where a command reads and writes, for its help text."""
    return f"{intro}\n" + _DATA_FOLDER.format(
        data_now=_now("XLA_DATA_DIR"), seeds=DEFAULT_SEEDS_DIR, seeds_now=_now("XLA_SEEDS_DIR")
    )


def _other_exits(usage: str) -> str:
    """The exit codes of a command that neither builds nor publishes, for its help text."""
    wrapped = textwrap.fill(
        f"bad usage: {usage}", width=78, initial_indent="  2  ", subsequent_indent="     "
    )
    return f"exit codes:\n  0  done\n{wrapped}\n  1  anything else; the last line says what and why"


def _epilog(*parts: str) -> str:
    return "\n\n".join((*parts, _MORE))


def _command(
    sub: argparse._SubParsersAction, name: str, summary: str, description: str, epilog: str
) -> argparse.ArgumentParser:
    """A subcommand whose --help says what it does, its exit codes and its folders."""
    return sub.add_parser(
        name,
        help=summary,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _parser() -> argparse.ArgumentParser:
    """The `xla` command line: one subparser per command (its `choices`, by name)."""
    parser = argparse.ArgumentParser(
        prog="xla",
        description="XLA Warehouse: SLA, KPI and XLA facts an MSP can stake a contract on.\n\n"
        "Ingests the MSP's extracts from the data folder's landing/, builds the warehouse\n"
        "with dbt, audits it and publishes a release when the quality gate passes.",
        epilog="Run `xla <command> --help` for what a command does, its exit codes and the\n"
        "folders it reads and writes.\n\n" + _MORE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(
        dest="command", required=True, title="commands", metavar="<command>"
    )
    run = _command(
        sub,
        "run",
        "ingest new landing files, build, audit and publish",
        "Repair what an interrupted run left, then ingest every file in landing/ not yet\n"
        "ingested (good rows to the lake, bad rows to quarantine, each said on the\n"
        "console), build the warehouse with dbt (only what the new files touch), run the\n"
        "quality gate, and publish a new release when it passes. With nothing new (no\n"
        "landing file, and reference data, code, XLA_PUBLISH_FREE_TEXT and --as-of\n"
        "unchanged since the last publication) it says so and does nothing.",
        _epilog(
            _RUN_EXITS.format(options="--as-of"),
            _folders("reads and writes:"),
        ),
    )
    run.add_argument(
        "--as-of",
        metavar="TIMESTAMP",
        help="the instant 'now' for open tickets (ISO 8601 with offset)",
    )
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild every table from the whole lake instead of only what new files touch",
    )
    backfill = _command(
        sub,
        "backfill",
        "re-derive the lake of a range of extract dates from the archived files, "
        "then build, audit and publish",
        "Read again, with today's validation, every archived file whose extract date (the\n"
        "date in its name) lies from --from to --to, replacing what those files put in\n"
        "the lake and quarantine; take any landing files of those dates; then build,\n"
        "audit and publish as `xla run`. Both dates must be extract dates with a\n"
        "partition: from the data folder's earliest extract date (or\n"
        "XLA_PARTITIONS_START) to today.",
        _epilog(
            _RUN_EXITS.format(options="--from, --to or --as-of"),
            _folders("reads and writes (archive/ of those dates read, not changed):"),
        ),
    )
    day = "YYYY-MM-DD"
    backfill.add_argument(
        "--from", dest="first", metavar=day, required=True, help="first extract date"
    )
    backfill.add_argument("--to", dest="last", metavar=day, required=True, help="last extract date")
    backfill.add_argument(
        "--as-of", metavar="TIMESTAMP", help="the instant 'now' for open tickets (ISO 8601)"
    )
    demo = _command(
        sub,
        "demo",
        "write a demo landing zone if none exists, then run",
        "When landing/ holds no file and nothing was ever ingested, write a deterministic\n"
        "demo MSP's extracts into it (its planted anomalies in demo_answer_key.json in the\n"
        "data folder); then do `xla run`. The reference data is $XLA_SEEDS_DIR's.",
        _epilog(
            _RUN_EXITS.format(options="--scale, --months or --seed"),
            _folders("reads and writes (as `xla run`, the demo extracts into landing/):"),
        ),
    )
    demo.add_argument(
        "--scale", type=float, default=DEMO_SCALE, help="1 = ~2,500 tickets a month (default 1)"
    )
    demo.add_argument(
        "--months", type=int, default=DEMO_MONTHS, help="months from 2026-01-01 (default 1)"
    )
    demo.add_argument("--seed", type=int, default=DEMO_SEED, help="the generator's seed")
    gen = _command(
        sub,
        "generate",
        "write synthetic extracts and reference data",
        "Write synthetic extracts into OUT/landing/, matching reference files into\n"
        "OUT/seeds/ and the planted anomalies into OUT/answer_key.json. The same arguments\n"
        "always give the same files. The data folder is not touched: point XLA_SEEDS_DIR at\n"
        "OUT/seeds and copy OUT/landing/* into the data folder's landing/ to run on them.",
        _epilog(
            _other_exits("an unknown or missing option, --scale or --months not positive"),
            "writes:\n  --out DIR: DIR/landing/, DIR/seeds/ and DIR/answer_key.json only",
        ),
    )
    gen.add_argument("--scale", type=float, default=1.0, help="1 = ~2,500 tickets a month")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--months", type=int, default=1)
    gen.add_argument("--start", default=DEMO_START.isoformat(), help="first day (YYYY-MM-DD)")
    gen.add_argument("--out", required=True, help="folder for landing/, seeds/ and answer_key.json")
    _command(
        sub,
        "servicenow-agreement",
        "print how far the published reopen and reassignment counts of ServiceNow "
        "incidents agree with ServiceNow's own counters",
        "Print, per client, how often the published reopen and reassignment counts of\n"
        "ServiceNow incidents agree with ServiceNow's own counters, and the disagreements\n"
        "by class.",
        _epilog(
            _other_exits("an unknown option; no published warehouse, or one without its table"),
            "reads:\n  published/warehouse.duckdb in the data folder, $XLA_DATA_DIR (default "
            f"./data{_now('XLA_DATA_DIR')});\n  writes nothing",
        ),
    )
    from xla_lab import bench

    bench.add_arguments(
        _command(
            sub,
            "bench",
            "measure the warehouse, write BENCHMARKS.md",
            "Generate (or reuse, cached under OUT/generated/) synthetic extracts per scale;\n"
            "measure the floor (DuckDB alone loading the same CSV files), a full run, a\n"
            "one-day incremental run and the one-month demo, each in a fresh data folder\n"
            "under OUT/runs/; write the report. Exit 0 once the report is written, whatever\n"
            "the runs measured.",
            _epilog(
                _other_exits(
                    "an unknown option, --scales or --months not positive, a bad "
                    "--start, an unknown --only measurement"
                ),
                "writes:\n  --out DIR (default data/bench): DIR/generated/ and DIR/runs/;\n"
                "  --report FILE (default BENCHMARKS.md). $XLA_DATA_DIR is not touched.",
            ),
        )
    )
    return parser


def _parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """The parsed command line; an option the command does not know is reported by that
    command's own parser (its usage, `xla run: error: ...`), not the top-level one."""
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        commands = next(
            action.choices
            for action in parser._actions
            if isinstance(action, argparse._SubParsersAction)
        )
        commands[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `xla` console script."""
    _configure_output()
    parser = _parser()
    try:
        args = _parse(parser, argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else EXIT_OK
    # Says what is under way whenever the console has been silent for a few seconds;
    # stopped before main returns, so nothing follows the command's last line.
    with progress.Heartbeat(f"starting xla {args.command}").watch(log):
        return _dispatch(args)


def _dispatch(args: argparse.Namespace) -> int:
    """Run the command `args` name; every failure ends in one line and an exit code."""
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
            from xla_lab import bench

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
