"""When a changed figure of a reported month is a restatement, and when it is large.

Hand-worked: March of C1 was reported with resolution attainment 96.1 %, 52 tickets
opened, xla_status `met` and a P2 resolution attainment of 90 %. The threshold is 1 %.
"""

from __future__ import annotations

from orchestration.publish import closed_months
from orchestration.publish.closed_months import History, Record, Rules, compare

MARCH = ("C1", "2026-03-01")
REPORTED = {
    "resolution_attainment_pct": "96.1",
    "tickets_opened": "52",
    "xla_status": "met",
    "sla_policy_attainment_pct[P2 resolution]": "90.0",
}


def _past(*restated: dict[str, object]) -> History:
    reported = [
        {"client_id": "C1", "month": "2026-03-01", "figure": f, "value": v}
        for f, v in REPORTED.items()
    ]
    records = [Record("run-1", reported=reported)]
    if restated:
        records.append(Record("run-2", restatements=list(restated)))
    return History(records, {"run-1": "2026-04-09T06:00:00+00:00"})


def _rules(approved: frozenset[tuple[str, str, str]] = frozenset()) -> Rules:
    return Rules(threshold_pct=1.0, severity="warn", close_business_days=5, approved=approved)


def test_equal_figures_restate_nothing_and_a_new_month_is_reported() -> None:
    april = {"resolution_attainment_pct": "100.0"}
    found = compare({MARCH: REPORTED, ("C1", "2026-04-01"): april}, _past(), _rules())
    assert found.restatements == []
    assert found.reported == [
        {
            "client_id": "C1",
            "month": "2026-04-01",
            "figure": "resolution_attainment_pct",
            "value": "100.0",
        }
    ]


def test_each_changed_figure_is_one_restatement_judged_against_the_threshold() -> None:
    # 96.1 -> 95.5 is 0.62 % of 96.1: small. 52 -> 53 is 1.92 %: large. met -> missed is
    # not a number: large. The P2 policy lost its clocks: from 90.0 to no figure, large.
    current = {
        "resolution_attainment_pct": "95.5",
        "tickets_opened": "53",
        "xla_status": "missed",
    }
    found = compare({MARCH: current}, _past(), _rules())
    by_figure = {r.figure: r for r in found.restatements}
    assert sorted(by_figure) == [
        "resolution_attainment_pct",
        "sla_policy_attainment_pct[P2 resolution]",
        "tickets_opened",
        "xla_status",
    ]
    resolution = by_figure["resolution_attainment_pct"]
    assert (resolution.reported_value, resolution.new_value) == ("96.1", "95.5")
    assert round(resolution.change_pct or 0, 2) == 0.62
    assert not resolution.is_large
    assert by_figure["tickets_opened"].is_large
    assert round(by_figure["tickets_opened"].change_pct or 0, 2) == 1.92
    assert by_figure["xla_status"].is_large and by_figure["xla_status"].change_pct is None
    gone = by_figure["sla_policy_attainment_pct[P2 resolution]"]
    assert (gone.new_value, gone.is_large) == (None, True)
    check = closed_months.check(found, _rules())
    assert (check.passed, check.failing_count, check.severity) == (False, 3, "warn")


def test_an_approval_clears_a_large_restatement_and_the_last_statement_is_compared() -> None:
    # A second publication already restated tickets_opened to 53: 53 again is no change.
    earlier = {
        "client_id": "C1",
        "month": "2026-03-01",
        "figure": "tickets_opened",
        "reported_value": "52",
        "reported_run_id": "run-1",
        "new_value": "53",
        "run_id": "run-2",
    }
    past = _past(earlier)
    past.published_at["run-2"] = "2026-04-20T06:00:00+00:00"
    current = {**REPORTED, "tickets_opened": "53", "xla_status": "missed"}
    approved = frozenset({("C1", "2026-03", "xla_status")})
    found = compare({MARCH: current}, past, _rules(approved))
    assert [(r.figure, r.reported_run_id, r.is_approved) for r in found.restatements] == [
        ("xla_status", "run-1", True)
    ]
    check = closed_months.check(found, Rules(1.0, "error", 5, approved))
    assert (check.passed, check.severity) == (True, "error")


def test_a_restatement_reads_as_the_review_says_it() -> None:
    restated = closed_months.Restatement(
        client_id="C1",
        month="2026-03-01",
        figure="resolution_attainment_pct",
        reported_value="96.1",
        reported_run_id="run-1",
        new_value="94.8",
        cause="tickets_20260405.csv arrived",
    )
    assert restated.sentence() == (
        "March 2026: resolution SLA attainment restated from 96.1% to 94.8% "
        "after tickets_20260405.csv arrived"
    )


def test_the_cause_names_what_changed_between_two_publications() -> None:
    before = {
        "inputs": [{"file": "tickets_20260331.csv", "sha256": "a"}],
        "seeds": {"holidays.csv": "h1", "clients.csv": "c1"},
        "code_version": "1.0+abc",
    }
    after = {
        "inputs": [
            {"file": "tickets_20260331.csv", "sha256": "a"},
            {"file": "tickets_20260413.csv", "sha256": "b"},
        ],
        "seeds": {"holidays.csv": "h2", "clients.csv": "c1"},
        "code_version": "1.0+def",
    }
    assert closed_months.cause(before, after) == (
        "tickets_20260413.csv arrived; holidays.csv changed; the code changed (1.0+abc to 1.0+def)"
    )
    assert closed_months.cause(before, before) == "nothing recorded changed"


def test_a_review_tells_the_headline_figures_and_counts_the_rest() -> None:
    def restated(figure: str, old: str, new: str) -> closed_months.Restatement:
        return closed_months.Restatement("C1", "2026-03-01", figure, old, "run-1", new)

    lines = closed_months.told(
        [
            restated("resolution_clocks_met", "3", "4"),
            restated("resolution_attainment_pct", "75.0", "100.0"),
            restated("sla_policy_attainment_pct[P3 resolution]", "75.0", "100.0"),
        ]
    )
    assert lines == [
        "March 2026: resolution SLA attainment restated from 75.0% to 100.0%",
        "March 2026: 2 more figures restated with them (the warehouse's restatements list each)",
    ]


def test_a_column_added_since_the_month_was_reported_is_reported_now_not_restated() -> None:
    # The warehouse gained `response_rate_pct` after March was reported; a P1 policy's
    # clocks arrived late. The column is first reported by this publication; the policy
    # was an empty figure before: restated from empty, large.
    current = {
        **REPORTED,
        "response_rate_pct": "25.0",
        "sla_policy_attainment_pct[P1 resolution]": "100.0",
    }
    found = compare({MARCH: current}, _past(), _rules())
    assert found.reported == [
        {"client_id": "C1", "month": "2026-03-01", "figure": "response_rate_pct", "value": "25.0"}
    ]
    assert [(r.figure, r.reported_value, r.new_value, r.is_large) for r in found.restatements] == [
        ("sla_policy_attainment_pct[P1 resolution]", None, "100.0", True)
    ]
    # Once reported, the added column is a figure like the others: a change restates it.
    later = compare(
        {MARCH: {**current, "response_rate_pct": "30.0"}},
        History([*_past().records, Record("run-2", reported=found.reported)], {}),
        _rules(),
    )
    assert [(r.figure, r.reported_value, r.new_value) for r in later.restatements] == [
        ("response_rate_pct", "25.0", "30.0"),
        ("sla_policy_attainment_pct[P1 resolution]", None, "100.0"),
    ]
