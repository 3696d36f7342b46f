"""The timeslip rules on a hand-made data folder: what must fire fires, nothing else does.

The cases and why each fires or must not are in `timeslip_rule_fixtures.py`. One
`dbt build` serves the module; the switched-off rules test rebuilds only the rules seed
and what depends on it, on a copy of that build.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt_fixtures import DataFolder, run_dbt, write_seeds
from timeslip_rule_fixtures import EXPECTED_FLAGS, RULES, SEEDS, make_rules_folder

from orchestration.reference.validate import validate_folder


@dataclass(frozen=True)
class Build:
    folder: DataFolder
    output: str
    returncode: int


def _query(folder: DataFolder, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(folder.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    folder = make_rules_folder(tmp_path_factory.mktemp("timeslip_rules"))
    completed = run_dbt(folder, "build")
    return Build(folder, completed.stdout + completed.stderr, completed.returncode)


def _flags(folder: DataFolder) -> set[tuple[str, str]]:
    return set(_query(folder, "select rule_id, subject_id from main.fct_timeslip_flags"))


def _flag(build: Build, flag_id: str, *columns: str) -> tuple[Any, ...]:
    rows = _query(
        build.folder,
        f"select {', '.join(columns)} from main.fct_timeslip_flags where flag_id = '{flag_id}'",
    )
    assert len(rows) == 1, f"{flag_id}: {rows}"
    return rows[0]


def _evidence(build: Build, flag_id: str) -> str:
    return str(_flag(build, flag_id, "evidence")[0])


def test_build_passes_without_warnings(build: Build) -> None:
    assert build.returncode == 0, build.output[-3000:]
    assert "WARN=0 ERROR=0 SKIP=0" in build.output, build.output[-3000:]


def test_exactly_the_expected_flags(build: Build) -> None:
    flags = _flags(build.folder)
    assert flags - EXPECTED_FLAGS == set(), "flagged, but must not be"
    assert EXPECTED_FLAGS - flags == set(), "must be flagged, but is not"


def test_flag_ids_subjects_and_severity_from_the_seed(build: Build) -> None:
    rows = _query(
        build.folder,
        "select flag_id, rule_id, subject_id, subject_type, severity from main.fct_timeslip_flags",
    )
    severity = {rule[0]: rule[2] for rule in RULES}
    subject_types = {
        "excessive_day": "engineer_day",
        "round_heaping": "engineer_period",
        "exact_target": "engineer_period",
        "post_target_slowdown": "engineer_period",
        "effort_outlier": "ticket",
    }
    for flag_id, rule_id, subject_id, subject_type, rule_severity in rows:
        assert flag_id == f"{rule_id}|{subject_id}"
        assert rule_severity == severity[rule_id]
        assert subject_type == subject_types.get(rule_id, "timeslip")


def test_overlap(build: Build) -> None:
    # OV2 starts at 09:54, OV1 ends at 10:00.
    assert _flag(build, "overlap|OV2", "measured_value", "threshold_value") == (6.0, 5.0)
    assert _evidence(build, "overlap|OV2") == (
        "starts at 09:54 local, 6 min before OV1 ends (10:00); "
        "more than 5 min of overlap is flagged"
    )
    # OV7 runs into OV5 (ends 16:00), not into OV6 (ended 13:45) just before it.
    assert "20 min before OV5 ends (16:00)" in _evidence(build, "overlap|OV7")
    # Spring forward: OV8 ends 03:30 BST = 02:30 UTC, OV9 starts 02:20 BST = 01:20 UTC.
    assert _evidence(build, "overlap|OV9").startswith(
        "starts at 02:20 local, 40 min before OV8 ends (03:30)"
    )


def test_duplicate(build: Build) -> None:
    assert _evidence(build, "duplicate|DU2") == (
        "copy 2 of DU1: same engineer, ticket TK02A, 2026-01-14 10:00-10:30 local, 0.5 h"
    )
    assert _evidence(build, "duplicate|DU6").startswith("copy 2 of DU5: same engineer, no ticket")


def test_excessive_day(build: Build) -> None:
    # 6 h + 6 h 1 min, stored as 6.02 h.
    assert _flag(build, "excessive_day|E03|2026-01-14", "measured_value", "work_date") == (
        12.02,
        date(2026, 1, 14),
    )
    assert _evidence(build, "excessive_day|E03|2026-01-14") == (
        "worked 12.02 h on 2026-01-14 in 2 entries between 07:00 and 19:01 local; "
        "more than 12 h in a day is flagged"
    )


def test_billed_over_worked(build: Build) -> None:
    assert _evidence(build, "billed_over_worked|BO1") == (
        "billed 1.25 h (Billable) for 1 h worked: 0.25 h more; more than 0 h over is flagged"
    )


def test_outside_ticket_life(build: Build) -> None:
    assert _flag(build, "outside_ticket_life|OL1", "measure", "measured_value") == (
        "hours_before_creation",
        0.5,
    )
    assert _evidence(build, "outside_ticket_life|OL1") == (
        "started 0.5 h before TK05A was created (2026-01-20 10:00 UTC)"
    )
    # Ends 09:30 on 23 Jan; closed 12:00 on 21 Jan.
    assert _flag(build, "outside_ticket_life|OL4", "measured_value", "threshold_value") == (
        45.5,
        24.0,
    )


def test_late_entry_counts_business_days_of_the_engineers_calendar(build: Build) -> None:
    assert _evidence(build, "late_entry|LE3") == (
        "work of 2026-01-14 entered on 2026-01-23, 6 business days (9 calendar days) later "
        "on calendar CAL_US; more than 5 business days is flagged"
    )


def test_bulk_backfill(build: Build) -> None:
    for n in (1, 2, 3):
        assert _evidence(build, f"bulk_backfill|BB{n}") == (
            "one of 3 entries for work at least 7 days old entered within 60 min from "
            "2026-02-13 10:00 local; this one for 2026-02-06, 7 days earlier; "
            "3 or more in 60 min are flagged"
        )


def test_round_heaping(build: Build) -> None:
    assert _flag(build, "round_heaping|E08|2026-02", "period_start", "period_end") == (
        date(2026, 2, 1),
        date(2026, 2, 28),
    )
    assert _evidence(build, "round_heaping|E08|2026-02") == (
        "4 of 5 entries in 2026-02 last whole or half hours (80%); rest of team desk_b 20% "
        "of 10; flagged at 80% and 3 times the team"
    )


def test_exact_target(build: Build) -> None:
    assert _evidence(build, "exact_target|E10|2026-02") == (
        "billed exactly the daily share of the monthly billable goal (4 h on a full day) on "
        "3 of 5 days worked in 2026-02 (60%); flagged at 60%"
    )


def test_effort_outlier(build: Build) -> None:
    # The limit is 5 x the median (1 h).
    assert _flag(build, "effort_outlier|E11|TKN1", "measured_value", "threshold_value") == (
        6.0,
        5.0,
    )
    assert _evidence(build, "effort_outlier|E11|TKN1") == (
        "6 h in 3 entries on TKN1 (P3 network) from 2026-02-09 to 2026-02-11; the median of "
        "6 engineer totals on such tickets is 1 h; flagged above 5 times the median and "
        "from 4 h"
    )


def test_post_target_slowdown(build: Build) -> None:
    assert _flag(
        build, "post_target_slowdown|E13|2026-W06", "period_start", "period_end", "measured_value"
    ) == (date(2026, 2, 2), date(2026, 2, 8), 0.75)
    assert _evidence(build, "post_target_slowdown|E13|2026-W06") == (
        "reached the 5 h weekly billable goal at 2026-02-03 11:00 local; billed 1 h per "
        "hour worked before (5 h worked), 0.25 after (2 h worked): 75% slower, in a run of "
        "2 such weeks (14 days); flagged from 40% slower over 2 weeks"
    )
    # Exactly 40 % slower is enough.
    assert _flag(build, "post_target_slowdown|E13|2026-W11", "measured_value") == (0.4,)


def test_post_target_slowdown_over_a_month(build: Build) -> None:
    start, end, drop = _flag(
        build, "post_target_slowdown|E16|2026-03", "period_start", "period_end", "measured_value"
    )
    assert (start, end) == (date(2026, 3, 1), date(2026, 3, 31))
    assert drop == pytest.approx(0.9)
    assert _evidence(build, "post_target_slowdown|E16|2026-03") == (
        "reached the 22 h monthly billable goal at 2026-03-04 15:00 local; billed 1 h per "
        "hour worked before (22 h worked), 0.1 after (10 h worked): 90% slower, in a run of "
        "1 such month (31 days); flagged from 40% slower over 2 weeks"
    )


def test_post_target_slowdown_over_a_quarter(build: Build) -> None:
    assert _flag(build, "post_target_slowdown|E18|2026-Q1", "period_start", "period_end") == (
        date(2026, 1, 1),
        date(2026, 3, 31),
    )
    assert _evidence(build, "post_target_slowdown|E18|2026-Q1") == (
        "reached the 63 h quarterly billable goal at 2026-01-14 16:00 local; billed 1 h per "
        "hour worked before (63 h worked), 0.1 after (10 h worked): 90% slower, in a run of "
        "1 such quarter (90 days); flagged from 40% slower over 2 weeks"
    )


def test_billable_goals_add_up_the_available_hours_of_their_period(build: Build) -> None:
    goals = dict(
        _query(
            build.folder,
            "select goal_period_id, goal_hours from intermediate.int_engineer_goal_periods"
            " where goal_period_id in ('E13|2026-W06', 'E16|2026-03', 'E17|2026-03',"
            " 'E18|2026-Q1', 'E10|2026-02')",
        )
    )
    # 2 h a weekday x 50 %: a week 5 h, March 22 h, the first quarter 63 h; E10 (40 h
    # a week, 50 %): 20 weekdays of 8 h in February, 80 h.
    assert goals == {
        "E13|2026-W06": 5.0,
        "E16|2026-03": 22.0,
        "E17|2026-03": 22.0,
        "E18|2026-Q1": 63.0,
        "E10|2026-02": 80.0,
    }


def test_off_hours_without_ticket(build: Build) -> None:
    assert _evidence(build, "off_hours_without_ticket|OH1") == (
        "internal work (no ticket), 17:00-17:16 local on 2026-01-13: 16 of 16 min outside "
        "the opening hours of CAL_DE; more than 15 min is flagged"
    )
    assert "(calendar closed that day)" in _evidence(build, "off_hours_without_ticket|OH4")
    assert "(holiday: Heilige Drei Koenige)" in _evidence(build, "off_hours_without_ticket|OH5")
    assert _evidence(build, "off_hours_without_ticket|OH7").startswith(
        "work on TK14B after it was closed (2026-01-18 08:50 UTC), 10:00-10:30 local"
    )
    # Two hours on the wall clock the night the clocks go forward, one hour of work.
    assert "01:30-03:30 local on 2026-03-29 (calendar closed that day): 60 of 60 min" in (
        _evidence(build, "off_hours_without_ticket|OH8")
    )


def test_vague_note(build: Build) -> None:
    assert _evidence(build, "vague_note|VN4") == (
        'an entry of 2.5 h with notes "Patched server" (14 characters); entries of 2 h or '
        "more need notes of at least 15 characters"
    )
    assert _evidence(build, "vague_note|VN5").startswith('an entry of 3 h with notes "work" (4')
    assert _evidence(build, "vague_note|VN6").startswith("an entry of 2 h with no notes;")


def test_client_and_client_local_month(build: Build) -> None:
    # 14:00 UTC on 31 January is already February in Sydney.
    assert _flag(build, "billed_over_worked|BO4", "client_id", "month") == ("C3", date(2026, 2, 1))
    assert _flag(build, "billed_over_worked|BO1", "client_id", "month") == ("C1", date(2026, 1, 1))
    # Internal work is for no client; an engineer's day may span clients.
    assert _flag(build, "off_hours_without_ticket|OH1", "client_id", "month") == (None, None)
    assert _flag(build, "excessive_day|E03|2026-01-14", "client_id", "month") == (None, None)
    # A ticket's flag: the ticket's client and month (created 1 Jan).
    assert _flag(build, "effort_outlier|E11|TKN1", "client_id", "month") == ("C1", date(2026, 1, 1))


def test_the_latest_auditor_decision_is_joined(build: Build) -> None:
    columns = ("waiver_decision", "reviewed_by", "reviewed_at", "waiver_reason")
    assert _flag(build, "billed_over_worked|BO1", *columns) == (
        "cleared",
        "auditor.b",
        datetime(2026, 2, 5, 10, tzinfo=UTC),
        "Minimum charge agreed with the client",
    )
    # Same instant: confirmed stands.
    assert _flag(build, "excessive_day|E03|2026-01-14", *columns)[:2] == ("confirmed", "auditor.b")
    assert _flag(build, "billed_over_worked|BO4", *columns) == (None, None, None, None)


def test_client_months_a_flag_concerns(build: Build) -> None:
    rows = _query(
        build.folder,
        "select flag_id, client_id, month, timeslip_count, hours_worked "
        "from main.fct_timeslip_flag_client_months "
        "where flag_id in ('excessive_day|E03|2026-01-14', 'effort_outlier|E11|TKN1', "
        "'billed_over_worked|BO4', 'off_hours_without_ticket|OH1') order by 1, 2, 3",
    )
    assert rows == [
        ("billed_over_worked|BO4", "C3", date(2026, 2, 1), 1, 1.0),
        # The ticket's own month, and the month its hours were worked in.
        ("effort_outlier|E11|TKN1", "C1", date(2026, 1, 1), 0, 0.0),
        ("effort_outlier|E11|TKN1", "C1", date(2026, 2, 1), 3, 6.0),
        # The engineer's day: both entries, for New York client C2.
        ("excessive_day|E03|2026-01-14", "C2", date(2026, 1, 1), 2, 12.02),
    ]


def _rebuild_with_rules(
    build: Build, root: Path, rules: list[tuple[str, ...]], *, unchecked: bool = False
) -> tuple[DataFolder, str, int]:
    """A copy of the build with another rules seed, rebuilt from that seed down."""
    copy = replace(
        build.folder,
        data_dir=root / "data",
        seeds_dir=root / "seeds",
        target_dir=root / "target",
        unchecked=unchecked,
    )
    shutil.copytree(build.folder.data_dir / "build", copy.data_dir / "build")
    write_seeds(copy.seeds_dir, {**SEEDS, "timeslip_rules": rules})
    completed = run_dbt(copy, "build", "--select", "timeslip_rules+")
    return copy, completed.stdout + completed.stderr, completed.returncode


def test_switched_off_rules_raise_nothing(build: Build, tmp_path: Path) -> None:
    rules = [
        (rule_id, "true" if rule_id == "billed_over_worked" else "false", *rest)
        for rule_id, _, *rest in RULES
    ]
    copy, output, returncode = _rebuild_with_rules(build, tmp_path, rules)
    assert returncode == 0, output[-3000:]
    assert _flags(copy) == {("billed_over_worked", "BO1"), ("billed_over_worked", "BO4")}


def test_a_rule_switched_on_without_its_threshold_fails_the_build(
    build: Build, tmp_path: Path
) -> None:
    """It would compare with null and flag nothing, silently: a run refuses such reference
    data before building; were it built, the build would fail too, naming the rule and
    threshold, and the flags would not be rebuilt."""
    rules = [
        ("vague_note", "true", "warn", "2", "", "", "No second threshold.")
        if rule[0] == "vague_note"
        else rule
        for rule in RULES
    ]
    copy, output, returncode = _rebuild_with_rules(build, tmp_path, rules, unchecked=True)
    assert validate_folder(copy.seeds_dir).lines() == [
        "timeslip_rules.csv line 14, column secondary_threshold: rule vague_note is enabled "
        "and needs a secondary_threshold"
    ]
    assert returncode == 1
    assert "Failure in test assert_enabled_timeslip_rules_have_their_thresholds" in output
    assert "Got 1 result" in output
