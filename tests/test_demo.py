"""The README's first command, as a newcomer runs it: `xla demo` into an empty folder.

It ends with nothing a newcomer would read as a fault, and records its run in the Dagster
instance of the data folder, where the Dagster UI opened afterwards finds the run, every
materialization and every check result.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from orchestration.instance import INSTANCE_FOLDER

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    env = {**os.environ, "XLA_DATA_DIR": str(data_dir)}
    for variable in ("XLA_SEEDS_DIR", "DAGSTER_HOME", "XLA_FRESHNESS_DAYS", "XLA_PARTITIONS_START"):
        env.pop(variable, None)
    done = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return data_dir, done


def test_a_fresh_demo_prints_no_fault(demo: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    _, done = demo
    output = done.stdout + done.stderr
    assert "FAILED" not in output
    assert "stale" not in output  # the demo is judged on the day after its last extract
    # A new instance says nothing of Dagster's own: no telemetry notice, no welcome.
    assert "Welcome to Dagster" not in output and "Telemetry" not in output
    assert "Published warehouse:" in done.stdout


def test_the_demo_run_is_in_the_data_folders_dagster_instance(
    demo: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    data_dir, _ = demo
    instance = dg.DagsterInstance.from_config(str(data_dir / INSTANCE_FOLDER))
    try:
        (run,) = instance.get_runs()
        assert run.job_name == "xla_run"
        assert run.status == dg.DagsterRunStatus.SUCCESS
        for path in (
            ["psa", "tickets"],
            ["reference", "clients"],
            ["staging", "stg_psa__tickets"],
            ["fct_client_months"],
            ["audit", "quality_gate"],
            ["published", "warehouse"],
        ):
            event = instance.get_latest_materialization_event(dg.AssetKey(path))
            assert event is not None and event.run_id == run.run_id, path
        # Every check the run evaluated: the ingest's, the dbt tests and the gate's.
        checks = [
            dg.AssetCheckKey(dg.AssetKey(["psa", "tickets"]), "row_conservation"),
            dg.AssetCheckKey(dg.AssetKey(["psa", "tickets"]), "freshness"),
            dg.AssetCheckKey(dg.AssetKey(["fct_tickets"]), "unique_fct_tickets_ticket_id"),
            dg.AssetCheckKey(dg.AssetKey(["audit", "quality_gate"]), "lake_row_conservation"),
        ]
        for key in checks:
            record = instance.get_latest_asset_check_evaluation_record(key)
            assert record is not None and record.run_id == run.run_id, key
            assert record.evaluation is not None and record.evaluation.passed, key
        # The ingest's partitions are the demo's dates, from its first extract on; the
        # 31 days of January it delivered are materialized.
        tickets = dg.AssetKey(["psa", "tickets"])
        assert instance.get_materialized_partitions(tickets) == {
            f"2026-01-{day:02d}" for day in range(1, 32)
        }
    finally:
        instance.dispose()
