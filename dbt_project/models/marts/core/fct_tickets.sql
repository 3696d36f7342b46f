with

tickets as (

    select * from {{ ref('int_tickets__unioned') }}

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

)

select * from final
