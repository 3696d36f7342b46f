"""The KPI and XLA marts built once on a hand-countable data folder, checked end to end.

The rows behind each expected value are in `kpi_fixtures.py`. Nothing here depends on
the values of the SLA clocks: the checks read tickets, timeslips, surveys and targets.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import pytest
from dbt_fixtures import DataFolder, run_dbt
from kpi_fixtures import make_kpi_data_folder

KPI_MODELS = ("fct_engineer_days", "fct_client_months", "client_month", "engineer_days")
KPI_UNIT_TESTS = {
    "utilization_is_billed_over_available_hours",
    "available_hours_spread_the_week_and_lose_holidays_and_leave",
    "follow_up_is_due_by_the_end_of_the_next_business_day",
    "happiness_and_nps_are_promoters_minus_detractors",
    "xla_targets_are_judged_only_with_enough_responses",
    "sla_attainment_is_met_over_stopped_clocks_per_policy",
    "ticket_kpis_count_by_month_opened_and_month_resolved",
    "client_months_run_from_contract_or_history_start_to_as_of",
    "watermelon_is_sla_met_with_xla_missed",
    "ticket_kpis_first_contact_resolution_reopens_and_resolution_times",
}


@dataclass(frozen=True)
class Build:
    """A finished `dbt build` and its results."""

    folder: DataFolder
    output: str
    returncode: int
    run_results: dict[str, Any]

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        con = duckdb.connect(str(self.folder.warehouse), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """Build the warehouse once for the module."""
    folder = make_kpi_data_folder(tmp_path_factory.mktemp("kpi_build"))
    completed = run_dbt(folder, "build")
    results_path = folder.target_dir / "run_results.json"
    run_results = json.loads(results_path.read_text()) if results_path.exists() else {}
    return Build(folder, completed.stdout + completed.stderr, completed.returncode, run_results)


def test_build_passes_and_the_kpi_checks_raise_nothing(build: Build) -> None:
    assert build.returncode == 0, build.output[-3000:]
    statuses = {r["unique_id"]: r["status"] for r in build.run_results["results"]}
    failed = {k: v for k, v in statuses.items() if v not in ("success", "pass", "warn")}
    assert failed == {}
    # Not even a warning from the checks on the KPI marts: every ticket has its month,
    # every engineer day its engineer.
    kpi_warnings = {
        k: v for k, v in statuses.items() if v == "warn" and any(name in k for name in KPI_MODELS)
    }
    assert kpi_warnings == {}


def test_the_formula_unit_tests_ran_and_passed(build: Build) -> None:
    unit = {
        r["unique_id"].split(".")[-1]: r["status"]
        for r in build.run_results["results"]
        if r["unique_id"].startswith("unit_test.")
    }
    assert {name: unit.get(name) for name in KPI_UNIT_TESTS} == dict.fromkeys(
        KPI_UNIT_TESTS, "pass"
    )


def test_engineer_days_cover_every_scheduled_day_and_every_booked_day(build: Build) -> None:
    rows = build.query(
        "select engineer_id, work_date, is_scheduled_day, is_holiday, is_working_day, "
        "contracted_hours, leave_hours, available_hours, hours_worked, hours_billed, "
        "billable_utilization_pct, tickets_touched, timeslip_count, flag_count "
        "from fct_engineer_days order by engineer_id, work_date"
    )
    d = date
    assert rows == [
        # 40 h over five 8-hour days; S1: 1.5 h billed of 8 available.
        ("E1", d(2024, 3, 4), True, False, True, 8.0, 0.0, 8.0, 1.5, 1.5, 18.75, 1, 1, 0),
        # 4 h of leave; S3 is Do Not Bill, so 2 h billed of 4 available.
        ("E1", d(2024, 3, 5), True, False, True, 8.0, 4.0, 4.0, 3.0, 2.0, 50.0, 1, 2, 0),
        # Days without timeslips are reported: 0 %.
        ("E1", d(2024, 3, 6), True, False, True, 8.0, 0.0, 8.0, 0.0, 0.0, 0.0, 0, 0, 0),
        ("E1", d(2024, 3, 7), True, False, True, 8.0, 0.0, 8.0, 0.0, 0.0, 0.0, 0, 0, 0),
        # The company holiday: nothing available, no utilization.
        ("E1", d(2024, 3, 8), True, True, False, 8.0, 0.0, 0.0, 0.0, 0.0, None, 0, 0, 0),
        # Internal work on a Saturday: a day off with an hour worked.
        ("E1", d(2024, 3, 9), False, False, False, 0.0, 0.0, 0.0, 1.0, 0.0, None, 0, 1, 0),
        ("E1", d(2024, 3, 11), True, False, True, 8.0, 0.0, 8.0, 0.0, 0.0, 0.0, 0, 0, 0),
        # The local date of as_of.
        ("E1", d(2024, 3, 12), True, False, True, 8.0, 0.0, 8.0, 0.0, 0.0, 0.0, 0, 0, 0),
        # 20 h over five days of two windows (8 h open): 4 h a day, from the start date.
        ("E2", d(2024, 3, 6), True, False, True, 4.0, 0.0, 4.0, 0.0, 0.0, 0.0, 0, 0, 0),
        ("E2", d(2024, 3, 7), True, False, True, 4.0, 0.0, 4.0, 2.0, 1.0, 25.0, 1, 1, 0),
        ("E2", d(2024, 3, 8), True, False, True, 4.0, 0.0, 4.0, 0.0, 0.0, 0.0, 0, 0, 0),
        ("E2", d(2024, 3, 11), True, False, True, 4.0, 0.0, 4.0, 0.0, 0.0, 0.0, 0, 0, 0),
        ("E2", d(2024, 3, 12), True, False, True, 4.0, 0.0, 4.0, 0.0, 0.0, 0.0, 0, 0, 0),
    ]
    assert build.query(
        "select engineer_day_id from fct_engineer_days where work_date = '2024-03-07' order by 1"
    ) == [("E1|2024-03-07",), ("E2|2024-03-07",)]


def test_ticket_kpis(build: Build) -> None:
    rows = build.query(
        "select ticket_id, resolved_month, is_reopened, is_first_contact_resolution, "
        "calendar_resolution_minutes, effort_hours, csat_score from fct_tickets order by 1"
    )
    assert rows == [
        ("T1", date(2024, 3, 1), False, True, 90, 1.5, 2),
        ("T2", date(2024, 3, 1), True, False, 2880, 3.0, 9),
        ("T3", None, False, None, None, 2.0, 3),
    ]


def test_client_months_run_from_contract_or_history_start_to_as_of(build: Build) -> None:
    rows = build.query(
        "select client_id, month, is_month_complete from fct_client_months order by 1, 2"
    )
    assert rows == [
        ("C1", date(2024, 1, 1), True),
        ("C1", date(2024, 2, 1), True),
        ("C1", date(2024, 3, 1), False),
        ("C2", date(2024, 2, 1), True),
        ("C2", date(2024, 3, 1), False),
        ("C3", date(2024, 1, 1), True),
        ("C3", date(2024, 2, 1), True),
    ]
    # Every ticket is counted in exactly one month.
    assert build.query("select sum(tickets_opened) from fct_client_months") == [(3,)]


def test_client_month_kpis_and_xla(build: Build) -> None:
    columns = (
        "tickets_opened, tickets_resolved, first_contact_resolution_pct, reopen_rate_pct, "
        "csat_responses, happiness, negative_responses, negatives_followed_up_on_time, "
        "negative_follow_up_pct, happiness_target_status, follow_up_target_status, xla_status"
    )
    month = build.query(
        f"select {columns} from fct_client_months where client_id = 'C1' and month = '2024-03-01'"
    )
    # T1 at first contact, T2 reopened; scores 2, 5, 10, 9: happiness 100 x (2 - 2) / 4 = 0
    # misses 50; both negatives followed up by Monday's close, the Friday holiday skipped.
    assert month == [(2, 2, 50.0, 50.0, 4, 0.0, 2, 2, 100.0, "missed", "met", "missed")]
    month = build.query(
        f"select {columns} from fct_client_months where client_id = 'C2' and month = '2024-03-01'"
    )
    # One open ticket; one csat (too few for the silver target), followed up late.
    assert month == [
        (1, 0, None, None, 1, -100.0, 1, 0, 0.0, "insufficient_data", None, "insufficient_data")
    ]


def test_quiet_months_have_zero_counts_and_no_rates(build: Build) -> None:
    rows = build.query(
        "select client_id, month, tickets_opened, csat_responses, happiness, nps, "
        "first_contact_resolution_pct, median_business_resolution_minutes, sla_met, "
        "xla_status, is_watermelon from fct_client_months "
        "where client_id in ('C1', 'C3') and month < '2024-03-01' order by 1, 2"
    )
    assert rows == [
        # The nps response that begins the history: nps 100, no target for it.
        ("C1", date(2024, 1, 1), 0, 0, None, 100.0, None, None, None, "insufficient_data", False),
        ("C1", date(2024, 2, 1), 0, 0, None, None, None, None, None, "insufficient_data", False),
        ("C3", date(2024, 1, 1), 0, 0, None, None, None, None, None, "insufficient_data", False),
        ("C3", date(2024, 2, 1), 0, 0, None, None, None, None, None, "insufficient_data", False),
    ]
