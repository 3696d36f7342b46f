"""The gate's decision and how dbt's results become check results."""

from __future__ import annotations

from orchestration.quality.gate import RULE_CHECKS, build_recorded, decide, quality_gate
from orchestration.quality.results import CheckResult
from orchestration.warehouse.assets import dbt_results
from orchestration.warehouse.timeslip_rules import timeslip_rules

MANIFEST = {
    "nodes": {
        "model.x.fct_tickets": {"resource_type": "model", "name": "fct_tickets"},
        "model.x.dim_clients": {"resource_type": "model", "name": "dim_clients"},
        "seed.x.clients": {"resource_type": "seed", "name": "clients"},
        "test.x.unique_fct_tickets_ticket_id": {
            "resource_type": "test",
            "name": "unique_fct_tickets_ticket_id",
            "attached_node": "model.x.fct_tickets",
            "config": {"severity": "ERROR"},
        },
        "test.x.relationships_events": {
            "resource_type": "test",
            "name": "relationships_events",
            "attached_node": "model.x.stg_psa__ticket_events",
            "config": {"severity": "warn"},
        },
    },
    "unit_tests": {
        "unit_test.x.fct_tickets.counts": {
            "resource_type": "unit_test",
            "name": "counts",
            "model": "model.x.fct_tickets",
        }
    },
}


def _run_results(**statuses: tuple[str, int]) -> dict:
    return {
        "results": [
            {"unique_id": uid, "status": status, "failures": failures, "message": "m"}
            for uid, (status, failures) in {
                "seed.x.clients": ("success", 0),
                "model.x.fct_tickets": ("success", 0),
                "model.x.dim_clients": statuses.get("dim_clients", ("success", 0)),
                "test.x.unique_fct_tickets_ticket_id": statuses.get("unique", ("pass", 0)),
                "test.x.relationships_events": statuses.get("relationships", ("pass", 0)),
                "unit_test.x.fct_tickets.counts": statuses.get("unit", ("pass", 0)),
            }.items()
        ]
    }


def _by_name(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.check_name: r for r in results}


def test_all_passing_dbt_build() -> None:
    results = _by_name(dbt_results(_run_results(), MANIFEST))
    assert set(results) == {
        "unique_fct_tickets_ticket_id",
        "relationships_events",
        "counts",
        "dbt_build_complete",
    }
    assert all(r.passed for r in results.values())
    assert results["unique_fct_tickets_ticket_id"].target == "fct_tickets"
    assert results["dbt_build_complete"].detail == "3 of 3 models and seeds built"
    assert decide(list(results.values())).passed


def test_a_warn_test_that_fails_is_published_for_review() -> None:
    results = dbt_results(_run_results(relationships=("warn", 4)), MANIFEST)
    failing = [r for r in results if not r.passed]
    assert [(r.check_name, r.severity, r.failing_count) for r in failing] == [
        ("relationships_events", "warn", 4)
    ]
    decision = decide(results)
    assert decision.passed
    assert [w.check_name for w in decision.warnings] == ["relationships_events"]


def test_a_failing_error_test_and_a_skipped_model_block_publication() -> None:
    results = dbt_results(_run_results(unique=("fail", 2), dim_clients=("skipped", 0)), MANIFEST)
    decision = decide(results)
    assert not decision.passed
    assert {r.check_name for r in decision.blocking} == {
        "unique_fct_tickets_ticket_id",
        "dbt_build_complete",
    }
    assert _by_name(results)["dbt_build_complete"].sample_keys == ("dim_clients (skipped)",)
    assert decision.line().startswith("quality gate blocked publication: 2 error checks failed")


def test_a_failing_unit_test_blocks() -> None:
    decision = decide(dbt_results(_run_results(unit=("fail", 1)), MANIFEST))
    assert [r.check_name for r in decision.blocking] == ["counts"]


def test_a_run_without_its_own_dbt_results_is_blocked() -> None:
    """The build file could be an earlier run's: the gate must not publish it as new."""
    missing = build_recorded([])
    assert missing.blocks
    built = CheckResult("dbt_build_complete", "warehouse", "error", True)
    assert build_recorded([built]).passed


def test_a_check_per_timeslip_rule_the_dbt_project_declares() -> None:
    names = {f"timeslip_rule_{rule_id}" for rule_id in timeslip_rules()}
    assert set(RULE_CHECKS) == names
    assert names <= {spec.name for spec in quality_gate.check_specs}
