{{
    config(
        materialized=scoped_incremental(),
        incremental_strategy='replace_scope',
        incremental_scope='timeslip_version_scope',
        on_schema_change='fail',
    )
}}

with

source as (

    select * from {{ source('psa', 'timeslips') }}
    where {{ incremental_scope_predicate('timeslip_version_scope') }}

),

renamed as (

    select
        cast(timeslip_id as string) as timeslip_id,
        cast(engineer_id as string) as engineer_id,
        cast(nullif(ticket_id, '') as string) as ticket_id,
        cast(nullif(client_id, '') as string) as client_id,
        cast(work_date as date) as work_date,
        cast(started_at as {{ type_instant() }}) as started_at,
        cast(ended_at as {{ type_instant() }}) as ended_at,
        cast(hours_worked as double) as hours_worked,
        cast(hours_billed as double) as hours_billed,
        cast(billable as string) as billable,
        cast(nullif(work_type, '') as string) as work_type,
        cast(nullif(notes, '') as string) as notes,
        cast(entered_at as {{ type_instant() }}) as entered_at,
        cast(updated_at as {{ type_instant() }}) as updated_at,
        cast(_source_file as string) as source_file,
        cast(_source_line as bigint) as source_line,
        cast(_file_sha256 as string) as file_sha256,
        cast(_extract_date as date) as extract_date,
        cast(coalesce(_ingest_seq, 0) as bigint) as ingest_seq

    from source

),

latest as (

    {{ latest_version('renamed', 'timeslip_id', 'updated_at') }}

)

select
    timeslip_id,
    engineer_id,
    ticket_id,
    client_id,
    work_date,
    started_at,
    ended_at,
    hours_worked,
    hours_billed,
    billable,
    work_type,
    notes,
    entered_at,
    updated_at,
    source_file,
    source_line,
    extract_date,
    ingest_seq

from latest
