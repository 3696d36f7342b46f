"""Two rebuilds from the same landing files and seeds publish the same tables; a second
`xla run` started during the first is refused and changes nothing.

Both rebuilds ingest every landing file of the shared MSP into fresh data folders. The
first has an intruder: another `xla run` on its folder while it runs. Every published
table is compared by an ordered content hash, leaving out only the run metadata
columns listed in `rebuilds.RUN_METADATA`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dbt_fixtures import lake_schema, make_data_folder, run_dbt, ticket

from tests.reliability.rebuilds import (
    RUN_METADATA,
    Rebuild,
    rebuild,
    shared_root,
    table_digests,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_root(tmp_path_factory)


@pytest.fixture(scope="module")
def first(root: Path) -> Rebuild:
    return rebuild(root, "first", intruder=True)


@pytest.fixture(scope="module")
def second(root: Path) -> Rebuild:
    return rebuild(root, "second")


def test_a_second_run_while_one_runs_is_refused_in_one_line_with_exit_2(first: Rebuild) -> None:
    assert first.intruder_exit_code == 2, first.intruder_output
    lines = [line for line in first.intruder_output.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "another xla run is using" in lines[0]
    assert str(first.workspace.data_dir) in lines[0]
    assert first.intruder_seconds < 60  # refused at once, not queued behind the run


def test_the_run_it_interrupted_publishes_as_if_alone(first: Rebuild, second: Rebuild) -> None:
    assert first.exit_code == 0, first.output[-3000:]
    assert second.exit_code == 0, second.output[-3000:]
    assert "Published " in first.output


def test_two_rebuilds_publish_identical_tables(first: Rebuild, second: Rebuild) -> None:
    ours = table_digests(first.workspace.published)
    theirs = table_digests(second.workspace.published)
    assert set(RUN_METADATA) <= set(ours)  # every excluded column belongs to a real table
    assert "fct_tickets" in ours
    differing = {
        t: (ours.get(t), theirs.get(t))
        for t in ours.keys() | theirs.keys()
        if ours.get(t) != theirs.get(t)
    }
    assert differing == {}


def test_two_deliveries_of_one_file_name_rank_the_same_whatever_the_lake_order(
    tmp_path: Path,
) -> None:
    """Versions of a row agreeing on updated_at, extract date, file name and line (a file
    re-delivered under the same name) are ranked by the file's SHA-256, the higher
    winning. T1's winner is in the lake file read first, T2's in the one read last, so a
    ranking left to the engine's scan order gets one of them wrong."""
    folder = make_data_folder(tmp_path, lake={})
    lake = folder.data_dir / "lake" / "tickets"
    deliveries = {  # lake file: (file hash, [(ticket, subject)])
        "20260105_1.parquet": ("f" * 64, [("T1", "winner")]),
        "20260105_2.parquet": ("0" * 64, [("T1", "loser"), ("T2", "loser")]),
        "20260105_3.parquet": ("e" * 64, [("T2", "winner")]),
    }
    for file_name, (sha, tickets) in deliveries.items():
        rows = [
            {
                **ticket(
                    ticket_id,
                    "C1",
                    "New",
                    "2026-01-05T09:00:00+00:00",
                    "2026-01-05T09:00:00+00:00",
                    subject=subject,
                ),
                "custom_field": "x",
                "_source_file": "tickets_20260105.csv",
                "_source_line": 2,
                "_extract_date": date(2026, 1, 5),
                "_file_sha256": sha,
            }
            for ticket_id, subject in tickets
        ]
        pq.write_table(pa.Table.from_pylist(rows, schema=lake_schema("tickets")), lake / file_name)
    # The staging view and what it reads: the value map (a seed and its staging view).
    run = run_dbt(
        folder,
        "build",
        "--select",
        "+stg_psa__tickets",
        "--exclude-resource-type",
        "test",
        "unit_test",
    )
    assert run.returncode == 0, run.stdout[-3000:]
    con = duckdb.connect(str(folder.warehouse), read_only=True)
    try:
        won = con.execute(
            "select ticket_id, subject from staging.stg_psa__tickets order by ticket_id"
        ).fetchall()
    finally:
        con.close()
    assert won == [("T1", "winner"), ("T2", "winner")]
