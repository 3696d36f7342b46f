{{
    config(
        materialized=scoped_incremental(),
        incremental_strategy='replace_scope',
        incremental_scope='survey_response_scope',
        on_schema_change='fail',
    )
}}

with

source as (

    select * from {{ source('psa', 'surveys') }}
    where {{ incremental_scope_predicate('survey_response_scope') }}

),

renamed as (

    select
        cast(response_id as string) as response_id,
        cast(survey_type as string) as survey_type,
        cast(nullif(ticket_id, '') as string) as ticket_id,
        cast(client_id as string) as client_id,
        cast(nullif(contact_id, '') as string) as contact_id,
        cast(sent_at as {{ type_instant() }}) as sent_at,
        cast(responded_at as {{ type_instant() }}) as responded_at,
        cast(score as bigint) as score,
        cast(nullif(comment, '') as string) as comment,
        cast(lost_time_minutes as double) as lost_time_minutes,
        cast(follow_up_at as {{ type_instant() }}) as follow_up_at,
        cast(nullif(follow_up_by, '') as string) as follow_up_by,
        cast(nullif(follow_up_outcome, '') as string) as follow_up_outcome,
        cast(_source_file as string) as source_file,
        cast(_source_line as bigint) as source_line,
        cast(_file_sha256 as string) as file_sha256,
        cast(_extract_date as date) as extract_date,
        cast(coalesce(_ingest_seq, 0) as bigint) as ingest_seq

    from source

),

-- A response is final once given; a re-delivered response is the same response, and the
-- latest delivery wins.
latest as (

    {{ latest_version('renamed', 'response_id') }}

)

select
    response_id,
    survey_type,
    ticket_id,
    client_id,
    contact_id,
    sent_at,
    responded_at,
    score,
    comment,
    lost_time_minutes,
    follow_up_at,
    follow_up_by,
    follow_up_outcome,
    source_file,
    source_line,
    extract_date,
    ingest_seq

from latest
