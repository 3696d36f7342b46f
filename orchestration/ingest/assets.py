"""Dagster assets of the ingest: landing files into the lake, with their checks.

The asset keys (`psa/<extract>`, `servicenow/incidents`, `ingest/quarantine_rows`) equal
the dbt source keys, so the lineage graph runs unbroken from landing to the published
warehouse.
"""

from collections.abc import Iterator

import dagster as dg
import pandas as pd
from dagster import AssetExecutionContext

from orchestration import locking
from orchestration.contract import LANDING_EXTRACTS
from orchestration.ingest import data_docs
from orchestration.ingest.expectations import SuiteRunner
from orchestration.ingest.landing import IngestReport, ingest_landing
from orchestration.quality import results
from orchestration.resources import XlaRun, say

QUARANTINE_KEY = dg.AssetKey(["ingest", "quarantine_rows"])


def extract_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(list(LANDING_EXTRACTS[name].asset_path))


def _specs() -> list[dg.AssetSpec]:
    specs = [
        dg.AssetSpec(
            extract_key(name),
            description=f"{extract.description} Parquet files in lake/{name}/.",
            group_name="ingest",
            kinds={"parquet"},
        )
        for name, extract in LANDING_EXTRACTS.items()
    ]
    specs.append(
        dg.AssetSpec(
            QUARANTINE_KEY,
            description="Every rejected landing row with its file, line, raw text and reason.",
            group_name="ingest",
            kinds={"parquet"},
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
    report: IngestReport,
) -> tuple[list[results.CheckResult], SuiteRunner | None]:
    """Run each extract's suite on the rows accepted in this run; the runner, if any ran."""
    runner: SuiteRunner | None = None
    found = []
    for name, extract in LANDING_EXTRACTS.items():
        frames = report.accepted.get(name) or []
        if not frames:
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
        found.append(runner.validate(extract, pd.concat(frames, ignore_index=True)))
    return found, runner


@dg.multi_asset(
    name="ingest_landing_files",
    specs=_specs(),
    check_specs=_check_specs(),
    description="Validate every new landing file; good rows to the lake, bad rows to quarantine.",
)
def ingest_landing_files(
    context: AssetExecutionContext, xla: XlaRun
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    settings = xla.settings()
    # Held until the run's process ends: the ingest, build, gate and publish of one run
    # never interleave with another's, however it was launched.
    locking.acquire(settings)
    say(context, f"Ingesting landing files from {settings.landing_dir}")
    report = ingest_landing(settings, context.run_id, log=lambda message: say(context, message))
    expectations, runner = expectation_results(report)
    checks = conservation_results(report) + expectations
    results.record(settings, context.run_id, "ingest", checks)
    if runner is not None:
        data_docs.save(settings, context.run_id, runner.validations)
        docs = data_docs.build(settings, context.run_id, runner)
        say(context, f"Great Expectations Data Docs: {docs / 'index.html'}")
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
    for check in checks:
        yield results.to_dagster(check)
    say(
        context,
        f"Ingest: {report.new_files} new files, "
        f"{sum(o.rows_in for o in report.outcomes)} rows in, "
        f"{sum(o.rows_loaded for o in report.outcomes)} loaded, {quarantined} quarantined",
    )


defs = dg.Definitions(assets=[ingest_landing_files])
