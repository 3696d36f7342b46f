{#-
    One row per update of a ServiceNow incident, typed, its state, priority and contact
    type mapped onto ours through the value map (`value_map.csv`, source `servicenow`),
    its local times read in the client's time zone, and its place in the incident's
    history. The mapping is documented in docs/metrics/servicenow.md#incidents-as-tickets.
-#}
with

source as (

    select * from {{ source('servicenow', 'incidents') }}

),

value_map as (

    select * from {{ ref('stg_reference__value_map') }}
    where source_system = 'servicenow'

),

clients as (

    select * from {{ ref('stg_reference__clients') }}

),

renamed as (

    select
        cast(_client_id as string) as client_id,
        cast(number as string) as incident_number,
        cast(sys_mod_count as bigint) as sys_mod_count,
        cast(incident_state as string) as incident_state,
        cast(priority as string) as servicenow_priority,
        cast(nullif(contact_type, '') as string) as contact_type,
        cast(nullif(caller_id, '') as string) as caller_id,
        cast(nullif(category, '') as string) as category,
        cast(nullif(subcategory, '') as string) as subcategory,
        cast(nullif(assignment_group, '') as string) as assignment_group,
        cast(nullif(assigned_to, '') as string) as assigned_to,
        cast(nullif(opened_by, '') as string) as opened_by,
        cast(nullif(sys_updated_by, '') as string) as updated_by,
        cast(opened_at as timestamp) as opened_at_local,
        cast(sys_updated_at as timestamp) as updated_at_local,
        cast(resolved_at as timestamp) as resolved_at_local,
        cast(closed_at as timestamp) as closed_at_local,
        cast(reopen_count as bigint) as source_reopen_count,
        cast(reassignment_count as bigint) as source_reassignment_count,
        cast(_source_file as string) as source_file,
        cast(_source_line as bigint) as source_line,
        cast(_file_sha256 as string) as file_sha256,
        cast(_extract_date as date) as extract_date

    from source

),

-- A state without a name (`-100`) maps to nothing: the last known state holds. A contact
-- type the map lacks gives no channel.
mapped as (

    select
        renamed.*,
        states.canonical_value as known_status,
        priorities.canonical_value as priority,
        channels.canonical_value as channel

    from renamed
    left join value_map as states
        on states.field = 'status' and renamed.incident_state = states.source_value
    left join value_map as priorities
        on priorities.field = 'priority' and renamed.servicenow_priority = priorities.source_value
    left join value_map as channels
        on channels.field = 'channel' and renamed.contact_type = channels.source_value

),

-- An incident number is unique only within the client's ServiceNow instance, and the
-- version counter may repeat within an incident: an update is the incident's version
-- at a minute.
identified as (

    select
        {{ dbt.concat(['client_id', "':'", 'incident_number']) }} as ticket_id,
        {{ dbt.concat([
            'client_id', "':'", 'incident_number', "':'",
            dbt.cast('sys_mod_count', api.Column.translate_type('string')), "':'",
            dbt.cast('updated_at_local', api.Column.translate_type('string')),
        ]) }} as update_id,
        *

    from mapped

),

-- An update does not change once made: a re-delivered update is the same row, and the
-- latest delivery wins.
latest as (

    {{ latest_version('identified', 'update_id') }}

),

converted as (

    select
        latest.*,
        {{ from_local_timestamp('latest.opened_at_local', 'clients.timezone') }} as opened_at,
        {{ from_local_timestamp('latest.updated_at_local', 'clients.timezone') }} as updated_at,
        {{ from_local_timestamp('latest.resolved_at_local', 'clients.timezone') }} as resolved_at,
        {{ from_local_timestamp('latest.closed_at_local', 'clients.timezone') }} as closed_at

    from latest
    left join clients
        on latest.client_id = clients.client_id

),

-- The history runs in the order the updates were made; the version counter orders the
-- updates of one minute. A state without a name (-100) leaves the last known one.
ordered as (

    select
        *,
        row_number() over (
            partition by ticket_id order by updated_at_local, sys_mod_count
        ) as history_rank,
        count(*) over (partition by ticket_id) as update_count,
        count(known_status) over (
            partition by ticket_id
            order by updated_at_local, sys_mod_count
            rows between unbounded preceding and current row
        ) as known_status_run

    from converted

),

carried as (

    select
        *,
        history_rank = update_count as is_latest_update,
        coalesce(
            max(known_status) over (partition by ticket_id, known_status_run), 'New'
        ) as status

    from ordered

),

-- What the update before it in the history left, to read changes off.
paired as (

    select
        *,
        lag(status) over (partition by ticket_id order by history_rank) as previous_status,
        lag(priority) over (partition by ticket_id order by history_rank) as previous_priority,
        lag(assignment_group) over (
            partition by ticket_id order by history_rank
        ) as previous_assignment_group,
        lag(sys_mod_count) over (
            partition by ticket_id order by history_rank
        ) as previous_sys_mod_count,
        lag(source_reopen_count) over (
            partition by ticket_id order by history_rank
        ) as previous_source_reopen_count,
        lag(source_reassignment_count) over (
            partition by ticket_id order by history_rank
        ) as previous_source_reassignment_count

    from carried

)

select
    ticket_id,
    update_id,
    client_id,
    incident_number,
    sys_mod_count,
    history_rank,
    is_latest_update,
    incident_state,
    status,
    previous_status,
    priority,
    previous_priority,
    contact_type,
    channel,
    caller_id,
    category,
    subcategory,
    assignment_group,
    previous_assignment_group,
    assigned_to,
    opened_by,
    updated_by,
    opened_at,
    updated_at,
    resolved_at,
    closed_at,
    updated_at_local,
    previous_sys_mod_count,
    source_reopen_count,
    previous_source_reopen_count,
    source_reassignment_count,
    previous_source_reassignment_count,
    source_file,
    source_line,
    extract_date

from paired
