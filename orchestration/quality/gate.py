"""The quality gate between the build and the publication.

It reconciles the layers (every landed row is in the lake or quarantine; the tickets of
the lake are the tickets of `fct_tickets`; ...), records those results beside the ingest
checks and dbt tests of the same run, and decides: publication goes ahead only if no
`error` check failed.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import dagster as dg
import duckdb
from dagster import AssetExecutionContext

from orchestration.config import Settings, sql_literal
from orchestration.contract import LANDING_EXTRACTS
from orchestration.ingest import ledger
from orchestration.ingest.assets import ingest_landing_files
from orchestration.ingest.landing import QUARANTINE_DIR
from orchestration.quality import results
from orchestration.resources import XlaRun, say
from orchestration.warehouse.assets import warehouse_models

GATE_KEY = dg.AssetKey(["audit", "quality_gate"])
# The lake folders that hold tickets, and the columns that identify a ticket in each: a
# ServiceNow incident number is unique only within the client's instance.
TICKET_IDENTITIES = {
    "tickets": ("ticket_id",),
    "servicenow_incidents": ("_client_id", "number"),
}
RECONCILIATIONS = {
    "lake_row_conservation": "lake",
    "tickets_reconcile": "fct_tickets",
    "quarantine_reconcile": "quarantine_rows",
    "as_of_known": "run_parameters",
}


@dataclass(frozen=True)
class GateDecision:
    """Whether this run may publish, and why not."""

    passed: bool
    checks: int
    blocking: list[results.CheckResult]
    warnings: list[results.CheckResult]

    def line(self) -> str:
        if self.passed:
            return f"quality gate passed: {self.checks} checks, {len(self.warnings)} warnings"
        names = ", ".join(f"{c.check_name} on {c.target}" for c in self.blocking[:5])
        more = f" and {len(self.blocking) - 5} more" if len(self.blocking) > 5 else ""
        failed = len(self.blocking)
        return f"quality gate blocked publication: {failed} error checks failed: {names}{more}"


def decide(run_results: list[results.CheckResult]) -> GateDecision:
    """The gate's decision over every check result of a run."""
    # The checks that ran and failed first; those not run for want of a model after.
    blocking = sorted((r for r in run_results if r.blocks), key=lambda r: r.not_run)
    warnings = [r for r in run_results if r.severity == "warn" and not r.passed]
    return GateDecision(not blocking, len(run_results), blocking, warnings)


def _glob(settings: Settings, folder: str) -> str:
    return sql_literal(settings.lake_dir / folder / "*.parquet")


def reconcile(settings: Settings) -> list[results.CheckResult]:
    """Counts that must agree between the ledger, the lake and the built warehouse."""
    entries = ledger.load(settings).values()
    con = duckdb.connect()
    try:
        count = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        lake_rows = sum(
            count(f"select count(*) from read_parquet({_glob(settings, e)})")
            for e in LANDING_EXTRACTS
        )
        quarantined = count(f"select count(*) from read_parquet({_glob(settings, QUARANTINE_DIR)})")
        lake_tickets = sum(
            count(
                f"select count(distinct ({', '.join(columns)})) "
                f"from read_parquet({_glob(settings, folder)})"
            )
            for folder, columns in TICKET_IDENTITIES.items()
        )
        rows_in = sum(e.rows_in for e in entries)
        found = [
            results.CheckResult(
                "lake_row_conservation",
                "lake",
                "error",
                rows_in == lake_rows + quarantined,
                failing_count=abs(rows_in - lake_rows - quarantined),
                detail=(
                    f"{len(entries)} files: {rows_in} rows in = "
                    f"{lake_rows} lake + {quarantined} quarantine"
                ),
            )
        ]
        con.execute(f"attach {sql_literal(settings.build_db)} as build (read_only)")
        tables = {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_catalog = 'build'"
            ).fetchall()
        }

        def table_count(name: str, sql: str) -> int | None:
            return count(sql) if name in tables else None

        built_tickets = table_count("fct_tickets", "select count(*) from build.fct_tickets")
        published_quarantine = table_count(
            "quarantine_rows", "select count(*) from build.quarantine_rows"
        )
        as_of_rows = table_count(
            "run_parameters", "select count(*) from build.run_parameters where as_of is not null"
        )
    finally:
        con.close()
    found.append(
        _agree(
            "tickets_reconcile",
            "fct_tickets",
            lake_tickets,
            built_tickets,
            "distinct tickets in the lake",
        )
    )
    found.append(
        _agree(
            "quarantine_reconcile",
            "quarantine_rows",
            quarantined,
            published_quarantine,
            "quarantined rows in the lake",
        )
    )
    found.append(_agree("as_of_known", "run_parameters", 1, as_of_rows, "one as_of instant"))
    return found


def _agree(
    name: str, target: str, expected: int, actual: int | None, what: str
) -> results.CheckResult:
    if actual is None:
        return results.CheckResult(
            name, target, "error", False, 1, detail=f"{target} was not built"
        )
    return results.CheckResult(
        name,
        target,
        "error",
        expected == actual,
        failing_count=abs(expected - actual),
        detail=f"{expected} {what}, {actual} in {target}",
    )


# The gate must run after every dbt build, also one whose failed tests made dbt skip
# some models. Dagster skips a step when an upstream asset it depends on was not
# materialized, so the gate depends on what every run materializes: the ingest assets,
# and the seeds, which dbt loads first in its single step, so the gate still runs after
# the whole build.
GATE_DEPS = [
    *ingest_landing_files.keys,
    *(key for key in warehouse_models.keys if key.path[0] == "reference"),
]


@dg.asset(
    key=GATE_KEY,
    deps=sorted(GATE_DEPS, key=lambda key: key.to_user_string()),
    group_name="quality",
    description="Reconciles the layers and decides whether this run may publish.",
    check_specs=[
        dg.AssetCheckSpec(name, asset=GATE_KEY, description=f"Reconciliation against {target}.")
        for name, target in RECONCILIATIONS.items()
    ],
)
def quality_gate(
    context: AssetExecutionContext, xla: XlaRun
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    settings = xla.settings()
    own = reconcile(settings)
    results.record(settings, context.run_id, "gate", own)
    decision = decide(results.for_run(settings, context.run_id))
    for check in own:
        if not check.passed:
            say(context, f"  {check.line()}")
    say(context, decision.line())
    yield dg.MaterializeResult(
        metadata={
            "passed": decision.passed,
            "checks": decision.checks,
            "blocking": len(decision.blocking),
            "warnings": len(decision.warnings),
        }
    )
    for check in own:
        yield results.to_dagster(check, asset_key=GATE_KEY)


defs = dg.Definitions(assets=[quality_gate])
