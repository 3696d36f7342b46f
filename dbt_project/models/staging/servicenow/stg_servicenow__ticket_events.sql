{#-
    The status, priority and assignee trail of ServiceNow incidents, in the shape of the
    PSA's ticket events, read off the changes between consecutive updates. The first
    update stands for the incident as opened: its state is the creation event and its
    assignment group the first assignment, both at `opened_at`. The assignee of an
    incident is its assignment group (docs/metrics/servicenow.md#the-assignee-is-the-assignment-group).
-#}
with

updates as (

    select * from {{ ref('stg_servicenow__incident_updates') }}

),

history as (

    select
        ticket_id,
        update_id,
        history_rank,
        status,
        previous_status,
        priority,
        previous_priority,
        assignment_group,
        previous_assignment_group,
        source_file,
        source_line,
        extract_date,
        -- Nothing happens to an incident before it is opened.
        case
            when history_rank = 1 or updated_at < opened_at then opened_at
            else updated_at
        end as occurred_at,
        case when history_rank = 1 then opened_by else updated_by end as actor_id

    from updates

),

status_events as (

    select
        {{ dbt.concat(['update_id', "':status'"]) }} as event_id,
        ticket_id,
        occurred_at,
        'status' as field,
        previous_status as old_value,
        status as new_value,
        actor_id,
        source_file,
        source_line,
        extract_date

    from history
    where history_rank = 1 or status <> previous_status

),

priority_events as (

    select
        {{ dbt.concat(['update_id', "':priority'"]) }} as event_id,
        ticket_id,
        occurred_at,
        'priority' as field,
        previous_priority as old_value,
        priority as new_value,
        actor_id,
        source_file,
        source_line,
        extract_date

    from history
    where history_rank > 1 and priority <> previous_priority

),

assignee_events as (

    select
        {{ dbt.concat(['update_id', "':assignee'"]) }} as event_id,
        ticket_id,
        occurred_at,
        'assignee' as field,
        previous_assignment_group as old_value,
        assignment_group as new_value,
        actor_id,
        source_file,
        source_line,
        extract_date

    from history
    where coalesce(assignment_group, '') <> coalesce(previous_assignment_group, '')

),

unioned as (

    select * from status_events
    union all
    select * from priority_events
    union all
    select * from assignee_events

)

select
    cast(event_id as string) as event_id,
    cast(ticket_id as string) as ticket_id,
    cast(occurred_at as {{ type_instant() }}) as occurred_at,
    cast(field as string) as field,
    cast(old_value as string) as old_value,
    cast(new_value as string) as new_value,
    cast(actor_id as string) as actor_id,
    cast(source_file as string) as source_file,
    cast(source_line as bigint) as source_line,
    cast(extract_date as date) as extract_date

from unioned
