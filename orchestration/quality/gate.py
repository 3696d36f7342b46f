"""The quality gate between the build and the publication.

It reconciles the layers (every landed row is in the lake or quarantine; the tickets of
the lake are the tickets of `fct_tickets`; ...), records those results beside the ingest
checks and dbt tests of the same run, and decides: publication goes ahead only if no
`error` check failed.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

import dagster as dg
from dagster import AssetExecutionContext

from orchestration import engine
from orchestration.config import Settings
from orchestration.contract import LANDING_EXTRACTS
from orchestration.engine import lake
from orchestration.faults import maybe_crash
from orchestration.ingest import ledger
from orchestration.ingest.assets import ingest_landing_files
from orchestration.ingest.landing import QUARANTINE_DIR
from orchestration.publish import closed_months
from orchestration.quality import results
from orchestration.reference import snapshot
from orchestration.resources import XlaRun, say
from orchestration.warehouse.assets import layer, warehouse_models
from orchestration.warehouse.timeslip_rules import timeslip_rules

GATE_KEY = dg.AssetKey(["audit", "quality_gate"])
# The lake folders that hold tickets, and the columns that identify a ticket in each: a
# ServiceNow incident number is unique only within the client's instance.
TICKET_IDENTITIES = {
    "tickets": ("ticket_id",),
    "servicenow_incidents": ("_client_id", "number"),
}
RECONCILIATIONS = {
    "dbt_build_recorded": "warehouse",
    "lake_row_conservation": "lake",
    "tickets_reconcile": "fct_tickets",
    "quarantine_reconcile": "quarantine_rows",
    "as_of_known": "run_parameters",
}
# Tickets of a client the reference data does not hold wait in `held_tickets`: a `warn`
# check, since every other ticket and client is published as usual.
HELD_TICKETS_CHECK = "tickets_of_unknown_clients"
# The timeslip rules the warehouse implements, as the dbt project's rule models declare
# them. Each is a `warn` check of the gate: its flags never block the whole publication;
# an `error` flag no auditor cleared holds the client-months it concerns
# (`publication_holds`), whose reports are not published.
TIMESLIP_RULES = tuple(timeslip_rules())
RULE_CHECKS = {f"timeslip_rule_{rule}": "fct_timeslip_flags" for rule in TIMESLIP_RULES}
HELD = re.compile(r"(\d+) client-months held")


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


def reconcile(settings: Settings) -> list[results.CheckResult]:
    """Counts that must agree between the ledger, the lake and the built warehouse.

    The lake's side is counted in its Parquet files, whatever engine built the
    warehouse; the warehouse's side is asked of the engine."""
    entries = ledger.load(settings).values()
    lake_rows = sum(lake.row_count(settings.lake_dir / e) for e in LANDING_EXTRACTS)
    quarantined = lake.row_count(settings.lake_dir / QUARANTINE_DIR)
    lake_tickets = sum(
        lake.distinct_count(settings.lake_dir / folder, columns)
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
    with engine.current(settings).reader() as build:
        tables = build.tables()

        def table_count(name: str, sql: str) -> int | None:
            return int(build.query(sql)[0][0]) if name in tables else None

        built_tickets = table_count("fct_tickets", "select count(*) from fct_tickets")
        held = _held_tickets(build, tables)
        published_quarantine = table_count(
            "quarantine_rows", "select count(*) from quarantine_rows"
        )
        as_of_rows = table_count(
            "run_parameters", "select count(*) from run_parameters where as_of is not null"
        )
        rule_checks = _timeslip_rule_checks(build, tables)
    tickets = _agree(
        "tickets_reconcile",
        "fct_tickets",
        lake_tickets,
        built_tickets,
        "distinct tickets in the lake",
    )
    if built_tickets is not None and held.failing_count:
        # The lake's tickets are those built and those held for want of their client.
        counted = built_tickets + held.failing_count
        tickets = replace(
            tickets,
            passed=lake_tickets == counted,
            failing_count=abs(lake_tickets - counted),
            detail=f"{tickets.detail} + {held.failing_count} in held_tickets",
        )
    found.append(tickets)
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
    return [*found, held, *rule_checks]


def _held_tickets(build: engine.Reader, tables: set[str]) -> results.CheckResult:
    """The tickets held for want of their client in the reference data: how many, the
    clients they name, and the first five of them."""
    if "held_tickets" not in tables:
        return results.CheckResult(
            HELD_TICKETS_CHECK, "held_tickets", "warn", False, 0, detail=results.NOT_RUN
        )
    rows = build.query(
        "select ticket_id, client_id from held_tickets order by client_id, ticket_id"
    )
    clients = sorted({str(client) for _, client in rows})
    named = ", ".join(clients[:5]) + (f" and {len(clients) - 5} more" if len(clients) > 5 else "")
    return results.CheckResult(
        HELD_TICKETS_CHECK,
        "held_tickets",
        "warn",
        not rows,
        failing_count=len(rows),
        sample_keys=tuple(str(ticket) for ticket, _ in rows[:5]),
        detail=(
            f"{len(rows)} tickets held: clients.csv does not hold {named}; they are "
            "built in by the first run after the client is added"
            if rows
            else "every ticket's client is in clients.csv"
        ),
    )


# Per rule: the first five subjects of the flags no auditor cleared.
_OPEN_SUBJECTS = """
    select rule_id, subject_id
    from (
        select
            rule_id,
            subject_id,
            row_number() over (partition by rule_id order by subject_id nulls last) as n
        from fct_timeslip_flags
        where coalesce(waiver_decision, '') <> 'cleared'
    ) as ranked
    where n <= 5
    order by rule_id, n
"""
_OUTCOMES = "fct_timeslip_rule_outcomes"


def _timeslip_rule_checks(build: engine.Reader, tables: set[str]) -> list[results.CheckResult]:
    """One `warn` check per timeslip rule: its flags not cleared by an auditor, and the
    client-months its `error` flags hold. Not run when the flags were not built (the
    build's own checks say why)."""
    if not {"fct_timeslip_flags", _OUTCOMES} <= tables:
        return [
            results.CheckResult(name, target, "warn", False, 0, detail=results.NOT_RUN)
            for name, target in RULE_CHECKS.items()
        ]
    subjects: dict[str, list[str]] = {}
    for rule, subject in build.query(_OPEN_SUBJECTS):
        subjects.setdefault(rule, []).append(subject)
    found = {rule: (0, 0, "", 0) for rule in TIMESLIP_RULES}
    found.update(
        {
            rule: (int(flags), int(open_flags), severity, int(held))
            for rule, flags, open_flags, severity, held in build.query(
                f"select rule_id, flags, open_flags, severity, held_client_months from {_OUTCOMES}"
            )
        }
    )
    checks = []
    for rule, (flags, open_flags, severity, held) in sorted(found.items()):
        detail = f"{flags} flags, {flags - open_flags} cleared by an auditor"
        if held:
            detail += f"; {held} client-months held (error flags not cleared)"
        elif open_flags and severity == "warn":
            detail += "; published for review"
        checks.append(
            results.CheckResult(
                f"timeslip_rule_{rule}",
                "fct_timeslip_flags",
                "warn",
                open_flags == 0,
                failing_count=open_flags,
                sample_keys=tuple(subjects.get(rule, [])),
                detail=detail,
            )
        )
    return checks


def build_recorded(run_results: list[results.CheckResult]) -> results.CheckResult:
    """The build the gate reads must be this run's: without this run's dbt results, the
    build file may be an earlier run's, and its tables must not be published as new."""
    recorded = any(r.check_name == "dbt_build_complete" for r in run_results)
    return results.CheckResult(
        "dbt_build_recorded",
        "warehouse",
        "error",
        recorded,
        failing_count=0 if recorded else 1,
        detail="this run's dbt build recorded its results"
        if recorded
        else "this run recorded no dbt build: the build file may be an earlier run's",
    )


def _rules_line(checks: list[results.CheckResult]) -> str:
    """The timeslip rules in one line: open flags per rule and the client-months held."""
    rules = [c for c in checks if c.check_name in RULE_CHECKS and not c.not_run]
    if not rules:
        return "timeslip rules: not run (the flags were not built)"
    flagged = [c for c in rules if c.failing_count]
    held = sum(int(m.group(1)) for c in rules if (m := HELD.search(c.detail)))
    if not flagged:
        return "timeslip rules: no open flags"
    per_rule = ", ".join(
        f"{c.check_name.removeprefix('timeslip_rule_')} {c.failing_count}" for c in flagged
    )
    return (
        f"timeslip rules: {sum(c.failing_count for c in flagged)} open flags ({per_rule}); "
        f"{held} client-months held"
    )


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


def _weighed() -> list[dg.AssetKey]:
    """What the gate depends on: the ingest assets (it reconciles the lake and the
    quarantine) and the dbt models whose tests it weighs: every mart, and every model no
    other model reads, so that every model and seed is upstream of the gate. dbt tests
    never stop a model being built (the build runs its tests after every model), so these
    are materialized whenever dbt could build them, and the gate runs after the build."""
    read = set().union(*warehouse_models.asset_deps.values())
    models = [
        spec.key
        for spec in warehouse_models.specs
        if layer(spec) == "marts" or spec.key not in read
    ]
    return sorted({*ingest_landing_files.keys, *models}, key=lambda key: key.to_user_string())


@dg.asset(
    key=GATE_KEY,
    deps=_weighed(),
    group_name="quality",
    description="Reconciles the layers and decides whether this run may publish.",
    check_specs=[
        *(
            dg.AssetCheckSpec(name, asset=GATE_KEY, description=f"Reconciliation against {target}.")
            for name, target in RECONCILIATIONS.items()
        ),
        *(
            dg.AssetCheckSpec(
                name,
                asset=GATE_KEY,
                description=(
                    f"Timeslip rule {name.removeprefix('timeslip_rule_')}: flags not cleared "
                    "by an auditor; error flags hold the client-months they concern."
                ),
            )
            for name in RULE_CHECKS
        ),
        dg.AssetCheckSpec(
            closed_months.CHECK_NAME,
            asset=GATE_KEY,
            description=(
                "Restatements of closed, reported client-months beyond the threshold of "
                "msp_settings.csv and not approved in restatement_approvals.csv (warn, or "
                "error where the MSP set restatement_severity)."
            ),
        ),
        dg.AssetCheckSpec(
            HELD_TICKETS_CHECK,
            asset=GATE_KEY,
            description=(
                "Tickets held in held_tickets: their client is not in clients.csv (warn; "
                "everything else is published)."
            ),
        ),
    ],
)
def quality_gate(
    context: AssetExecutionContext, xla: XlaRun
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    settings = xla.settings()
    say(context, "Quality gate: reconciling the layers and weighing every check of the run")
    own = [
        *reconcile(settings),
        build_recorded(results.for_run(settings, context.run.run_id)),
        closed_months.evaluate(settings, snapshot.for_run(settings, context.run.run_id).folder),
    ]
    maybe_crash("gate.mid_checks")
    results.record(settings, context.run.run_id, "gate", own)
    decision = decide(results.for_run(settings, context.run.run_id))
    for check in own:
        if not check.passed and check.check_name not in RULE_CHECKS:
            say(context, f"  {check.line()}")
    say(context, _rules_line(own))
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
