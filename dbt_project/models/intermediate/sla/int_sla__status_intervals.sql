{{ config(materialized='table') }}

{#-
    The status timeline of every ticket, from `ticket_events`: one row per stretch of
    time a ticket spent in one status, in whole minutes since the epoch (instants
    truncated to the minute). Events of the same instant follow the order the source
    delivered them in (extract date, file, line), never the text of their ids. The stretch before the first status event has that event's
    recorded old value (`New` when none). A ticket with no status events at all gets
    its timeline from its own row: `New` from `created_at`, then `Resolved` at
    `resolved_at` (or `Closed` at `closed_at`). An event before `created_at` counts from
    `created_at`.
-#}

with

tickets as (

    select * from {{ ref('int_tickets__unioned') }}

),

status_events as (

    select
        ticket_id,
        event_id,
        occurred_at,
        old_value,
        new_value,
        extract_date,
        source_file,
        source_line,
        row_number() over (
            partition by ticket_id
            order by occurred_at, extract_date, source_file, source_line, event_id
        ) as event_number

    from {{ ref('int_ticket_events__unioned') }}
    where field = 'status' and new_value is not null

),

changes as (

    -- The status a ticket was created in.
    select
        tickets.ticket_id,
        tickets.created_at as changed_at,
        0 as change_order,
        0 as event_number,
        '' as event_id,
        coalesce(first_events.old_value, 'New') as status

    from tickets
    left join status_events as first_events
        on
            tickets.ticket_id = first_events.ticket_id
            and first_events.event_number = 1

    union all

    select
        status_events.ticket_id,
        status_events.occurred_at as changed_at,
        1 as change_order,
        status_events.event_number,
        status_events.event_id,
        status_events.new_value as status

    from status_events

    union all

    -- Tickets without a status trail: their own resolution stamps.
    select
        tickets.ticket_id,
        coalesce(tickets.resolved_at, tickets.closed_at) as changed_at,
        1 as change_order,
        1 as event_number,
        'ticket' as event_id,
        case when tickets.resolved_at is not null then 'Resolved' else 'Closed' end as status

    from tickets
    left join status_events as first_events
        on
            tickets.ticket_id = first_events.ticket_id
            and first_events.event_number = 1
    where
        first_events.ticket_id is null
        and coalesce(tickets.resolved_at, tickets.closed_at) is not null

),

in_minutes as (

    select
        changes.ticket_id,
        changes.status,
        changes.change_order,
        changes.event_number,
        case
            when changes.changed_at < tickets.created_at then {{ epoch_minute('tickets.created_at') }}
            else {{ epoch_minute('changes.changed_at') }}
        end as status_start

    from changes
    inner join tickets
        on changes.ticket_id = tickets.ticket_id

),

sequenced as (

    select
        ticket_id,
        status,
        status_start,
        cast(row_number() over (
            partition by ticket_id
            order by status_start, change_order, event_number
        ) as bigint) as status_sequence

    from in_minutes

),

intervals as (

    select
        ticket_id,
        status_sequence,
        status,
        status in ({{ resolved_statuses() }}) as is_resolved,
        status_start,
        lead(status_start) over (partition by ticket_id order by status_sequence) as status_end

    from sequenced

)

select * from intervals
