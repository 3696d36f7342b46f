with

source as (

    select * from {{ source('psa', 'ticket_events') }}

),

renamed as (

    select
        cast(event_id as string) as event_id,
        cast(ticket_id as string) as ticket_id,
        cast(occurred_at as {{ type_instant() }}) as occurred_at,
        cast(field as string) as field,
        cast(nullif(old_value, '') as string) as old_value,
        cast(nullif(new_value, '') as string) as new_value,
        cast(nullif(actor_id, '') as string) as actor_id,
        cast(_source_file as string) as source_file,
        cast(_source_line as bigint) as source_line,
        cast(_file_sha256 as string) as file_sha256,
        cast(_extract_date as date) as extract_date

    from source

),

-- Events are immutable, so there is no version column: a re-delivered event is the same
-- event, and the latest delivery wins.
latest as (

    {{ latest_version('renamed', 'event_id') }}

)

select
    event_id,
    ticket_id,
    occurred_at,
    field,
    old_value,
    new_value,
    actor_id,
    source_file,
    source_line,
    extract_date

from latest
