"""The one job that ingests, builds, audits and publishes, and what launches it.

`xla run`, the nightly schedule and the landing sensor all launch this same job.
"""

from __future__ import annotations

import dagster as dg

from orchestration.config import settings
from orchestration.ingest.landing import pending_files
from orchestration.publish.publisher import is_current

JOB_NAME = "xla_run"

xla_run_job = dg.define_asset_job(
    JOB_NAME,
    selection=dg.AssetSelection.all(),
    description="Ingest new landing files, build the warehouse with dbt, run the quality gate, "
    "and publish if it passed.",
    executor_def=dg.in_process_executor,
)


def has_work() -> tuple[bool, str]:
    """Whether a run would change anything: new landing files, or changed seeds or code."""
    current = settings()
    files, _ = pending_files(current)
    if files:
        return True, f"{len(files)} landing files waiting"
    if is_current(current, "") is None:
        return True, "inputs changed since the last publication"
    return False, "the published warehouse is up to date"


@dg.schedule(job=xla_run_job, cron_schedule="0 2 * * *", execution_timezone="UTC")
def nightly(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    """Every night at 02:00 UTC, when there is anything to do."""
    work, why = has_work()
    return dg.RunRequest(run_key=None, tags={"xla/reason": why}) if work else dg.SkipReason(why)


@dg.sensor(job=xla_run_job, minimum_interval_seconds=60)
def landing_files(context: dg.SensorEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    """Launch a run when new files land; the set of waiting files is the run key."""
    files, _ = pending_files(settings())
    if not files:
        return dg.SkipReason("no landing files waiting")
    key = ",".join(sorted(f.name for f in files))
    return dg.RunRequest(run_key=key, tags={"xla/reason": f"{len(files)} landing files"})


defs = dg.Definitions(jobs=[xla_run_job], schedules=[nightly], sensors=[landing_files])
