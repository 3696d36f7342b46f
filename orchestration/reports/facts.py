"""The warehouse facts the service reviews show, read in one query per table.

Every number a report prints is read here from a published mart: the reports count
nothing themselves. Queries are batched over all clients and months (a few queries per
build, not per report), and the warehouse is opened read-only and closed before
`read_facts` returns.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

Row = dict[str, Any]
ClientMonth = tuple[str, date]

# The tables a report reads; a build without one of them cannot have reports.
REQUIRED_TABLES = (
    "run_parameters",
    "dim_clients",
    "fct_client_months",
    "fct_client_month_sla_policies",
    "fct_ticket_sla",
    "fct_sla_clock_segments",
    "fct_tickets",
    "fct_survey_responses",
    "fct_sla_breaches",
    "fct_sla_breach_exclusions",
    "fct_survey_follow_ups",
    "fct_client_month_reviews",
    "fct_client_month_effort_tickets",
    "fct_client_month_priorities",
    "fct_xla_hotspots",
    "fct_lost_time_concentration",
    "fct_client_month_peer_benchmarks",
    "publication_holds",
)
# How many hotspots a review lists: the groups that hurt most.
HOTSPOTS_SHOWN = 3


class MissingTables(Exception):
    """The warehouse lacks a table the reports read."""


@dataclass
class Facts:
    """Everything the reports of a build show, keyed by client and month."""

    as_of: datetime | None
    history_start: datetime | None
    clients: dict[str, Row]
    client_months: dict[ClientMonth, Row]
    sla_policies: dict[ClientMonth, list[Row]] = field(default_factory=dict)
    sla_targets: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    xla_targets: dict[tuple[str, str], Row] = field(default_factory=dict)
    holds: dict[ClientMonth, list[Row]] = field(default_factory=dict)
    tickets_by_priority: dict[ClientMonth, dict[str, int]] = field(default_factory=dict)
    breaches: dict[ClientMonth, list[Row]] = field(default_factory=dict)
    negatives: dict[ClientMonth, list[Row]] = field(default_factory=dict)
    reviews: dict[ClientMonth, Row] = field(default_factory=dict)
    effort_tickets: dict[ClientMonth, list[Row]] = field(default_factory=dict)
    # The groups that hurt most, best first; a month's lost-time concentration, the
    # client's and the MSP's (by month); each metric's standing among the tier's peers.
    hotspots: dict[ClientMonth, list[Row]] = field(default_factory=dict)
    concentration: dict[ClientMonth, Row] = field(default_factory=dict)
    msp_concentration: dict[date, Row] = field(default_factory=dict)
    benchmarks: dict[ClientMonth, dict[str, Row]] = field(default_factory=dict)
    # The MSP's settings (msp_settings.csv as the build loaded it), by name.
    settings: dict[str, str] = field(default_factory=dict)

    def months(self) -> list[date]:
        """Every month with a client-month row, oldest first."""
        return sorted({month for _, month in self.client_months})

    def is_held(self, client_id: str, month: date) -> bool:
        return (client_id, month) in self.holds


def _records(con: duckdb.DuckDBPyConnection, sql: str) -> list[Row]:
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _grouped(rows: list[Row]) -> dict[ClientMonth, list[Row]]:
    found: dict[ClientMonth, list[Row]] = defaultdict(list)
    for row in rows:
        found[(row["client_id"], row["month"])].append(row)
    return dict(found)


def _relations(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each table's schema-qualified name, the target schema first."""
    found: dict[str, str] = {}
    for schema, name in con.execute(
        "select table_schema, table_name from information_schema.tables"
        " where table_catalog = current_database()"
        " order by table_schema <> 'main', table_schema"
    ).fetchall():
        found.setdefault(name, f'"{schema}"."{name}"')
    return found


# Each query selects rows of a mart and orders them; the marts hold every figure.
BREACHES_SQL = """
select * from fct_sla_breaches
order by client_id, month, metric, started_at, ticket_id
"""

EXCLUSIONS_SQL = """
select * from fct_sla_breach_exclusions
order by ticket_id, metric, exclusion, pause_status, holiday_date
"""

NEGATIVES_SQL = """
select * from fct_survey_follow_ups
order by client_id, month, responded_at, response_id
"""

EFFORT_TICKETS_SQL = """
select * from fct_client_month_effort_tickets
order by client_id, month, effort_rank
"""


# The first HOTSPOTS_SHOWN groups of each client-month that fall short of the target
# or lost time: a group that hurts nothing is no hotspot.
HOTSPOTS_SQL = f"""
select * from (
    select
        *,
        row_number() over (partition by client_id, month order by impact_rank) as shown_rank
    from fct_xla_hotspots
    where coalesce(happiness_impact, 0) > 0 or lost_minutes > 0
)
where shown_rank <= {HOTSPOTS_SHOWN}
order by client_id, month, impact_rank
"""

CONCENTRATION_SQL = """
select * from fct_lost_time_concentration
order by scope, client_id, month
"""

BENCHMARKS_SQL = """
select * from fct_client_month_peer_benchmarks
order by client_id, month, metric
"""


def _by_clock(rows: list[Row]) -> dict[tuple[str, str, str], list[Row]]:
    """Exclusion rows by clock and kind: a clock's pauses (`status`, `minutes`) and its
    holidays (`holiday_date`, `holiday_name`), in the order selected."""
    found: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    for row in rows:
        if row["exclusion"] == "pause":
            item = {"status": row["pause_status"], "minutes": row["paused_minutes"]}
        else:
            item = {"holiday_date": row["holiday_date"], "holiday_name": row["holiday_name"]}
        found[(row["ticket_id"], row["metric"], row["exclusion"])].append(item)
    return dict(found)


def _first_record(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The first instant the warehouse holds: the earliest ticket or survey response."""
    found = [
        row[0]
        for sql in (
            "select created_at from fct_tickets where created_at is not null"
            " order by created_at limit 1",
            "select responded_at from fct_survey_responses where responded_at is not null"
            " order by responded_at limit 1",
        )
        for row in con.execute(sql).fetchall()
    ]
    return min(found, default=None)


def read_facts(warehouse: Path) -> Facts:
    """Read everything the reports show from a built warehouse, read-only."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        relations = _relations(con)
        missing = [name for name in REQUIRED_TABLES if name not in relations]
        if missing:
            raise MissingTables(f"{warehouse.name} has no {', '.join(missing)}")
        (as_of,) = con.execute("select as_of from run_parameters").fetchone() or (None,)
        facts = Facts(
            as_of=as_of,
            history_start=_first_record(con),
            clients={
                row["client_id"]: row
                for row in _records(con, "select * from dim_clients order by client_id")
            },
            client_months={
                (row["client_id"], row["month"]): row
                for row in _records(
                    con, "select * from fct_client_months order by client_id, month"
                )
            },
        )
        facts.sla_policies = _grouped(
            _records(
                con,
                "select * from fct_client_month_sla_policies"
                " order by client_id, month, metric, priority",
            )
        )
        facts.holds = _grouped(
            _records(con, "select * from publication_holds order by client_id, month, rule_id")
        )
        if "sla_policies" in relations:
            for row in _records(
                con,
                "select distinct contract_tier, metric, attainment_target_pct"
                f" from {relations['sla_policies']} where attainment_target_pct is not null"
                " order by contract_tier, metric, attainment_target_pct",
            ):
                facts.sla_targets.setdefault((row["contract_tier"], row["metric"]), []).append(
                    float(row["attainment_target_pct"])
                )
        if "xla_targets" in relations:
            for row in _records(con, f"select * from {relations['xla_targets']}"):
                facts.xla_targets[(row["contract_tier"], row["metric"])] = row
        for row in _records(con, "select * from fct_client_month_priorities"):
            key = (row["client_id"], row["month"])
            facts.tickets_by_priority.setdefault(key, {})[row["priority"] or "none"] = int(
                row["tickets_opened"]
            )
        exclusions = _by_clock(_records(con, EXCLUSIONS_SQL))
        facts.breaches = _grouped(
            [
                {
                    **row,
                    "pauses": exclusions.get((row["ticket_id"], row["metric"], "pause"), []),
                    "holidays": exclusions.get((row["ticket_id"], row["metric"], "holiday"), []),
                }
                for row in _records(con, BREACHES_SQL)
            ]
        )
        facts.negatives = _grouped(_records(con, NEGATIVES_SQL))
        facts.reviews = {
            (row["client_id"], row["month"]): row
            for row in _records(con, "select * from fct_client_month_reviews")
        }
        facts.effort_tickets = _grouped(_records(con, EFFORT_TICKETS_SQL))
        facts.hotspots = _grouped(_records(con, HOTSPOTS_SQL))
        for row in _records(con, CONCENTRATION_SQL):
            if row["scope"] == "msp":
                facts.msp_concentration[row["month"]] = row
            else:
                facts.concentration[(row["client_id"], row["month"])] = row
        for row in _records(con, BENCHMARKS_SQL):
            key = (row["client_id"], row["month"])
            facts.benchmarks.setdefault(key, {})[row["metric"]] = row
        if "msp_settings" in relations:
            facts.settings = {
                str(name): str(value)
                for name, value in con.execute(
                    f"select setting, value from {relations['msp_settings']}"
                ).fetchall()
            }
    finally:
        con.close()
    return facts
