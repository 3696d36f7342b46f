with

source as (

    select * from {{ source('psa', 'tickets') }}

),

renamed as (

    select
        cast(ticket_id as string) as ticket_id,
        cast(client_id as string) as client_id,
        cast(nullif(contact_id, '') as string) as contact_id,
        cast(priority as string) as priority,
        cast(nullif(category, '') as string) as category,
        cast(nullif(channel, '') as string) as channel,
        cast(status as string) as status,
        cast(nullif(assigned_engineer_id, '') as string) as assigned_engineer_id,
        cast(nullif(subject, '') as string) as subject,
        cast(created_at as {{ type_instant() }}) as created_at,
        cast(first_response_at as {{ type_instant() }}) as first_response_at,
        cast(resolved_at as {{ type_instant() }}) as resolved_at,
        cast(closed_at as {{ type_instant() }}) as closed_at,
        cast(updated_at as {{ type_instant() }}) as updated_at,
        cast(_source_file as string) as source_file,
        cast(_source_line as bigint) as source_line,
        cast(_file_sha256 as string) as file_sha256,
        cast(_extract_date as date) as extract_date

    from source

),

latest as (

    {{ latest_version('renamed', 'ticket_id', 'updated_at') }}

)

select
    ticket_id,
    client_id,
    contact_id,
    priority,
    category,
    channel,
    status,
    assigned_engineer_id,
    subject,
    created_at,
    first_response_at,
    resolved_at,
    closed_at,
    updated_at,
    source_file,
    source_line,
    extract_date

from latest
