"""Reference rows are date-effective: a policy is in force from `valid_from` on.

The hand-countable data folder of `dbt_fixtures.py` with four more P2 tickets of client
C1 (gold, Amsterdam), built twice: once as it is, and once with gold's P2 resolution
target cut from 480 business minutes to 120 from 1 February 2024 (two rows of
sla_policies.csv, one `valid_to` 2024-01-31, one `valid_from` 2024-02-01). A clock takes
the policy in force on the local date it starts:

- D1 (10 January) and D2 (31 January 22:30 UTC, 23:30 in Amsterdam) keep 480;
- D3 (31 January 23:30 UTC, already 1 February in Amsterdam), D4 (15 February) and T1
  (1 March) get 120;

and the published client-months before February are the same in both builds, while
February's (D2 and D3 resolve on 1 February, 330 business minutes after 08:30) differ:
D3 breaches the new target.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import duckdb
import pytest
from dbt_fixtures import LAKE, SEEDS, DataFolder, make_data_folder, run_dbt, ticket

from orchestration.reference.spec import REFERENCE_FILES

CHANGE = date(2024, 2, 1)
OLD_TARGET, NEW_TARGET = 480, 120


def _p2(ticket_id: str, created: str, resolved: str) -> dict[str, Any]:
    return ticket(
        ticket_id, "C1", "Resolved", created, resolved, priority="P2", resolved_at=resolved
    )


# Resolved with no events: the status timeline comes from the tickets' own stamps.
NEW_TICKETS = [
    _p2("D1", "2024-01-10T09:00:00+00:00", "2024-01-10T11:00:00+00:00"),
    _p2("D2", "2024-01-31T22:30:00+00:00", "2024-02-01T13:00:00+00:00"),
    _p2("D3", "2024-01-31T23:30:00+00:00", "2024-02-01T13:00:00+00:00"),
    _p2("D4", "2024-02-15T09:00:00+00:00", "2024-02-15T10:00:00+00:00"),
]
LAKE_WITH_P2 = {
    **LAKE,
    "tickets": {**LAKE["tickets"], "tickets_20240220.csv": NEW_TICKETS},
}


def _padded(rows: list[tuple[str, ...]], name: str) -> list[tuple[str, ...]]:
    """Rows with every column of the file, empty where they stop short."""
    width = len(REFERENCE_FILES[name])
    return [row + ("",) * (width - len(row)) for row in rows]


def _split_p2_resolution(seeds: dict[str, list[tuple[str, ...]]]) -> dict[str, Any]:
    """Gold's P2 resolution policy: 480 minutes up to 31 January, 120 from 1 February."""
    rows = []
    for row in _padded(seeds["sla_policies"], "sla_policies"):
        if row[:3] == ("gold", "P2", "resolution"):
            assert row[3] == str(OLD_TARGET)
            rows.append((*row[:7], "", "2024-01-31"))
            rows.append((*row[:3], str(NEW_TARGET), *row[4:7], CHANGE.isoformat(), ""))
        else:
            rows.append(row)
    return {**seeds, "sla_policies": rows}


def _build(folder: DataFolder) -> dict[str, Any]:
    completed = run_dbt(folder, "build", "--exclude", "resource_type:unit_test")
    results = folder.target_dir / "run_results.json"
    statuses = (
        {r["unique_id"]: r["status"] for r in json.loads(results.read_text())["results"]}
        if results.exists()
        else {}
    )
    return {
        "returncode": completed.returncode,
        "output": completed.stdout[-3000:] + completed.stderr[-2000:],
        "failed": {k: v for k, v in statuses.items() if v not in ("success", "pass", "warn")},
    }


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, DataFolder]:
    """The two builds, side by side (each in a folder of its own)."""
    folders = {
        "before": make_data_folder(tmp_path_factory.mktemp("always"), lake=LAKE_WITH_P2),
        "after": make_data_folder(
            tmp_path_factory.mktemp("dated"), seeds=_split_p2_resolution(SEEDS), lake=LAKE_WITH_P2
        ),
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = dict(zip(folders, pool.map(_build, folders.values()), strict=True))
    for name, result in done.items():
        assert result["returncode"] == 0 and not result["failed"], (name, result)
    return folders


def _query(folder: DataFolder, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(folder.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _p2_resolution_targets(folder: DataFolder) -> dict[str, int]:
    rows = _query(
        folder,
        "select ticket_id, target_minutes from main.fct_ticket_sla "
        "where client_id = 'C1' and priority = 'P2' and metric = 'resolution'",
    )
    return dict(rows)


def _client_months(folder: DataFolder) -> dict[tuple[str, date], tuple[Any, ...]]:
    con = duckdb.connect(str(folder.warehouse), read_only=True)
    try:
        cursor = con.execute("select * from main.fct_client_months")
        columns = [c[0] for c in cursor.description]
        rows = cursor.fetchall()
    finally:
        con.close()
    return {(row[columns.index("client_id")], row[columns.index("month")]): row for row in rows}


def test_without_validity_every_p2_clock_has_the_one_target(
    builds: dict[str, DataFolder],
) -> None:
    assert _p2_resolution_targets(builds["before"]) == {
        "D1": OLD_TARGET,
        "D2": OLD_TARGET,
        "D3": OLD_TARGET,
        "D4": OLD_TARGET,
        "T1": OLD_TARGET,
    }


def test_clocks_started_before_the_change_keep_the_old_target(
    builds: dict[str, DataFolder],
) -> None:
    # D2 starts at 23:30 on 31 January in Amsterdam; D3 an hour later, on 1 February
    # there (still 31 January in UTC).
    assert _p2_resolution_targets(builds["after"]) == {
        "D1": OLD_TARGET,
        "D2": OLD_TARGET,
        "D3": NEW_TARGET,
        "D4": NEW_TARGET,
        "T1": NEW_TARGET,
    }


def test_d3_breaches_the_new_target_that_d2_meets_under_the_old(
    builds: dict[str, DataFolder],
) -> None:
    rows = _query(
        builds["after"],
        "select ticket_id, sla_status from main.fct_ticket_sla "
        "where ticket_id in ('D2', 'D3') and metric = 'resolution' order by ticket_id",
    )
    assert rows == [("D2", "met"), ("D3", "breached")]


def test_client_months_before_the_change_are_unchanged(builds: dict[str, DataFolder]) -> None:
    before, after = _client_months(builds["before"]), _client_months(builds["after"])
    assert before.keys() == after.keys()
    earlier = [key for key in before if key[1] < CHANGE]
    assert ("C1", date(2024, 1, 1)) in earlier
    for key in earlier:
        assert after[key] == before[key], key
    # The comparison sees a change where there is one: February's resolution clocks.
    assert after[("C1", CHANGE)] != before[("C1", CHANGE)]
