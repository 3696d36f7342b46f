{{ config(materialized='table') }}

{#-
    The stretches of one SLA clock, each in one clock state: `running` (counts),
    `paused` (a pause status of the policy) or `stopped` (resolved, until a reopen).
    `first_response` runs without pause from start to stop; `resolution` follows the
    status timeline. Each stretch knows its business minutes (two look-ups on the
    clock's calendar, `24x7` counting every minute) and the running minutes of the
    stretches before it, from which the clock's due and breach instants are found.
-#}

with

clocks as (

    select * from {{ ref('int_sla__clocks') }}
    where policy is not null

),

status_intervals as (

    select * from {{ ref('int_sla__status_intervals') }}

),

pieces as (

    select * from {{ ref('int_sla__calendar_pieces') }}

),

piece_index as (

    select * from {{ ref('int_sla__calendar_piece_index') }}

),

first_response as (

    select
        ticket_id,
        metric,
        calendar_key,
        cast(null as string) as status,
        'running' as clock_state,
        start_minute as interval_start,
        end_minute as interval_end

    from clocks
    where metric = 'first_response' and end_minute > start_minute

),

resolution as (

    select
        clocks.ticket_id,
        clocks.metric,
        clocks.calendar_key,
        status_intervals.status,
        case
            when status_intervals.is_resolved then 'stopped'
            when {{ status_in_list('status_intervals.status', 'clocks.pause_statuses') }} then 'paused'
            else 'running'
        end as clock_state,
        case
            when status_intervals.status_start > clocks.start_minute then status_intervals.status_start
            else clocks.start_minute
        end as interval_start,
        case
            when coalesce(status_intervals.status_end, clocks.end_minute) < clocks.end_minute
                then status_intervals.status_end
            else clocks.end_minute
        end as interval_end

    from clocks
    inner join status_intervals
        on clocks.ticket_id = status_intervals.ticket_id
    where clocks.metric = 'resolution'

),

intervals as (

    select * from first_response
    union all
    select * from resolution
    where interval_end > interval_start

),

start_points as (

    select
        ticket_id,
        metric,
        calendar_key,
        status,
        clock_state,
        interval_start,
        interval_end,
        interval_start as at_minute

    from intervals

),

starts as (

    {{ business_minute_at('start_points', 'pieces', 'piece_index') }}

),

end_points as (

    select
        ticket_id,
        metric,
        calendar_key,
        status,
        clock_state,
        interval_start,
        interval_end,
        piece_no as first_piece_no,
        business_minute as business_minute_at_start,
        interval_end as at_minute

    from starts

),

ends as (

    {{ business_minute_at('end_points', 'pieces', 'piece_index') }}

),

measured as (

    select
        ticket_id,
        metric,
        calendar_key,
        status,
        clock_state,
        interval_start,
        interval_end,
        first_piece_no,
        business_minute_at_start,
        -- The piece holding the interval's last minute.
        case when piece_start = interval_end then piece_no - 1 else piece_no end as last_piece_no,
        business_minute - business_minute_at_start as business_minutes

    from ends

)

select
    ticket_id,
    metric,
    cast(row_number() over (partition by ticket_id, metric order by interval_start) as bigint)
        as interval_number,
    calendar_key,
    status,
    clock_state,
    interval_start,
    interval_end,
    first_piece_no,
    last_piece_no,
    business_minute_at_start,
    cast(business_minutes as bigint) as business_minutes,
    cast(coalesce(
        sum(case when clock_state = 'running' then business_minutes else 0 end) over (
            partition by ticket_id, metric
            order by interval_start
            rows between unbounded preceding and 1 preceding
        ),
        0
    ) as bigint) as running_minutes_before

from measured
