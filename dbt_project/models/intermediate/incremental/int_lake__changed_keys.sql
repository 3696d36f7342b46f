{#-
    The tickets that lake rows ingested since the last build touch (`since_ingest_seq`), read
    from the lake once per build for every incremental model's scope
    (`macros/incremental.sql`). Empty on a full build, where no scope is read.
-#}

{%- set incremental_build = since_ingest_seq() >= 0 and not flags.FULL_REFRESH %}

-- depends_on: {{ source('psa', 'tickets') }}, {{ source('psa', 'ticket_events') }}
-- depends_on: {{ source('psa', 'timeslips') }}, {{ source('psa', 'surveys') }}
-- depends_on: {{ source('servicenow', 'incidents') }}

with

{% if incremental_build %}

new_tickets as (

    {{ new_lake_rows('psa', 'tickets') }}

),

new_events as (

    {{ new_lake_rows('psa', 'ticket_events') }}

),

new_incident_updates as (

    {{ new_lake_rows('servicenow', 'incidents') }}

),

-- A ticket with a new version, event or ServiceNow update: everything its clocks read.
ticket_rows as (

    select cast(ticket_id as string) as key_value from new_tickets
    union
    select cast(ticket_id as string) as key_value from new_events
    union
    select
        {{ dbt.concat(['cast(_client_id as string)', "':'", 'cast(number as string)']) }}
            as key_value
    from new_incident_updates

),

-- Every ticket any version of a changed timeslip was on: a timeslip moved from one
-- ticket to another touches both.
changed_timeslips as (

    select cast(ticket_id as string) as ticket_id
    from {{ source('psa', 'timeslips') }}
    where timeslip_id in (
        select timeslip_id from ({{ new_lake_rows('psa', 'timeslips') }}) as changed
    )

),

changed_surveys as (

    select cast(ticket_id as string) as ticket_id
    from {{ source('psa', 'surveys') }}
    where response_id in (
        select response_id from ({{ new_lake_rows('psa', 'surveys') }}) as changed
    )

),

keys as (

    select
        cast('ticket' as string) as key_type,
        key_value
    from ticket_rows
    union
    select
        cast('ticket_effort' as string) as key_type,
        ticket_id as key_value
    from changed_timeslips
    union
    select
        cast('ticket_effort' as string) as key_type,
        ticket_id as key_value
    from changed_surveys

)

{% else %}

keys as (

    select
        cast(null as string) as key_type,
        cast(null as string) as key_value
    where 1 = 0

)

{% endif %}

select
    key_type,
    key_value
from keys
where key_value is not null
