{{
    config(
        materialized=scoped_incremental(),
        incremental_strategy='replace_scope',
        incremental_scope='ticket_event_scope',
        on_schema_change='fail',
    )
}}

{#-
    Every ticket event once, typed; the old and new values of a status or priority change
    read through the value map (the PSA's own words mapped onto the contract's), those of
    an assignee change as written.
-#}
with

source as (

    select * from {{ source('psa', 'ticket_events') }}
    where {{ incremental_scope_predicate('ticket_event_scope') }}

),

value_map as (

    select * from {{ ref('stg_reference__value_map') }}
    where source_system = 'psa'

),

mapped_fields as (

    select distinct field from value_map

),

renamed as (

    select
        cast(event_id as string) as event_id,
        cast(ticket_id as string) as ticket_id,
        cast(occurred_at as {{ type_instant() }}) as occurred_at,
        cast(field as string) as field,
        cast(nullif(old_value, '') as string) as delivered_old_value,
        cast(nullif(new_value, '') as string) as delivered_new_value,
        cast(nullif(actor_id, '') as string) as actor_id,
        cast(_source_file as string) as source_file,
        cast(_source_line as bigint) as source_line,
        cast(_file_sha256 as string) as file_sha256,
        cast(_extract_date as date) as extract_date,
        cast(coalesce(_ingest_seq, 0) as bigint) as ingest_seq

    from source

),

mapped as (

    select
        renamed.*,
        case
            when mapped_fields.field is null then renamed.delivered_old_value
            else old_values.canonical_value
        end as old_value,
        case
            when mapped_fields.field is null then renamed.delivered_new_value
            else new_values.canonical_value
        end as new_value

    from renamed
    left join mapped_fields
        on renamed.field = mapped_fields.field
    left join value_map as old_values
        on
            renamed.field = old_values.field
            and trim(renamed.delivered_old_value) = old_values.source_value
    left join value_map as new_values
        on
            renamed.field = new_values.field
            and trim(renamed.delivered_new_value) = new_values.source_value

),

-- Events are immutable, so there is no version column: a re-delivered event is the same
-- event, and the latest delivery wins.
latest as (

    {{ latest_version('mapped', 'event_id') }}

)

select
    event_id,
    ticket_id,
    occurred_at,
    field,
    old_value,
    new_value,
    actor_id,
    delivered_old_value,
    delivered_new_value,
    source_file,
    source_line,
    extract_date,
    ingest_seq

from latest
