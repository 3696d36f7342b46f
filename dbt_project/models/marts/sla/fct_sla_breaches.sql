{#-
    Every breached SLA clock with what its segments say about it: the business time it
    counted, and the time it did not count (outside business hours, on holidays, paused,
    between a resolution and a reopen). A stopped clock's breach counts in the month it
    stopped, as its attainment does; a clock still running counts in no month yet and is
    shown in the client-local month its target was passed.
-#}
with

clocks as (

    select * from {{ ref('fct_ticket_sla') }}

),

tickets as (

    select * from {{ ref('fct_tickets') }}

),

segments as (

    select * from {{ ref('fct_sla_clock_segments') }}

),

breached as (

    select
        clocks.ticket_id,
        clocks.metric,
        clocks.client_id,
        clocks.priority,
        clocks.clock,
        clocks.calendar_id,
        clocks.timezone,
        clocks.target_minutes,
        clocks.elapsed_minutes,
        clocks.paused_minutes,
        clocks.started_at,
        clocks.stopped_at,
        clocks.breached_at,
        clocks.measured_at,
        tickets.subject,
        tickets.status as ticket_status,
        tickets.reopen_count,
        coalesce(
            clocks.stopped_month,
            cast({{ dbt.date_trunc('month', to_local_timestamp('clocks.breached_at', 'clocks.timezone')) }} as date)
        ) as month,
        cast({{ to_local_timestamp('clocks.started_at', 'clocks.timezone') }} as date) as opened_local_date

    from clocks
    inner join tickets
        on clocks.ticket_id = tickets.ticket_id
    where clocks.sla_status = 'breached'

),

by_state as (

    select
        segments.ticket_id,
        segments.metric,
        sum(case when segments.state = 'closed_hours' then segments.minutes else 0 end) as closed_minutes,
        sum(case when segments.state = 'holiday' then segments.minutes else 0 end) as holiday_minutes,
        sum(case when segments.state = 'stopped' then segments.minutes else 0 end) as resolved_minutes,
        min(case when segments.state in ('running', 'paused') then segments.segment_start end) as counting_from

    from segments
    inner join breached
        on segments.ticket_id = breached.ticket_id and segments.metric = breached.metric
    group by segments.ticket_id, segments.metric

),

holiday_starts as (

    select distinct
        segments.ticket_id,
        segments.metric,
        cast({{ to_local_timestamp('segments.segment_start', 'breached.timezone') }} as date) as holiday_date

    from segments
    inner join breached
        on segments.ticket_id = breached.ticket_id and segments.metric = breached.metric
    where segments.state = 'holiday'

),

final as (

    select
        breached.ticket_id,
        breached.metric,
        breached.client_id,
        breached.month,
        breached.priority,
        breached.clock,
        breached.calendar_id,
        breached.timezone,
        breached.subject,
        breached.ticket_status,
        breached.target_minutes,
        breached.elapsed_minutes,
        breached.paused_minutes,
        breached.started_at,
        breached.stopped_at,
        breached.breached_at,
        breached.measured_at,
        by_state.counting_from,
        cast(coalesce(by_state.closed_minutes, 0) as bigint) as closed_minutes,
        cast(coalesce(by_state.holiday_minutes, 0) as bigint) as holiday_minutes,
        cast(coalesce(by_state.resolved_minutes, 0) as bigint) as resolved_minutes,
        cast(coalesce(breached.reopen_count, 0) as bigint) as reopen_count,
        holiday_starts.holiday_date is not null as is_opened_on_holiday

    from breached
    left join by_state
        on breached.ticket_id = by_state.ticket_id and breached.metric = by_state.metric
    left join holiday_starts
        on
            breached.ticket_id = holiday_starts.ticket_id
            and breached.metric = holiday_starts.metric
            and breached.opened_local_date = holiday_starts.holiday_date

)

select * from final
