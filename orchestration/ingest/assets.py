"""Dagster assets of the ingest: landing files into the lake, with their checks.

The asset keys (`psa/<extract>`, `servicenow/incidents`, `ingest/quarantine_rows`) equal
the dbt source keys, so the lineage graph runs unbroken from landing to the published
warehouse.

The assets are partitioned by extract date. A run without a partition takes every file
waiting in landing/; a run for a partition or a range re-derives the lake of those dates
from the archive (a backfill) and takes the landing files of those dates, or only the
latter when the run carries the tag `xla/ingest=landing` (the schedule's and the
sensor's runs).
"""

import errno
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster import AssetExecutionContext

from orchestration import locking
from orchestration.contract import LANDING_EXTRACTS
from orchestration.ingest import data_docs, freshness, ledger
from orchestration.ingest.accepted import release_memory
from orchestration.ingest.expectations import SuiteRunner
from orchestration.ingest.landing import IngestReport, ingest_landing, rederive_archived
from orchestration.ingest.partitions import extract_dates, has_partition, partition_key, run_dates
from orchestration.ingest.reader import classify
from orchestration.quality import results
from orchestration.reference import snapshot
from orchestration.reference.assets import REFERENCE_KEY
from orchestration.reference.view import IngestReference
from orchestration.resources import XlaRun, say

QUARANTINE_KEY = dg.AssetKey(["ingest", "quarantine_rows"])
INGEST_MODE_TAG = "xla/ingest"
LANDING_ONLY = "landing"

# Ingest is safe to repeat: every write is named after the file's hash, and a file is
# only removed from landing/ once its ledger record is written.
RETRY_POLICY = dg.RetryPolicy(max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL)
TRANSIENT_ERRNOS = frozenset(
    {errno.EIO, errno.EAGAIN, errno.EBUSY, errno.EINTR, errno.ENOLCK, errno.ESTALE, errno.ETIMEDOUT}
)


def is_transient(error: BaseException) -> bool:
    """An I/O error that may well not happen again (a busy or flaky disk or share)."""
    return isinstance(error, OSError) and error.errno in TRANSIENT_ERRNOS


@contextmanager
def retry_only_transient(step: str) -> Iterator[None]:
    """Let the retry policy repeat a step only after a transient I/O error.

    Anything else (a file it may not read, a locked data folder, a bug) would fail the
    same way again: it fails the step at once, with a one-line reason.
    """
    try:
        yield
    except dg.Failure:
        raise
    except Exception as error:
        if is_transient(error):
            raise
        raise dg.Failure(
            description=f"{step}: {type(error).__name__}: {error}", allow_retries=False
        ) from error


def extract_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(list(LANDING_EXTRACTS[name].asset_path))


def _specs() -> list[dg.AssetSpec]:
    specs = [
        dg.AssetSpec(
            extract_key(name),
            description=f"{extract.description} Parquet files in lake/{name}/.",
            group_name="ingest",
            kinds={"parquet"},
            deps=[REFERENCE_KEY],
        )
        for name, extract in LANDING_EXTRACTS.items()
    ]
    specs.append(
        dg.AssetSpec(
            QUARANTINE_KEY,
            description="Every rejected landing row with its file, line, raw text and reason.",
            group_name="ingest",
            kinds={"parquet"},
            deps=[REFERENCE_KEY],
        )
    )
    return specs


def _check_specs() -> list[dg.AssetCheckSpec]:
    checks = []
    for name in LANDING_EXTRACTS:
        checks.append(
            dg.AssetCheckSpec(
                "row_conservation",
                asset=extract_key(name),
                blocking=True,
                description="Every landed row is in the lake or in quarantine, exactly once.",
            )
        )
        checks.append(
            dg.AssetCheckSpec(
                "great_expectations_suite",
                asset=extract_key(name),
                blocking=True,
                description="The extract's contract, as a Great Expectations suite, holds "
                "on every row accepted into the lake.",
            )
        )
        checks.append(
            dg.AssetCheckSpec(
                freshness.CHECK_NAME,
                asset=extract_key(name),
                blocking=False,
                description="The newest file of the extract is dated at most "
                f"{freshness.DAYS_VARIABLE} days before today, or before the run's "
                "--as-of (warn: stale).",
            )
        )
    return checks


def conservation_results(report: IngestReport) -> list[results.CheckResult]:
    """Rows in = rows in lake + rows in quarantine, per extract, over this run's files."""
    found = []
    for name, extract in LANDING_EXTRACTS.items():
        outcomes = report.for_extract(name)
        rows_in = sum(o.rows_in for o in outcomes)
        accounted = sum(o.rows_written for o in outcomes)
        broken = [o.file_name for o in outcomes if o.rows_in != o.rows_written]
        found.append(
            results.CheckResult(
                check_name="row_conservation",
                target=extract.asset_key,
                severity="error",
                passed=not broken,
                failing_count=abs(rows_in - accounted),
                sample_keys=tuple(broken[:5]),
                detail=(
                    f"{len(outcomes)} files: {rows_in} rows in = "
                    f"{sum(o.rows_loaded for o in outcomes)} lake + "
                    f"{sum(o.rows_quarantined for o in outcomes)} quarantine"
                ),
            )
        )
    return found


def expectation_results(
    report: IngestReport, log: Callable[[str], None] = lambda _: None
) -> tuple[list[results.CheckResult], SuiteRunner | None]:
    """Run each extract's suite on the rows accepted in this run, read back from the lake
    one extract at a time; the runner, if any ran."""
    runner: SuiteRunner | None = None
    found = []
    for number, (name, extract) in enumerate(LANDING_EXTRACTS.items(), start=1):
        rows = report.accepted.rows(name)
        log(f"  [{number}/{len(LANDING_EXTRACTS)}] Great Expectations suite of {name}: {rows} rows")
        frame = report.accepted.frame(name)
        if frame is None:
            found.append(
                results.CheckResult(
                    "great_expectations_suite",
                    extract.asset_key,
                    "error",
                    True,
                    detail="no new rows",
                )
            )
            continue
        runner = runner or SuiteRunner()
        found.append(runner.validate(extract, frame))
        del frame
    return found, runner


def merged(reports: list[IngestReport]) -> IngestReport:
    """One report of several ingests in the same run."""
    whole = IngestReport()
    for report in reports:
        whole.outcomes += report.outcomes
        whole.ignored += report.ignored
        whole.accepted.extend(report.accepted)
    return whole


def _ingest(context: AssetExecutionContext, xla: XlaRun) -> IngestReport:
    """This run's files: all waiting, or those of its extract dates (re-derived or not)."""
    settings = xla.settings()
    # The reference data the run took at its start: the value map and the known ids the
    # build will use too.
    reference = IngestReference.of_snapshot(snapshot.for_run(settings, context.run.run_id))

    def log(message: str) -> None:
        say(context, message)

    dates = run_dates(context)
    if dates is None:
        say(context, f"Ingesting landing files from {settings.landing_dir}")
        return ingest_landing(settings, context.run.run_id, log=log, reference=reference)
    span = dates[0].isoformat() if dates[0] == dates[1] else f"{dates[0]} to {dates[1]}"
    reports = []
    if context.run.tags.get(INGEST_MODE_TAG) != LANDING_ONLY:
        say(context, f"Re-deriving the lake of extract dates {span} from {settings.archive_dir}")
        reports.append(
            rederive_archived(settings, context.run.run_id, dates, log=log, reference=reference)
        )
    say(context, f"Ingesting landing files of extract dates {span} from {settings.landing_dir}")
    reports.append(
        ingest_landing(settings, context.run.run_id, log=log, dates=dates, reference=reference)
    )
    return merged(reports)


@dg.multi_asset(
    name="ingest_landing_files",
    specs=_specs(),
    check_specs=_check_specs(),
    partitions_def=extract_dates,
    # A range of dates is one run: one ledger, one lake, one build after it.
    backfill_policy=dg.BackfillPolicy.single_run(),
    retry_policy=RETRY_POLICY,
    description="Validate every new landing file; good rows to the lake, bad rows to quarantine.",
)
def ingest_landing_files(
    context: AssetExecutionContext, xla: XlaRun
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    with retry_only_transient("ingest"):
        yield from _ingest_landing_files(context, xla)


def _ingest_landing_files(
    context: AssetExecutionContext, xla: XlaRun
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    settings = xla.settings()
    # Held until the run's process ends: the ingest, build, gate and publish of one run
    # never interleave with another's, however it was launched.
    locking.acquire(settings)
    for repair in ledger.repair(settings):
        say(context, f"Repaired: {repair}")
    if context.retry_number:
        say(context, f"Ingest: attempt {context.retry_number + 1} after a transient I/O error")
    report = _ingest(context, xla)
    say(context, "Checking the accepted rows against the contract (Great Expectations)")
    expectations, runner = expectation_results(report, log=lambda message: say(context, message))
    stale = freshness.freshness_results(
        settings, freshness.judged_on(xla.as_of), freshness.freshness_days()
    )
    checks = conservation_results(report) + expectations + stale
    results.record(settings, context.run.run_id, "ingest", checks)
    for check in stale:
        if not check.passed:
            say(context, f"  {check.line()}")
    if runner is not None:
        data_docs.save(settings, context.run.run_id, runner.validations)
        docs = data_docs.build(settings, context.run.run_id, runner)
        say(context, f"Great Expectations Data Docs: {docs / 'index.html'}")
    # The suites' rows are no longer needed; dbt runs beside this process next.
    runner = None
    release_memory()
    quarantined = 0
    for name in LANDING_EXTRACTS:
        outcomes = report.for_extract(name)
        quarantined += sum(o.rows_quarantined for o in outcomes)
        yield dg.MaterializeResult(
            asset_key=extract_key(name),
            metadata={
                "files": len(outcomes),
                "rows_in": sum(o.rows_in for o in outcomes),
                "rows_loaded": sum(o.rows_loaded for o in outcomes),
                "rows_quarantined": sum(o.rows_quarantined for o in outcomes),
            },
        )
    yield dg.MaterializeResult(asset_key=QUARANTINE_KEY, metadata={"rows_quarantined": quarantined})
    if run_dates(context) is None:
        yield from _dated_materializations(report)
    for check in checks:
        yield results.to_dagster(check)
    say(
        context,
        f"Ingest: {report.new_files} files ingested, "
        f"{sum(o.rows_in for o in report.outcomes)} rows in, "
        f"{sum(o.rows_loaded for o in report.outcomes)} loaded, {quarantined} quarantined",
    )


def _dated_materializations(report: IngestReport) -> Iterator[dg.AssetMaterialization]:
    """A run of every waiting file has no partition of its own: each extract date it
    ingested files of is recorded as a materialized partition of its extract, so that the
    partitions show which dates arrived, whichever way they were ingested."""
    dated: dict[tuple[str, str], list[str]] = {}
    for outcome in report.outcomes:
        landing = classify(Path(outcome.file_name))
        if (
            outcome.status == "ingested"
            and landing is not None
            and has_partition(landing.extract_date)
        ):
            key = (outcome.extract, partition_key(landing.extract_date))
            dated.setdefault(key, []).append(outcome.file_name)
    for (extract, day), files in sorted(dated.items()):
        yield dg.AssetMaterialization(
            asset_key=extract_key(extract), partition=day, metadata={"files": files}
        )


defs = dg.Definitions(assets=[ingest_landing_files])
