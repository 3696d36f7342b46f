"""Incremental builds give exactly the marts a full build of the same lake gives.

A small lake is built in full; then late files land: a ticket from weeks back is updated
and reopened, with a new event; a timeslip is edited to move its hours to another day
and engineer (so a flag on the first engineer's day must vanish); a survey arrives. The
incremental build of the whole is compared, table by table and row by row, with a full
build of a copy of the same lake.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dbt_fixtures import (
    SEEDS,
    DataFolder,
    Row,
    event,
    lake_schema,
    make_data_folder,
    run_dbt,
    survey,
    ticket,
    timeslip,
)

from orchestration.config import DEFAULT_SEEDS_DIR, Settings
from orchestration.warehouse import build_state
from orchestration.warehouse.assets import dbt_results


def _repo_timeslip_rules() -> list[tuple[str, ...]]:
    """Every timeslip rule of the demo MSP, switched on as it ships."""
    with (DEFAULT_SEEDS_DIR / "timeslip_rules.csv").open(newline="", encoding="utf-8") as f:
        return [tuple(row) for row in list(csv.reader(f))[1:]]


def _engineers() -> list[tuple[str, ...]]:
    # Both engineers work through the whole period, so both carry flags.
    return [(*row[:9], "") if row[0] == "E2" else row for row in SEEDS["engineers"]]


INCREMENTAL_SEEDS = {**SEEDS, "timeslip_rules": _repo_timeslip_rules(), "engineers": _engineers()}


def _slip(timeslip_id: str, engineer: str, ticket_id: str, day: str, hours: float) -> Row:
    return timeslip(
        timeslip_id, engineer, ticket_id, day, hours, hours, "Billable", f"{day}T18:00:00+00:00"
    )


BASE: dict[str, dict[str, list[Row]]] = {
    "tickets": {
        "tickets_20240301.csv": [
            ticket(
                "T1",
                "C1",
                "Resolved",
                "2024-03-01T09:00:00+00:00",
                "2024-03-04T16:00:00+00:00",
                assigned_engineer_id="E1",
                first_response_at="2024-03-01T09:30:00+00:00",
                resolved_at="2024-03-04T16:00:00+00:00",
            ),
            # Open and untouched by the late files: its clocks run on to the new as_of.
            ticket(
                "T2",
                "C1",
                "In Progress",
                "2024-03-20T10:00:00+00:00",
                "2024-03-20T10:00:00+00:00",
                priority="P2",
                assigned_engineer_id="E2",
            ),
            # Opened at the instant of the first build's as_of (S3's updated_at): its
            # clocks start at their reading, with no segment yet, and run on after.
            ticket("T4", "C2", "New", "2024-03-20T18:00:00+00:00", "2024-03-20T18:00:00+00:00"),
            ticket(
                "T3",
                "C2",
                "Closed",
                "2024-03-05T14:00:00+00:00",
                "2024-03-06T12:00:00+00:00",
                first_response_at="2024-03-05T14:10:00+00:00",
                resolved_at="2024-03-06T11:00:00+00:00",
                closed_at="2024-03-06T12:00:00+00:00",
            ),
        ],
    },
    "ticket_events": {
        "ticket_events_20240304.csv": [
            event("V1", "T1", "2024-03-01T09:30:00+00:00", "status", "New", "In Progress"),
            event("V2", "T1", "2024-03-04T16:00:00+00:00", "status", "In Progress", "Resolved"),
            event("V3", "T3", "2024-03-06T11:00:00+00:00", "status", "New", "Resolved"),
        ],
    },
    "timeslips": {
        "timeslips_20240320.csv": [
            _slip("S1", "E1", "T1", "2024-03-01", 2.0),
            _slip("S2", "E1", "T1", "2024-03-04", 9.0),
            # With S2, 14 hours on E1's 4 March: an excessive day, until S5 moves.
            _slip("S5", "E1", "T3", "2024-03-04", 5.0),
            _slip("S3", "E2", "T2", "2024-03-20", 1.0),
            _slip("S4", "E2", "T3", "2024-03-05", 2.0),
        ],
    },
    "surveys": {
        "surveys_20240320.csv": [survey("R1", "csat", "T1", 9, "2024-03-05T10:00:00+00:00")],
    },
}

LATE: dict[str, dict[str, list[Row]]] = {
    "tickets": {
        "tickets_20240415.csv": [
            ticket(
                "T1",
                "C1",
                "In Progress",
                "2024-03-01T09:00:00+00:00",
                "2024-04-15T09:00:00+00:00",
                assigned_engineer_id="E2",
                first_response_at="2024-03-01T09:30:00+00:00",
                resolved_at="2024-03-04T16:00:00+00:00",
            ),
        ],
    },
    "ticket_events": {
        "ticket_events_20240415.csv": [
            event("V4", "T1", "2024-04-15T09:00:00+00:00", "status", "Resolved", "In Progress"),
            event("V5", "T1", "2024-04-15T09:00:00+00:00", "assignee", "E1", "E2"),
        ],
    },
    "timeslips": {
        "timeslips_20240415.csv": [
            timeslip(
                "S5", "E2", "T3", "2024-03-05", 3.0, 3.0, "Billable", "2024-04-15T08:00:00+00:00"
            ),
        ],
    },
    "surveys": {
        "surveys_20240415.csv": [survey("R2", "csat", "T2", 3, "2024-04-14T10:00:00+00:00")],
    },
}


def _land(folder: DataFolder, files: dict[str, dict[str, list[Row]]], first_seq: int) -> int:
    """Write lake files as the ingest does, each with the next seq; return the next free one."""
    seq = first_seq
    for extract, by_name in files.items():
        for file_name, rows in by_name.items():
            stamp = file_name.rsplit("_", 1)[1][:8]
            records = [
                {
                    **row,
                    "custom_field": "x",
                    "_source_file": file_name,
                    "_source_line": line,
                    "_extract_date": date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:])),
                    "_file_sha256": f"{seq:064d}",
                    "_ingest_seq": seq,
                }
                for line, row in enumerate(rows, start=2)
            ]
            table = pa.Table.from_pylist(records, schema=lake_schema(extract))
            pq.write_table(table, folder.data_dir / "lake" / extract / f"{file_name[:-4]}.parquet")
            seq += 1
    return seq


@dataclass
class Built:
    plan: build_state.BuildPlan
    complete: bool
    output: str
    run_results: dict[str, Any]
    # The seq the build's new lake rows were read above, as dbt compiled it.
    compiled_since: str | None = None
    # The same, for the staging of tickets: its newest versions were ranked again only
    # for the tickets with a lake row above it.
    staging_since: str | None = None

    def unit_test_statuses(self) -> list[str]:
        return [
            r["status"]
            for r in self.run_results.get("results", [])
            if r["unique_id"].startswith("unit_test.")
        ]


def _settings(folder: DataFolder) -> Settings:
    return Settings(data_dir=folder.data_dir, seeds_dir=folder.seeds_dir)


def _build(folder: DataFolder, full_refresh: bool = False) -> Built:
    """Build the way the warehouse asset does: plan, `dbt build`, record the state."""
    settings = _settings(folder)
    plan = build_state.plan(settings, "", full_refresh=full_refresh)
    (folder.target_dir / "run_results.json").unlink(missing_ok=True)
    # The data tests have a suite of their own; leaving them out keeps the builds short.
    # The unit tests run as the plan says.
    completed = run_dbt(folder, *plan.args(exclude=("test",)), env=plan.parameters(""))
    results_file = folder.target_dir / "run_results.json"
    run_results = json.loads(results_file.read_text()) if results_file.exists() else {}
    complete = build_state.models_all_built(run_results)
    build_state.record_if_complete(settings, plan, complete)
    return Built(
        plan,
        complete,
        completed.stdout[-3000:],
        run_results,
        _compiled_since(folder, "int_lake__changed_keys"),
        _compiled_since(folder, "stg_psa__tickets"),
    )


def _compiled_since(folder: DataFolder, model: str) -> str | None:
    """The seq above which a model's compiled SQL read the lake's new rows, if it did."""
    # A unit test's input of the same name compiles under its yml's folder: not the model.
    compiled = next(
        (
            path
            for path in folder.target_dir.glob(f"compiled/**/{model}.sql")
            if not any(part.endswith(".yml") for part in path.parts)
        ),
        None,
    )
    since = re.search(r"_ingest_seq, 0\) > (-?\d+)", compiled.read_text()) if compiled else None
    return since.group(1) if since else None


def _marts(folder: DataFolder) -> dict[str, list[tuple[Any, ...]]]:
    """Every table the warehouse publishes, and the staging tables of the extracts,
    whole and in order."""
    con = duckdb.connect(str(folder.warehouse), read_only=True)
    try:
        names = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_type = 'BASE TABLE'"
            " and (table_schema = 'main' or table_name like 'stg_psa__%')"
            " order by table_name"
        ).fetchall()
        return {
            name: con.execute(f'select * from "{schema}"."{name}" order by all').fetchall()
            for schema, name in names
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("incremental")
    # Which code's unit tests passed is remembered per installation: these builds start
    # from a memory of their own, so the first of them runs the unit tests.
    remembered = build_state.UNIT_TESTS_PASSED_DIR
    build_state.UNIT_TESTS_PASSED_DIR = root / "unit_tests_passed"
    incremental = make_data_folder(root / "incremental", seeds=INCREMENTAL_SEEDS, lake={})
    _land(incremental, BASE, first_seq=1)
    first = _build(incremental)
    before = _marts(incremental)
    next_seq = _land(incremental, LATE, first_seq=10)
    late = _build(incremental)
    after_late = _marts(incremental)

    full = make_data_folder(root / "full", seeds=INCREMENTAL_SEEDS, lake={})
    shutil.rmtree(full.data_dir / "lake")
    shutil.copytree(incremental.data_dir / "lake", full.data_dir / "lake")
    reference = _build(full, full_refresh=True)
    yield {
        "incremental": incremental,
        "first": first,
        "before": before,
        "late": late,
        "after_late": after_late,
        "reference": reference,
        "expected": _marts(full),
        "next_seq": next_seq,
    }
    build_state.UNIT_TESTS_PASSED_DIR = remembered


def test_the_first_build_is_full_and_the_late_files_build_incrementally(
    folders: dict[str, Any],
) -> None:
    first, late = folders["first"], folders["late"]
    assert first.complete, first.output
    assert first.plan.full_refresh
    assert late.complete, late.output
    assert not late.plan.full_refresh
    assert late.plan.since_ingest_seq == 4
    assert late.plan.next_state.ingest_seq == 13
    # The seq reaches dbt as a run parameter: the late build read the lake above seq 4.
    assert late.compiled_since == "4"
    assert first.staging_since is None
    assert late.staging_since == "4"
    assert folders["reference"].complete, folders["reference"].output


def test_an_incremental_build_equals_a_full_build_of_the_same_lake(
    folders: dict[str, Any],
) -> None:
    expected, actual = folders["expected"], folders["after_late"]
    assert set(actual) == set(expected)
    for table in sorted(expected):
        assert actual[table] == expected[table], table


def test_the_late_files_changed_what_they_should(folders: dict[str, Any]) -> None:
    """The comparison above is no comparison of two unchanged warehouses."""
    before, after = folders["before"], folders["after_late"]

    def flags(marts: dict[str, list[tuple[Any, ...]]]) -> set[str]:
        return {row[0] for row in marts["fct_timeslip_flags"]}

    assert "excessive_day|E1|2024-03-04" in flags(before)
    assert "excessive_day|E1|2024-03-04" not in flags(after)
    open_before = {row[0] for row in before["fct_tickets"] if row[15]}
    open_after = {row[0] for row in after["fct_tickets"] if row[15]}
    assert open_before == {"T2", "T4"}
    assert open_after == {"T1", "T2", "T4"}
    assert before["fct_ticket_sla"] != after["fct_ticket_sla"]

    def engineer_of(marts: dict[str, list[tuple[Any, ...]]], timeslip_id: str) -> str:
        return next(row[1] for row in marts["stg_psa__timeslips"] if row[0] == timeslip_id)

    # The newest version of S5 replaced the older one in staging; S2 kept its own.
    assert (engineer_of(before, "S5"), engineer_of(after, "S5")) == ("E1", "E2")
    assert engineer_of(after, "S2") == "E1"
    assert len(after["stg_psa__timeslips"]) == len(before["stg_psa__timeslips"])
    assert len(after["stg_psa__surveys"]) == len(before["stg_psa__surveys"]) + 1
    assert before["fct_sla_clock_segments"] != after["fct_sla_clock_segments"]
    # T4's clocks had no segment at the first build's as_of, and run on after it.
    assert not [row for row in before["fct_sla_clock_segments"] if row[1] == "T4"]
    assert [row for row in after["fct_sla_clock_segments"] if row[1] == "T4"]


def test_a_second_build_with_nothing_new_changes_nothing(folders: dict[str, Any]) -> None:
    folder = folders["incremental"]
    again = _build(folder)
    assert again.complete, again.output
    assert not again.plan.full_refresh
    assert again.plan.since_ingest_seq == 13
    assert _marts(folder) == folders["expected"]


def test_a_build_that_fails_does_not_advance_the_state(folders: dict[str, Any]) -> None:
    folder = folders["incremental"]
    settings = _settings(folder)
    state = build_state.load(settings)
    assert state is not None
    bad = folder.data_dir / "lake" / "timeslips" / "timeslips_20240416.parquet"
    # A value no timestamp cast takes: the staging of timeslips, and the build, fail.
    pq.write_table(
        pa.table({"timeslip_id": ["S9"], "updated_at": ["not a time"], "_ingest_seq": [20]}),
        bad,
    )
    failed = _build(folder)
    assert not failed.plan.full_refresh
    assert not failed.complete
    assert build_state.load(settings) == state
    bad.unlink()
    nps = survey("R3", "nps", "", 8, "2024-04-16T10:00:00+00:00")
    _land(folder, {"surveys": {"surveys_20240416.csv": [nps]}}, first_seq=21)
    redone = _build(folder)
    assert redone.complete, redone.output
    assert redone.plan.since_ingest_seq == state.ingest_seq
    assert build_state.load(settings) == build_state.BuildState(
        21, state.fingerprint, state.code_fingerprint
    )


def test_a_changed_seed_or_the_switch_forces_a_full_refresh(folders: dict[str, Any]) -> None:
    folder = folders["incremental"]
    settings = _settings(folder)
    assert not build_state.plan(settings, "").full_refresh
    assert build_state.plan(settings, "", full_refresh=True).full_refresh
    assert build_state.plan(settings, "2024-05-01T00:00:00+00:00").full_refresh
    path = folder.seeds_dir / "timeslip_rules.csv"
    original = path.read_bytes()
    path.write_bytes(original.replace(b"excessive_day,true,warn,12", b"excessive_day,true,warn,13"))
    try:
        changed = build_state.plan(settings, "")
        assert changed.full_refresh
        assert "seeds" in changed.reason
        assert "--full-refresh" in changed.args()
    finally:
        path.write_bytes(original)
    assert not build_state.plan(settings, "").full_refresh


def test_unit_tests_run_only_when_the_dbt_code_changed(folders: dict[str, Any]) -> None:
    """Unit tests test the SQL, not the data: a build of unchanged code leaves them out."""
    first, late = folders["first"], folders["late"]
    assert first.plan.unit_tests
    assert first.unit_test_statuses()
    assert set(first.unit_test_statuses()) == {"pass"}
    assert not late.plan.unit_tests
    assert "unit_test" in late.plan.args()
    assert late.unit_test_statuses() == []
    # Left out is not failed: the gate's checks hold no unit test, passed or not.
    manifest = json.loads((folders["incremental"].target_dir / "manifest.json").read_text())
    checks = dbt_results(late.run_results, manifest)
    assert not any(c.check_name in manifest.get("unit_tests", {}) for c in checks)
    unit_names = {node["name"] for node in manifest.get("unit_tests", {}).values()}
    assert unit_names
    assert not unit_names & {c.check_name for c in checks}
    assert all(c.passed for c in checks)

    settings = _settings(folders["incremental"])
    state = build_state.load(settings)
    assert state is not None and state.code_fingerprint == build_state.code_fingerprint()
    # Code other than what the last complete build's unit tests passed on (here: a
    # state from before the code was recorded) runs them, on an incremental build too.
    build_state.save(settings, build_state.BuildState(state.ingest_seq, state.fingerprint))
    # The unit tests passed on this code: no build of it runs them again, a new data
    # folder's or a full one included; forgotten, they run again.
    assert not build_state.plan(settings, "", full_refresh=True).unit_tests
    shutil.rmtree(build_state.UNIT_TESTS_PASSED_DIR)
    try:
        stale = build_state.plan(settings, "")
        assert not stale.full_refresh
        assert stale.unit_tests
        assert "unit_test" not in stale.args()
        assert build_state.plan(settings, "", full_refresh=True).unit_tests
    finally:
        build_state.save(settings, state)


def test_staging_tests_that_fail_the_build_read_only_the_rows_since_the_last_build(
    folders: dict[str, Any],
) -> None:
    """T1's newest version landed at seq 10, T2's at seq 1. With both their clients
    blanked, a build whose tests passed up to seq 5 fails not_null on T1 alone: T2's row
    is one an earlier build's tests passed. A full build (-1) fails it on both, one from seq 13 on
    neither. With T3 gone from staging, the warn test of events' tickets counts its event
    (V3, seq 2) from any seq: a warning is counted whole on every build."""
    folder = folders["incremental"]
    not_null = "not_null_stg_psa__tickets_client_id"
    relationships = (
        "relationships_stg_psa__ticket_events_ticket_id__ticket_id__ref_stg_psa__tickets_"
    )

    def failures(since: int) -> tuple[int, int]:
        completed = run_dbt(
            folder,
            "test",
            "--select",
            not_null,
            relationships,
            env={"XLA_TESTED_SINCE_SEQ": str(since), "XLA_AS_OF": ""},
        )
        results = json.loads((folder.target_dir / "run_results.json").read_text())["results"]
        by_name = {r["unique_id"].split(".")[2]: r["failures"] for r in results}
        assert set(by_name) == {not_null, relationships}, completed.stdout[-2000:]
        return by_name[not_null], by_name[relationships]

    def execute(*statements: str) -> None:
        con = duckdb.connect(str(folder.warehouse))
        try:
            (schema,) = con.execute(
                "select table_schema from information_schema.tables"
                " where table_name = 'stg_psa__tickets'"
            ).fetchone()
            for statement in statements:
                con.execute(statement.format(table=f'"{schema}".stg_psa__tickets'))
        finally:
            con.close()

    kept = _marts(folder)["stg_psa__tickets"]
    assert failures(5) == (0, 0)
    execute(
        "create table kept_tickets as select * from {table}",
        "update {table} set client_id = null where ticket_id in ('T1', 'T2')",
        "delete from {table} where ticket_id = 'T3'",
    )
    try:
        assert failures(5) == (1, 1)
        assert failures(-1) == (2, 1)
        assert failures(13) == (0, 1)
    finally:
        execute(
            "delete from {table}",
            "insert into {table} select * from kept_tickets",
            "drop table kept_tickets",
        )
    assert _marts(folder)["stg_psa__tickets"] == kept


def test_the_tested_seq_advances_only_when_the_data_tests_passed(folders: dict[str, Any]) -> None:
    """A build whose data tests failed keeps the seq its staging tests read rows above, so
    a row that failed is tested again on the next build, and the next, until one passes."""
    settings = _settings(folders["incremental"])
    state = build_state.load(settings)
    assert state is not None
    try:
        build_state.save(settings, replace(state, tested_seq=4))
        plan = build_state.plan(settings, "")
        assert plan.tested_since_seq == 4
        assert plan.parameters("")["XLA_TESTED_SINCE_SEQ"] == "4"
        build_state.record_if_complete(settings, plan, True, tests_passed=False)
        assert build_state.load(settings).tested_seq == 4
        build_state.record_if_complete(settings, plan, True, tests_passed=True)
        assert build_state.load(settings).tested_seq == plan.next_state.ingest_seq
        assert build_state.plan(settings, "").tested_since_seq == plan.next_state.ingest_seq
        # A full build tests every row, whatever the state says.
        full = build_state.plan(settings, "", full_refresh=True)
        assert full.parameters("")["XLA_TESTED_SINCE_SEQ"] == "-1"
    finally:
        build_state.save(settings, state)
