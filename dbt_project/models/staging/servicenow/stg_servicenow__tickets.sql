{#-
    One row per ServiceNow incident, in the shape of the PSA's tickets: its latest update,
    with the milestones its trail shows where the export has none. See
    docs/metrics/servicenow.md#incidents-as-tickets.
-#}
with

updates as (

    select * from {{ ref('stg_servicenow__incident_updates') }}

),

events as (

    select * from {{ ref('stg_servicenow__ticket_events') }}

),

latest as (

    select * from updates
    where is_latest_update

),

milestones as (

    select
        ticket_id,
        -- The first move out of New; an incident opened in another state was taken on
        -- when it was opened.
        min(case when new_value <> 'New' then occurred_at end) as first_response_at,
        max(
            case
                when
                    new_value in ({{ resolved_statuses() }})
                    and coalesce(old_value, '') not in ({{ resolved_statuses() }})
                    then occurred_at
            end
        ) as last_resolved_at,
        max(
            case
                when new_value = 'Closed' and coalesce(old_value, '') <> 'Closed'
                    then occurred_at
            end
        ) as last_closed_at

    from events
    where field = 'status'
    group by ticket_id

),

tickets as (

    select
        latest.ticket_id,
        latest.client_id,
        latest.caller_id as contact_id,
        latest.priority,
        latest.category,
        latest.channel,
        latest.status,
        latest.assigned_to as assigned_engineer_id,
        cast(null as string) as subject,
        latest.opened_at as created_at,
        milestones.first_response_at,
        -- ServiceNow's own resolution and closure times, unless the latest update could
        -- not yet have known them; else the trail's last move into the status.
        case
            when latest.status in ({{ resolved_statuses() }})
                then coalesce(
                    case when latest.resolved_at <= latest.updated_at then latest.resolved_at end,
                    milestones.last_resolved_at
                )
        end as resolved_at,
        case
            when latest.status = 'Closed'
                then coalesce(
                    case when latest.closed_at <= latest.updated_at then latest.closed_at end,
                    milestones.last_closed_at
                )
        end as closed_at,
        latest.updated_at,
        latest.source_file,
        latest.source_line,
        latest.extract_date

    from latest
    left join milestones
        on latest.ticket_id = milestones.ticket_id

)

select
    cast(ticket_id as string) as ticket_id,
    cast(client_id as string) as client_id,
    cast(contact_id as string) as contact_id,
    cast(priority as string) as priority,
    cast(category as string) as category,
    cast(channel as string) as channel,
    cast(status as string) as status,
    cast(assigned_engineer_id as string) as assigned_engineer_id,
    cast(subject as string) as subject,
    cast(created_at as {{ type_instant() }}) as created_at,
    cast(first_response_at as {{ type_instant() }}) as first_response_at,
    cast(resolved_at as {{ type_instant() }}) as resolved_at,
    cast(closed_at as {{ type_instant() }}) as closed_at,
    cast(updated_at as {{ type_instant() }}) as updated_at,
    cast(source_file as string) as source_file,
    cast(source_line as bigint) as source_line,
    cast(extract_date as date) as extract_date

from tickets
