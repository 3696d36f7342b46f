{{
    config(
        materialized=scoped_incremental(),
        incremental_strategy='replace_scope',
        incremental_scope='ticket_scope',
        on_schema_change='fail',
    )
}}

with

tickets as (

    select * from {{ ref('int_tickets__unioned') }}
    where {{ incremental_scope_predicate('ticket_scope') }}

),

clients as (

    select * from {{ ref('stg_reference__clients') }}

),

event_counts as (

    select * from {{ ref('int_tickets__event_counts') }}

),

timeslip_totals as (

    select * from {{ ref('int_tickets__timeslip_totals') }}

),

latest_csat as (

    select * from {{ ref('int_tickets__latest_csat') }}

),

-- The resolution clock counts the business minutes of the client's calendar (every
-- minute on a 24x7 policy), pauses excluded: one definition of a ticket's business
-- resolution time, shared with the SLA.
resolution_clocks as (

    select
        ticket_id,
        elapsed_minutes,
        stopped_at

    from {{ ref('int_sla__measured_clocks') }}
    where metric = 'resolution'

),

-- The last resolution: `resolved_at`, or `closed_at` for a ticket closed without one.
last_resolutions as (

    select
        ticket_id,
        created_at,
        case
            when status in ({{ resolved_statuses() }}) then coalesce(resolved_at, closed_at)
        end as last_resolved_at

    from tickets

),

-- Whole minutes, on timestamps truncated to the minute, like the SLA clocks.
resolutions as (

    select
        ticket_id,
        last_resolved_at,
        {{ epoch_minute('last_resolved_at') }} - {{ epoch_minute('created_at') }}
        as calendar_resolution_minutes

    from last_resolutions

),

final as (

    select
        tickets.ticket_id,
        tickets.client_id,
        tickets.contact_id,
        tickets.priority,
        tickets.category,
        tickets.channel,
        tickets.status,
        tickets.assigned_engineer_id,
        tickets.subject,
        tickets.created_at,
        tickets.first_response_at,
        tickets.resolved_at,
        tickets.closed_at,
        tickets.updated_at,
        cast(
            {{ dbt.date_trunc('month', to_local_timestamp('tickets.created_at', 'clients.timezone')) }}
            as date
        ) as created_month,
        tickets.status not in ({{ resolved_statuses() }}) as is_open,
        coalesce(event_counts.reopen_count, 0) as reopen_count,
        coalesce(event_counts.reassignment_count, 0) as reassignment_count,
        coalesce(event_counts.priority_change_count, 0) as priority_change_count,
        coalesce(timeslip_totals.effort_hours, 0) as effort_hours,
        coalesce(timeslip_totals.hours_billed, 0) as hours_billed,
        coalesce(timeslip_totals.timeslip_count, 0) as timeslip_count,
        latest_csat.csat_score,
        latest_csat.csat_responded_at,
        latest_csat.csat_response_id,
        cast(
            {{ dbt.date_trunc('month', to_local_timestamp('resolutions.last_resolved_at', 'clients.timezone')) }}
            as date
        ) as resolved_month,
        coalesce(event_counts.reopen_count, 0) > 0 as is_reopened,
        -- Resolved in one touch: never reopened, never passed to another engineer, and at
        -- most one time entry. Open tickets are not judged yet.
        case
            when tickets.status in ({{ resolved_statuses() }})
                then
                    coalesce(event_counts.reopen_count, 0) = 0
                    and coalesce(event_counts.reassignment_count, 0) = 0
                    and coalesce(timeslip_totals.timeslip_count, 0) <= 1
        end as is_first_contact_resolution,
        resolutions.calendar_resolution_minutes,
        case
            when resolutions.last_resolved_at is not null and resolution_clocks.stopped_at is not null
                then resolution_clocks.elapsed_minutes
        end as business_resolution_minutes,
        tickets.source_file,
        tickets.source_line

    from tickets
    left join clients
        on tickets.client_id = clients.client_id
    left join event_counts
        on tickets.ticket_id = event_counts.ticket_id
    left join timeslip_totals
        on tickets.ticket_id = timeslip_totals.ticket_id
    left join latest_csat
        on tickets.ticket_id = latest_csat.ticket_id
    left join resolutions
        on tickets.ticket_id = resolutions.ticket_id
    left join resolution_clocks
        on tickets.ticket_id = resolution_clocks.ticket_id

)

select * from final
