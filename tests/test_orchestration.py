"""Running it every night: partitions, sensor, schedule, backfill, retries, freshness, steps.

Every expectation is worked out by hand from the small files each test lands.
"""

import errno
import hashlib
import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
import pytest

from orchestration import cli, jobs, locking, progress
from orchestration.config import DEFAULT_SEEDS_DIR, REPO_ROOT, Settings
from orchestration.ingest import assets, freshness, ledger, partitions
from orchestration.ingest.landing import ingest_landing
from orchestration.ingest.partitions import extract_dates, has_partition, partition_key, range_tags
from orchestration.quality import results
from orchestration.resources import XlaRun

HEADER = "ticket_id,client_id,priority,status,created_at,updated_at,subject"


def _row(ticket: str, priority: str = "P2") -> str:
    return f"{ticket},C001,{priority},New,2026-01-05T09:00:00Z,2026-01-05T09:00:00Z,s"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    # The demo MSP's reference data (client C001 among it): an ingest reads the run's
    # snapshot of it.
    seeds = tmp_path / "seeds"
    shutil.copytree(DEFAULT_SEEDS_DIR, seeds)
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=seeds)
    settings.ensure_dirs()
    monkeypatch.setenv("XLA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("XLA_SEEDS_DIR", str(seeds))
    yield settings
    locking.release(settings)


def _land(settings: Settings, name: str, *rows: str) -> Path:
    path = settings.landing_dir / name
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


def _lake_rows(settings: Settings, folder: str) -> dict[str, int]:
    return {
        path.name: pq.ParquetFile(path).metadata.num_rows
        for path in sorted((settings.lake_dir / folder).glob("2026*.parquet"))
    }


def _materialize_ingest(**kwargs: object) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [assets.ingest_landing_files],
        resources={"xla": XlaRun()},
        instance=dg.DagsterInstance.ephemeral(),
        **kwargs,
    )


# Partitions


def test_partitions_are_extract_dates_from_the_start_setting_to_today() -> None:
    assert extract_dates.get_first_partition_key() == "2016-01-01"
    assert partition_key(date(2026, 1, 5)) == "2026-01-05"
    assert has_partition(date(2016, 1, 1))
    assert not has_partition(date(2015, 12, 31))
    assert has_partition(datetime.now(UTC).date())
    assert not has_partition(date(datetime.now(UTC).year + 1, 1, 1))
    from orchestration.definitions import defs

    assert defs.resolve_job_def(jobs.JOB_NAME).partitions_def == extract_dates
    assert assets.ingest_landing_files.partitions_def == extract_dates


def test_without_the_setting_partitions_start_at_the_data_folders_earliest_extract_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(partitions.START_VARIABLE, raising=False)
    data_dir = tmp_path / "data"
    # Nothing delivered yet: today is the only date there is.
    assert partitions.partitions_start(data_dir) == datetime.now(UTC).date()
    (data_dir / "archive" / "20260105").mkdir(parents=True)
    (data_dir / "archive" / "not-a-date").mkdir()
    assert partitions.partitions_start(data_dir) == date(2026, 1, 5)
    # A late file of an earlier date, still waiting, starts the partitions earlier.
    (data_dir / "landing").mkdir()
    (data_dir / "landing" / "tickets_20260103.csv").write_text("ticket_id\n")
    (data_dir / "landing" / "notes_20250101.txt").write_text("not an extract")
    assert partitions.partitions_start(data_dir) == date(2026, 1, 3)
    monkeypatch.setenv(partitions.START_VARIABLE, "2024-06-01")
    assert partitions.partitions_start(data_dir) == date(2024, 6, 1)


# Sensor


def test_the_sensor_skips_when_nothing_waits(workspace: Settings) -> None:
    result = jobs.landing_files(dg.build_sensor_context())
    assert isinstance(result, dg.SkipReason)


def test_the_sensor_requests_a_run_keyed_by_the_files_names_and_contents(
    workspace: Settings,
) -> None:
    path = _land(workspace, "tickets_20260105.csv", _row("T1"))
    request = jobs.landing_files(dg.build_sensor_context())
    assert isinstance(request, dg.RunRequest)
    expected = hashlib.sha256(
        b"tickets_20260105.csv" + hashlib.sha256(path.read_bytes()).digest()
    ).hexdigest()
    assert request.run_key == expected
    # All files of one extract date: that date's partition, taking only landing files.
    assert request.partition_key == "2026-01-05"
    assert request.tags[assets.INGEST_MODE_TAG] == assets.LANDING_ONLY

    again = jobs.landing_files(dg.build_sensor_context())
    assert again.run_key == expected  # the same bytes never launch a second run

    _land(workspace, "tickets_20260105.csv", _row("T1", priority="P1"))
    corrected = jobs.landing_files(dg.build_sensor_context())
    assert corrected.run_key not in (None, expected)


def test_files_of_several_dates_make_one_run_of_everything(workspace: Settings) -> None:
    _land(workspace, "tickets_20260105.csv", _row("T1"))
    _land(workspace, "tickets_20260106.csv", _row("T2"))
    request = jobs.landing_files(dg.build_sensor_context())
    assert request.partition_key is None
    assert assets.INGEST_MODE_TAG not in request.tags


# Schedule


def test_the_nightly_schedule_runs_the_previous_days_partition(workspace: Settings) -> None:
    _land(workspace, "tickets_20260105.csv", _row("T1"))
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 1, 6, 2, tzinfo=UTC)
    )
    request = jobs.nightly(context)
    assert isinstance(request, dg.RunRequest)
    assert request.partition_key == "2026-01-05"
    assert request.tags["xla/reason"] == "1 landing files waiting"


def test_the_nightly_schedule_takes_late_files_too(workspace: Settings) -> None:
    _land(workspace, "tickets_20260103.csv", _row("T1"))
    _land(workspace, "tickets_20260105.csv", _row("T2"))
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 1, 6, 2, tzinfo=UTC)
    )
    request = jobs.nightly(context)
    assert request.partition_key is None
    assert request.tags["xla/reason"] == "2 landing files waiting, 1 not of 2026-01-05"


def test_the_nightly_schedule_skips_when_nothing_changed(
    workspace: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 1, 6, 2, tzinfo=UTC)
    )
    monkeypatch.setattr(jobs, "is_current", lambda settings, as_of: object())
    assert isinstance(jobs.nightly(context), dg.SkipReason)
    monkeypatch.setattr(jobs, "is_current", lambda settings, as_of: None)
    assert isinstance(jobs.nightly(context), dg.RunRequest)


# Backfill


def test_a_backfill_re_derives_exactly_its_dates_from_the_archive(workspace: Settings) -> None:
    _land(workspace, "tickets_20260105.csv", _row("T1"), _row("T2"), _row("T3", priority="P9"))
    _land(workspace, "tickets_20260106.csv", _row("T4"))
    _land(workspace, "tickets_20260107.csv", _row("T5"))
    ingest_landing(workspace, "first-run", log=lambda _: None)
    lake_before = _lake_rows(workspace, "tickets")
    quarantine_before = sorted(p.name for p in (workspace.lake_dir / "quarantine").glob("t*"))
    assert sorted(lake_before.values()) == [1, 1, 2]
    # A lost lake file of 5 January comes back from the archive.
    lost = next(name for name, rows in lake_before.items() if rows == 2)
    (workspace.lake_dir / "tickets" / lost).unlink()

    result = _materialize_ingest(tags=range_tags(date(2026, 1, 5), date(2026, 1, 6)))

    assert result.success
    assert _lake_rows(workspace, "tickets") == lake_before  # same names, nothing doubled
    quarantine = sorted((workspace.lake_dir / "quarantine").glob("t*"))
    assert [p.name for p in quarantine] == quarantine_before
    assert pq.ParquetFile(quarantine[0]).metadata.num_rows == 1
    entries = ledger.load(workspace)
    assert len(entries) == 3
    by_date = {e.extract_date: e for e in entries.values()}
    assert by_date["2026-01-05"].run_id == result.run_id
    assert by_date["2026-01-06"].run_id == result.run_id
    assert by_date["2026-01-07"].run_id == "first-run"
    assert (by_date["2026-01-05"].rows_in, by_date["2026-01-05"].rows_quarantined) == (3, 1)
    tickets = result.get_asset_materialization_events()
    partitions = sorted(
        e.partition for e in tickets if e.asset_key == dg.AssetKey(["psa", "tickets"])
    )
    assert partitions == ["2026-01-05", "2026-01-06"]
    conservation = next(
        c
        for c in result.get_asset_check_evaluations()
        if c.check_name == "row_conservation" and c.asset_key == dg.AssetKey(["psa", "tickets"])
    )
    assert conservation.passed
    assert conservation.metadata["detail"].value == "2 files: 4 rows in = 3 lake + 1 quarantine"


def test_a_partitioned_run_of_the_schedule_takes_only_its_dates_landing_files(
    workspace: Settings,
) -> None:
    _land(workspace, "tickets_20260105.csv", _row("T1"))
    _land(workspace, "tickets_20260106.csv", _row("T2"))
    result = _materialize_ingest(
        partition_key="2026-01-05", tags={assets.INGEST_MODE_TAG: assets.LANDING_ONLY}
    )
    assert result.success
    assert [e.extract_date for e in ledger.load(workspace).values()] == ["2026-01-05"]
    assert [p.name for p in workspace.landing_dir.iterdir()] == ["tickets_20260106.csv"]


def test_xla_backfill_refuses_a_range_backwards_or_outside_the_partitions(
    workspace: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["backfill", "--from", "2026-01-07", "--to", "2026-01-05"]) == cli.EXIT_USAGE
    assert cli.main(["backfill", "--from", "2015-12-31", "--to", "2026-01-05"]) == cli.EXIT_USAGE
    out = capsys.readouterr().out
    assert "--from 2026-01-07 is after --to 2026-01-05" in out
    assert "2015-12-31 is not an extract date with a partition" in out


# Retries and failures


def test_ingest_retries_transient_io_errors_with_exponential_backoff() -> None:
    policy = assets.ingest_landing_files.op.retry_policy
    assert policy == assets.RETRY_POLICY
    assert (policy.max_retries, policy.delay, policy.backoff) == (3, 2, dg.Backoff.EXPONENTIAL)
    # Dagster's exponential backoff waits delay x (2^attempt - 1): 2, 6 and 14 seconds.
    assert [policy.calculate_delay(n) for n in (1, 2, 3)] == [2, 6, 14]


def test_only_transient_errors_are_left_to_the_retry_policy() -> None:
    with pytest.raises(OSError), assets.retry_only_transient("ingest"):
        raise OSError(errno.EIO, "Input/output error")
    with pytest.raises(dg.Failure) as failure, assets.retry_only_transient("ingest"):
        raise PermissionError(errno.EACCES, "Permission denied", "tickets_20260105.csv")
    assert not failure.value.allow_retries
    assert failure.value.description == (
        "ingest: PermissionError: [Errno 13] Permission denied: 'tickets_20260105.csv'"
    )


def test_a_transient_error_is_retried_in_process(
    workspace: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _land(workspace, "tickets_20260105.csv", _row("T1"))
    real, calls = assets.ingest_landing, []

    def flaky(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 1:
            raise OSError(errno.EIO, "Input/output error")
        return real(*args, **kwargs)

    monkeypatch.setattr(assets, "ingest_landing", flaky)
    result = _materialize_ingest()
    assert result.success
    assert len(calls) == 2
    retries = [
        e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY
    ]
    assert len(retries) == 1
    assert len(ledger.load(workspace)) == 1


def test_a_failed_run_says_which_step_and_why_in_one_line(
    workspace: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _land(workspace, "tickets_20260105.csv", _row("T1"))
    monkeypatch.delenv("XLA_SEEDS_DIR")  # the job's dbt project needs every reference file

    def unreadable(*args: object, **kwargs: object) -> object:
        raise PermissionError(errno.EACCES, "Permission denied", "tickets_20260105.csv")

    monkeypatch.setattr(assets, "ingest_landing", unreadable)
    assert cli.main(["run"]) == cli.EXIT_ERROR
    errors = [line for line in capsys.readouterr().out.splitlines() if "failed:" in line]
    assert len(errors) == 1
    assert errors[0].endswith(
        # The six ingest assets by name: ingest/quarantine_rows, psa/surveys,
        # psa/ticket_events, then psa/tickets, psa/timeslips, servicenow/incidents.
        "Step ingest (ingest/quarantine_rows, psa/surveys, psa/ticket_events, 3 more) failed: "
        "PermissionError: [Errno 13] Permission denied: 'tickets_20260105.csv'"
    )


# Freshness


def _ledger_entry(settings: Settings, extract: str, extract_date: str) -> None:
    sha = hashlib.sha256(f"{extract}{extract_date}".encode()).hexdigest()
    ledger.record(
        settings,
        ledger.IngestedFile(
            sha256=sha,
            file_name=f"{extract}_{extract_date.replace('-', '')}.csv",
            extract=extract,
            extract_date=extract_date,
            rows_in=1,
            rows_loaded=1,
            rows_quarantined=0,
            lake_file=None,
            quarantine_file=None,
            archive_file="archive/x",
            run_id="r",
            ingested_at="2026-01-01T00:00:00+00:00",
        ),
    )


def test_freshness_warns_when_an_extract_has_not_arrived_for_n_days(workspace: Settings) -> None:
    _ledger_entry(workspace, "tickets", "2026-01-01")
    _ledger_entry(workspace, "tickets", "2026-01-07")  # 3 days before 10 January: fresh
    _ledger_entry(workspace, "timeslips", "2026-01-06")  # 4 days: stale
    found = {c.target: c for c in freshness.freshness_results(workspace, date(2026, 1, 10), days=3)}
    assert {c.check_name for c in found.values()} == {"freshness"}
    assert {c.severity for c in found.values()} == {"warn"}
    assert found["psa/tickets"].passed
    assert not found["psa/timeslips"].passed
    assert found["psa/timeslips"].detail == (
        "newest file dated 2026-01-06, 4 days before 2026-01-10 (stale after 3)"
    )
    assert found["psa/surveys"].passed  # never delivered: not judged
    assert found["psa/surveys"].detail == "never delivered; not judged"


def test_freshness_is_judged_on_the_day_of_the_runs_as_of() -> None:
    # 23:30 at UTC-5 on 31 January is 04:30 UTC on 1 February: judged on the UTC day.
    assert freshness.judged_on("2026-01-31T23:30:00-05:00") == date(2026, 2, 1)
    assert freshness.judged_on("") == datetime.now(UTC).date()


def test_a_stale_extract_reads_stale_not_failed() -> None:
    stale = results.CheckResult(
        "freshness", "psa/tickets", "warn", False, detail="newest file dated 2026-01-06"
    )
    assert stale.line() == "warn  freshness on psa/tickets: stale - newest file dated 2026-01-06"
    broken = results.CheckResult("row_conservation", "psa/tickets", "error", False, 2, detail="x")
    assert broken.line() == "error row_conservation on psa/tickets: FAILED (2 failing) - x"


def test_freshness_days_come_from_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(freshness.DAYS_VARIABLE, raising=False)
    assert freshness.freshness_days() == 3
    monkeypatch.setenv(freshness.DAYS_VARIABLE, "7")
    assert freshness.freshness_days() == 7
    monkeypatch.setenv(freshness.DAYS_VARIABLE, "a week")
    with pytest.raises(cli.ConfigError):
        freshness.freshness_days()


def test_freshness_is_an_asset_check_recorded_with_the_runs_checks(workspace: Settings) -> None:
    from orchestration.quality import results

    _land(workspace, "tickets_20260105.csv", _row("T1"))
    result = _materialize_ingest()
    evaluation = next(
        c
        for c in result.get_asset_check_evaluations()
        if c.check_name == "freshness" and c.asset_key == dg.AssetKey(["psa", "tickets"])
    )
    # 5 January 2026 is long before today.
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    recorded = [c for c in results.for_run(workspace, result.run_id) if c.check_name == "freshness"]
    assert len(recorded) == 5
    assert [c.passed for c in recorded if c.target == "psa/tickets"] == [False]


# Steps


def test_step_durations_are_read_from_the_run_and_written_for_benchmarks(
    workspace: Settings,
) -> None:
    _land(workspace, "tickets_20260105.csv", _row("T1"))
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [assets.ingest_landing_files], resources={"xla": XlaRun()}, instance=instance
    )
    steps = progress.step_durations(instance, result.run_id)
    assert list(steps) == ["ingest"]
    assert steps["ingest"] >= 0
    path = progress.write_steps(workspace, result.run_id, steps, total=12.345)
    assert path == workspace.build_dir / "last_run_steps.json"
    assert json.loads(path.read_text()) == {
        "run_id": result.run_id,
        "steps": {"ingest": steps["ingest"]},
        "total": 12.3,
    }
    assert progress.steps_line({"ingest": 39.2, "dbt": 63.0, "gate": 1.1, "publish": 8.25}) == (
        "Steps: ingest 39.2 s, dbt 63.0 s, gate 1.1 s, publish 8.2 s"
    )


# The run queue


def test_dagster_yaml_queues_one_xla_run_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copyfile(REPO_ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with dg.DagsterInstance.get() as instance:
        coordinator = instance.run_coordinator
        assert type(coordinator).__name__ == "QueuedRunCoordinator"
        assert coordinator.get_run_queue_config().max_concurrent_runs == 1
        limits = coordinator.get_run_queue_config().tag_concurrency_limits
        assert limits == [{"key": jobs.RUN_TAG, "limit": 1}]
    assert jobs.xla_run_job.tags == {jobs.RUN_TAG: "run"}
