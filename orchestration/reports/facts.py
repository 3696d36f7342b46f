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
    "fct_ticket_effort_months",
    "publication_holds",
)
# Tickets listed per report in the effort section: the ones with most hours.
TOP_EFFORT_TICKETS = 10


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
    effort: dict[ClientMonth, Row] = field(default_factory=dict)
    effort_tickets: dict[ClientMonth, list[Row]] = field(default_factory=dict)

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


# Breached clocks with what their segments say about them. A clock's breaches count in
# the month it stopped (as its attainment does); one still running counts in no month
# yet and is shown in the month its target was passed, in the client's time zone.
BREACHES_SQL = """
with

breached as (
    select
        sla.ticket_id,
        sla.metric,
        sla.client_id,
        sla.priority,
        sla.clock,
        sla.calendar_id,
        sla.timezone,
        sla.target_minutes,
        sla.elapsed_minutes,
        sla.paused_minutes,
        sla.started_at,
        sla.stopped_at,
        sla.breached_at,
        sla.measured_at,
        tickets.subject,
        tickets.status as ticket_status,
        coalesce(
            sla.stopped_month,
            cast(date_trunc('month', timezone(sla.timezone, sla.breached_at)) as date)
        ) as month
    from fct_ticket_sla as sla
    inner join fct_tickets as tickets
        on sla.ticket_id = tickets.ticket_id
    where sla.sla_status = 'breached'
),

segments as (
    select
        segments.ticket_id,
        segments.metric,
        segments.state,
        segments.status,
        segments.segment_start,
        segments.minutes,
        breached.timezone,
        breached.calendar_id
    from fct_sla_clock_segments as segments
    inner join breached
        on segments.ticket_id = breached.ticket_id and segments.metric = breached.metric
),

by_state as (
    select
        ticket_id,
        metric,
        sum(case when state = 'closed_hours' then minutes else 0 end) as closed_minutes,
        sum(case when state = 'holiday' then minutes else 0 end) as holiday_minutes,
        sum(case when state = 'stopped' then minutes else 0 end) as resolved_minutes,
        count(case when state = 'stopped' then 1 end) as reopen_count,
        min(case when state in ('running', 'paused') then segment_start end) as counting_from
    from segments
    group by ticket_id, metric
),

pauses as (
    select
        ticket_id,
        metric,
        list(struct_pack(status := status, minutes := minutes) order by status) as pauses
    from (
        select ticket_id, metric, coalesce(status, '') as status, sum(minutes) as minutes
        from segments
        where state = 'paused'
        group by ticket_id, metric, coalesce(status, '')
    )
    group by ticket_id, metric
),

holidays as (
    select
        ticket_id,
        metric,
        list(
            distinct struct_pack(holiday_date := holiday_date, holiday_name := holiday_name)
        ) as holidays
    from (
        select distinct
            segments.ticket_id,
            segments.metric,
            holidays.holiday_date,
            holidays.holiday_name
        from segments
        inner join {holidays} as holidays
            on
                segments.calendar_id = holidays.calendar_id
                and cast(timezone(segments.timezone, segments.segment_start) as date)
                = holidays.holiday_date
        where segments.state = 'holiday'
    )
    group by ticket_id, metric
)

select
    breached.*,
    coalesce(by_state.closed_minutes, 0) as closed_minutes,
    coalesce(by_state.holiday_minutes, 0) as holiday_minutes,
    coalesce(by_state.resolved_minutes, 0) as resolved_minutes,
    coalesce(by_state.reopen_count, 0) as reopen_count,
    by_state.counting_from,
    coalesce(pauses.pauses, []) as pauses,
    coalesce(holidays.holidays, []) as holidays
from breached
left join by_state
    on breached.ticket_id = by_state.ticket_id and breached.metric = by_state.metric
left join pauses
    on breached.ticket_id = pauses.ticket_id and breached.metric = pauses.metric
left join holidays
    on breached.ticket_id = holidays.ticket_id and breached.metric = holidays.metric
order by breached.client_id, month, breached.metric, breached.started_at, breached.ticket_id
"""

NEGATIVES_SQL = """
select
    responses.response_id,
    responses.client_id,
    responses.month,
    responses.ticket_id,
    tickets.subject,
    responses.score,
    responses.responded_at,
    responses.comment,
    responses.follow_up_at,
    responses.follow_up_by,
    responses.follow_up_outcome,
    responses.follow_up_due_at,
    responses.is_followed_up_on_time
from fct_survey_responses as responses
left join fct_tickets as tickets
    on responses.ticket_id = tickets.ticket_id
where responses.is_negative
order by responses.client_id, responses.month, responses.responded_at, responses.response_id
"""

EFFORT_SQL = """
select
    client_id,
    month,
    count(*) as tickets,
    sum(timeslip_count) as timeslips,
    sum(hours_worked) as hours_worked,
    sum(hours_billed) as hours_billed,
    sum(billable_hours_billed) as billable_hours_billed
from fct_ticket_effort_months
group by client_id, month
"""

EFFORT_TICKETS_SQL = f"""
select
    effort.client_id,
    effort.month,
    effort.ticket_id,
    tickets.subject,
    tickets.priority,
    tickets.status,
    effort.timeslip_count,
    effort.hours_worked,
    effort.hours_billed
from fct_ticket_effort_months as effort
inner join fct_tickets as tickets
    on effort.ticket_id = tickets.ticket_id
qualify row_number() over (
    partition by effort.client_id, effort.month
    order by effort.hours_worked desc, effort.ticket_id
) <= {TOP_EFFORT_TICKETS}
order by effort.client_id, effort.month, effort.hours_worked desc, effort.ticket_id
"""


def read_facts(warehouse: Path) -> Facts:
    """Read everything the reports show from a built warehouse, read-only."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        relations = _relations(con)
        missing = [name for name in REQUIRED_TABLES if name not in relations]
        if missing:
            raise MissingTables(f"{warehouse.name} has no {', '.join(missing)}")
        as_of = con.execute("select max(as_of) from run_parameters").fetchone()[0]
        history_start = con.execute(
            "select least("
            " (select min(created_at) from fct_tickets),"
            " (select min(responded_at) from fct_survey_responses))"
        ).fetchone()[0]
        facts = Facts(
            as_of=as_of,
            history_start=history_start,
            clients={row["client_id"]: row for row in _records(con, "select * from dim_clients")},
            client_months={
                (row["client_id"], row["month"]): row
                for row in _records(con, "select * from fct_client_months")
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
                "select contract_tier, metric, list(distinct attainment_target_pct"
                f" order by attainment_target_pct) as targets from {relations['sla_policies']}"
                " group by contract_tier, metric",
            ):
                facts.sla_targets[(row["contract_tier"], row["metric"])] = [
                    float(t) for t in row["targets"] if t is not None
                ]
        if "xla_targets" in relations:
            for row in _records(con, f"select * from {relations['xla_targets']}"):
                facts.xla_targets[(row["contract_tier"], row["metric"])] = row
        for row in _records(
            con,
            "select client_id, created_month as month, priority, count(*) as tickets"
            " from fct_tickets where created_month is not null group by all",
        ):
            key = (row["client_id"], row["month"])
            facts.tickets_by_priority.setdefault(key, {})[row["priority"] or "none"] = int(
                row["tickets"]
            )
        holidays = relations.get("holidays")
        breaches_sql = BREACHES_SQL.format(
            holidays=holidays
            or "(select null::varchar as calendar_id, null::date as holiday_date,"
            " null::varchar as holiday_name where false)"
        )
        facts.breaches = _grouped(_records(con, breaches_sql))
        facts.negatives = _grouped(_records(con, NEGATIVES_SQL))
        facts.effort = {(row["client_id"], row["month"]): row for row in _records(con, EFFORT_SQL)}
        facts.effort_tickets = _grouped(_records(con, EFFORT_TICKETS_SQL))
    finally:
        con.close()
    return facts
