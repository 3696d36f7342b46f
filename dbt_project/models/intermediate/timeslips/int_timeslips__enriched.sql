{#-
    Every timeslip (latest version) with what the audit rules judge it by: its engineer's
    team, calendar, time zone and targets, its ticket's life and group, the client it is
    for, its times on the engineer's wall clock, and the client's month it falls in.
-#}
with

timeslips as (

    select * from {{ ref('stg_psa__timeslips') }}

),

engineers as (

    select * from {{ ref('stg_reference__engineers') }}

),

tickets as (

    select * from {{ ref('int_tickets__unioned') }}

),

clients as (

    select * from {{ ref('stg_reference__clients') }}

),

joined as (

    select
        timeslips.timeslip_id,
        timeslips.engineer_id,
        timeslips.ticket_id,
        timeslips.work_date,
        timeslips.started_at,
        timeslips.ended_at,
        timeslips.hours_worked,
        timeslips.hours_billed,
        timeslips.billable,
        timeslips.work_type,
        timeslips.notes,
        timeslips.entered_at,
        tickets.category as ticket_category,
        tickets.priority as ticket_priority,
        tickets.created_at as ticket_created_at,
        tickets.closed_at as ticket_closed_at,
        engineers.team,
        engineers.calendar_id,
        engineers.weekly_contracted_hours,
        engineers.billable_target_pct,
        -- The ticket's client is the one its reports are about; internal work keeps the
        -- client written on the timeslip, if any.
        coalesce(tickets.client_id, timeslips.client_id) as client_id,
        tickets.ticket_id is not null as is_known_ticket,
        coalesce(engineers.timezone, 'UTC') as engineer_timezone

    from timeslips
    left join tickets
        on timeslips.ticket_id = tickets.ticket_id
    left join engineers
        on timeslips.engineer_id = engineers.engineer_id

),

localised as (

    select
        joined.*,
        clients.timezone as client_timezone,
        {{ dbt.datediff('joined.started_at', 'joined.ended_at', 'second') }}
            as duration_seconds,
        {{ to_local_timestamp('joined.started_at', 'joined.engineer_timezone') }} as started_local,
        {{ to_local_timestamp('joined.ended_at', 'joined.engineer_timezone') }} as ended_local,
        cast({{ to_local_timestamp('joined.entered_at', 'joined.engineer_timezone') }} as date)
            as entered_local_date,
        cast(
            {{ dbt.date_trunc('month', to_local_timestamp('joined.started_at', 'clients.timezone')) }}
            as date
        ) as month

    from joined
    left join clients
        on joined.client_id = clients.client_id

),

final as (

    select
        *,
        -- Calendar days from the work to the (engineer-local) day it was entered.
        {{ dbt.datediff('work_date', 'entered_local_date', 'day') }}
            as days_to_entry

    from localised

)

select * from final
