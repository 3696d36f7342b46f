{{
    config(
        materialized=scoped_incremental(),
        incremental_strategy='replace_scope',
        incremental_scope='sla_ticket_scope',
        on_schema_change='fail',
    )
}}

{#-
    One row per ticket and SLA metric (docs/contract.md §4, §5). Elapsed and paused minutes are
    sums over the clock's stretches; `due_at` is the instant the elapsed time reaches the
    target, found on the clock's own calendar: inside the stretches that really happened
    when the target was reached in them, else projected from where the clock was last
    read (its stop, or `as_of`) as if it ran from there without further pause.
-#}

with

clocks as (

    select * from {{ ref('int_sla__clocks') }}
    where {{ incremental_scope_predicate('sla_ticket_scope') }}

),

intervals as (

    select * from {{ ref('int_sla__clock_intervals') }}
    where {{ incremental_scope_predicate('sla_ticket_scope') }}

),

pieces as (

    select * from {{ ref('int_sla__calendar_pieces') }}

),

piece_index as (

    select * from {{ ref('int_sla__calendar_piece_index') }}

),

totals as (

    select
        ticket_id,
        metric,
        sum(case when clock_state = 'running' then business_minutes else 0 end) as elapsed_minutes,
        sum(case when clock_state = 'paused' then business_minutes else 0 end) as paused_minutes

    from intervals
    group by ticket_id, metric

),

measured as (

    select
        clocks.*,
        coalesce(totals.elapsed_minutes, 0) as elapsed_minutes,
        coalesce(totals.paused_minutes, 0) as paused_minutes

    from clocks
    left join totals
        on
            clocks.ticket_id = totals.ticket_id
            and clocks.metric = totals.metric

),

-- The business minute (0-based, on the clock's calendar) that reaches the target: inside
-- the running stretch where the elapsed time reaches it ...
reached_in_stretch as (

    select
        intervals.ticket_id,
        intervals.metric,
        intervals.calendar_key,
        intervals.business_minute_at_start
        + (measured.target_minutes - intervals.running_minutes_before) - 1 as business_minute

    from intervals
    inner join measured
        on
            intervals.ticket_id = measured.ticket_id
            and intervals.metric = measured.metric
    where
        intervals.clock_state = 'running'
        and intervals.running_minutes_before < measured.target_minutes
        and intervals.running_minutes_before + intervals.business_minutes >= measured.target_minutes

),

-- ... or beyond the last reading, for a clock that has not reached its target.
end_points as (

    select
        ticket_id,
        metric,
        calendar_key,
        target_minutes,
        elapsed_minutes,
        end_minute as at_minute

    from measured
    where policy is not null and elapsed_minutes < target_minutes

),

end_readings as (

    {{ business_minute_at('end_points', 'pieces', 'piece_index') }}

),

due_points as (

    select
        ticket_id,
        metric,
        calendar_key,
        business_minute
    from reached_in_stretch
    union all
    select
        ticket_id,
        metric,
        calendar_key,
        business_minute + (target_minutes - elapsed_minutes) - 1 as business_minute
    from end_readings

),

due as (

    {{ instant_of_business_minute('due_points', 'pieces', 'piece_index') }}

),

-- The first business minute over target, in the running stretch that holds it.
breach_points as (

    select
        intervals.ticket_id,
        intervals.metric,
        intervals.calendar_key,
        intervals.business_minute_at_start
        + (measured.target_minutes - intervals.running_minutes_before) as business_minute

    from intervals
    inner join measured
        on
            intervals.ticket_id = measured.ticket_id
            and intervals.metric = measured.metric
    where
        intervals.clock_state = 'running'
        and intervals.running_minutes_before <= measured.target_minutes
        and intervals.running_minutes_before + intervals.business_minutes > measured.target_minutes

),

breaches as (

    {{ instant_of_business_minute('breach_points', 'pieces', 'piece_index') }}

),

final as (

    select
        measured.ticket_id,
        measured.client_id,
        measured.metric,
        measured.priority,
        measured.contract_tier,
        measured.policy,
        measured.clock,
        measured.calendar_id,
        measured.timezone,
        measured.pause_statuses,
        cast(measured.target_minutes as integer) as target_minutes,
        measured.attainment_target_pct,
        {{ minute_to_timestamp('measured.start_minute') }} as started_at,
        cast(measured.elapsed_minutes as bigint) as elapsed_minutes,
        cast(measured.paused_minutes as bigint) as paused_minutes,
        -- The end of the minute that reaches the target.
        {{ minute_to_timestamp('due.at_minute + 1') }} as due_at,
        {{ minute_to_timestamp('measured.stop_minute') }} as stopped_at,
        {%- set local_stop = to_local_timestamp(minute_to_timestamp('measured.stop_minute'), 'measured.timezone') %}
        cast({{ dbt.date_trunc('month', local_stop) }} as date) as stopped_month,
        -- The start of the first minute over target.
        {{ minute_to_timestamp('breaches.at_minute') }} as breached_at,
        {{ minute_to_timestamp('measured.end_minute') }} as measured_at,
        case
            when measured.policy is null then null
            when measured.elapsed_minutes > measured.target_minutes then 'breached'
            when measured.stop_minute is not null then 'met'
            else 'in_progress'
        end as sla_status

    from measured
    left join due
        on
            measured.ticket_id = due.ticket_id
            and measured.metric = due.metric
    left join breaches
        on
            measured.ticket_id = breaches.ticket_id
            and measured.metric = breaches.metric

)

select * from final
