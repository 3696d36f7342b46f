"""The one job that ingests, builds, audits and publishes, and what launches it.

`xla run`, `xla backfill`, the nightly schedule and the landing sensor all launch this
same job. Its ingest is partitioned by extract date and everything after it is not: a
run for a partition (or a range) ingests those dates, then builds, audits and publishes
the whole warehouse once.
"""

import hashlib
import importlib
import os
from datetime import UTC, datetime, timedelta

import dagster as dg

from orchestration.config import EXECUTORS, ConfigError, settings
from orchestration.ingest.assets import INGEST_MODE_TAG, LANDING_ONLY
from orchestration.ingest.landing import pending_files
from orchestration.ingest.partitions import has_partition, partition_key
from orchestration.ingest.reader import LandingFile
from orchestration.publish.publisher import is_current

JOB_NAME = "xla_run"
# Every run of the job carries this tag; dagster.yaml lets one such run go at a time.
RUN_TAG = "xla/warehouse"

# How the Dagster instance runs the job's steps (docs/cluster.md). `in_process`, the
# default, runs them one after another in the run's own process: the steps form a chain,
# and a process per step would load the definitions again for each. `xla run` and
# `xla backfill` always execute in process, whatever this says.
EXECUTOR_VARIABLE = "XLA_DAGSTER_EXECUTOR"


def executor() -> dg.ExecutorDefinition:
    """The executor that `XLA_DAGSTER_EXECUTOR` names (default `in_process`)."""
    name = os.environ.get(EXECUTOR_VARIABLE, "").strip() or "in_process"
    if name not in EXECUTORS:
        raise ConfigError(
            f"{EXECUTOR_VARIABLE}={name!r} is not an executor; use one of {', '.join(EXECUTORS)}"
        )
    module, attribute, package = EXECUTORS[name]
    try:
        return getattr(importlib.import_module(module), attribute)
    except ImportError:
        raise ConfigError(
            f"{EXECUTOR_VARIABLE}={name} needs the package {package} (the release matching "
            f"dagster {dg.__version__}); install it or unset {EXECUTOR_VARIABLE}"
        ) from None


def define_job():
    """The job `xla_run`, run by the executor the environment chooses."""
    return dg.define_asset_job(
        JOB_NAME,
        selection=dg.AssetSelection.all(),
        description="Ingest new landing files, build the warehouse with dbt, run the quality "
        "gate, and publish if it passed.",
        executor_def=executor(),
        tags={RUN_TAG: "run"},
    )


xla_run_job = define_job()


def has_work(as_of: str = "") -> tuple[bool, str]:
    """Whether a run (with `as_of`, the run's `--as-of` or empty) would change anything:
    new landing files, or changed seeds, code or as_of."""
    current = settings()
    files, _ = pending_files(current)
    if files:
        return True, f"{len(files)} landing files waiting"
    if is_current(current, as_of) is None:
        return True, "inputs changed since the last publication"
    return False, "the published warehouse is up to date"


def landing_key(files: list[LandingFile]) -> str:
    """What identifies a set of waiting files: each name with the SHA-256 of its bytes.

    A corrected file delivered again under the same name gives a new key; the same bytes
    under the same name give the same key.
    """
    digest = hashlib.sha256()
    for landing in sorted(files, key=lambda f: f.name):
        digest.update(landing.name.encode())
        digest.update(hashlib.sha256(landing.path.read_bytes()).digest())
    return digest.hexdigest()


def run_request(files: list[LandingFile], reason: str, run_key: str | None) -> dg.RunRequest:
    """A run taking the waiting files: for their extract date's partition when they all
    share one (it then takes only landing files of that date), else for all of them."""
    tags = {"xla/reason": reason}
    dates = {f.extract_date for f in files}
    if len(dates) == 1 and has_partition(day := dates.pop()):
        return dg.RunRequest(
            run_key=run_key,
            partition_key=partition_key(day),
            tags={**tags, INGEST_MODE_TAG: LANDING_ONLY},
        )
    return dg.RunRequest(run_key=run_key, tags=tags)


@dg.schedule(job=xla_run_job, cron_schedule="0 2 * * *", execution_timezone="UTC")
def nightly(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    """Every night at 02:00 UTC, when there is anything to do: usually the previous
    day's partition, whose files arrived overnight."""
    current = settings()
    files, _ = pending_files(current)
    if files:
        when = context.scheduled_execution_time or datetime.now(UTC)
        yesterday = (when - timedelta(days=1)).date()
        late = sum(1 for f in files if f.extract_date != yesterday)
        reason = f"{len(files)} landing files waiting" + (
            f", {late} not of {yesterday.isoformat()}" if late else ""
        )
        return run_request(files, reason, run_key=None)
    if is_current(current, "") is None:
        return dg.RunRequest(run_key=None, tags={"xla/reason": "inputs changed"})
    return dg.SkipReason("the published warehouse is up to date")


@dg.sensor(job=xla_run_job, minimum_interval_seconds=60)
def landing_files(context: dg.SensorEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    """Launch a run when new files land; the names and contents of the waiting files are
    the run key, so the same files never launch twice and a corrected one launches again."""
    files, _ = pending_files(settings())
    if not files:
        return dg.SkipReason("no landing files waiting")
    return run_request(files, f"{len(files)} landing files", run_key=landing_key(files))


defs = dg.Definitions(jobs=[xla_run_job], schedules=[nightly], sensors=[landing_files])
