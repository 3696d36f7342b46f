"""The floor of a published warehouse: the tables, and the columns of each, that
docs/contract.md §5 promises a BI reader; and the reference files' contract columns (§3).

`missing(warehouse)` names every table and column of the floor that a published
warehouse lacks, one line each; an empty list means it passes. Extra tables and columns
are fine: the floor is not a ceiling. Only the default schema counts, the one BI tools
read without qualifying a name.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb

PUBLISHED: dict[str, tuple[str, ...]] = {
    "dim_clients": ("client_id", "client_name", "timezone", "calendar_id", "contract_tier"),
    "dim_engineers": ("engineer_id", "engineer_name", "team", "role"),
    "dim_dates": (),
    "fct_tickets": (
        "ticket_id",
        "client_id",
        "priority",
        "status",
        "created_at",
        "reopen_count",
        "reassignment_count",
    ),
    "fct_ticket_sla": (
        "ticket_id",
        "metric",
        "policy",
        "target_minutes",
        "elapsed_minutes",
        "paused_minutes",
        "due_at",
        "stopped_at",
        "breached_at",
        "sla_status",
        "target_used_pct",
        "minutes_left",
        "risk_band",
    ),
    "fct_sla_clock_segments": ("ticket_id", "metric", "state", "minutes"),
    "fct_engineer_days": ("engineer_id",),
    "fct_client_months": (
        "client_id",
        "month",
        "happiness",
        "nps",
        "sla_met",
        "xla_status",
        "is_watermelon",
        "csat_surveys_sent",
        "csat_surveys_answered",
        "csat_response_rate_pct",
        "nps_surveys_sent",
        "nps_surveys_answered",
        "nps_response_rate_pct",
        "surveys_sent",
        "surveys_answered",
        "response_rate_pct",
        "happiness_is_low_confidence",
        "nps_is_low_confidence",
        "lost_time_is_low_confidence",
        "follow_up_is_low_confidence",
    ),
    "fct_timeslip_flags": ("rule_id", "severity", "subject_type", "subject_id", "evidence"),
    "publication_holds": ("client_id", "month", "rule_id", "reason"),
    "held_tickets": ("ticket_id", "client_id", "reason"),
    "fct_feed_silences": (
        "client_id",
        "extract",
        "last_row_date",
        "silent_business_days",
        "baseline_daily_rows",
        "is_silent",
    ),
    "quarantine_rows": ("reason",),
    "audit_check_results": (),
    "audit_publications": (),
}

# The columns docs/contract.md §3 names for each reference file that has more: an MSP
# whose files hold only these must be able to run, every other column taking its default.
REFERENCE_CONTRACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "clients": ("client_id", "client_name", "timezone", "calendar_id", "contract_tier"),
    "engineers": (
        "engineer_id",
        "engineer_name",
        "team",
        "role",
        "calendar_id",
        "timezone",
        "weekly_contracted_hours",
        "billable_target_pct",
        "start_date",
        "end_date",
    ),
    "timeslip_rules": (
        "rule_id",
        "enabled",
        "severity",
        "threshold",
        "secondary_threshold",
        "tertiary_threshold",
    ),
}


def missing(
    con_or_path: duckdb.DuckDBPyConnection | str | Path, only: Iterable[str] | None = None
) -> list[str]:
    """One line per table or column of the floor that the warehouse lacks.

    `con_or_path` is an open connection or a DuckDB file, opened read-only. `only`
    limits the check to those tables; a table outside the floor is checked for its
    presence alone.
    """
    if isinstance(con_or_path, duckdb.DuckDBPyConnection):
        return _missing(con_or_path, only)
    con = duckdb.connect(str(con_or_path), read_only=True)
    try:
        return _missing(con, only)
    finally:
        con.close()


def _missing(con: duckdb.DuckDBPyConnection, only: Iterable[str] | None) -> list[str]:
    columns: dict[str, set[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_catalog = current_database() and table_schema = current_schema()"
    ).fetchall():
        columns.setdefault(table, set()).add(column)
    problems: list[str] = []
    for table in PUBLISHED if only is None else only:
        if table not in columns:
            problems.append(f"missing table {table}")
            continue
        problems += [
            f"missing column {table}.{column}"
            for column in PUBLISHED.get(table, ())
            if column not in columns[table]
        ]
    return problems
