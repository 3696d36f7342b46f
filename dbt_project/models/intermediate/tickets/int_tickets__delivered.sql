{#-
    Tickets from every source system as delivered, in the shape of the PSA extract,
    whether or not the reference data knows their client. Source adapters
    (`stg_<source>__tickets`) are added here with `union all`; a ticket id is unique
    across sources.
-#}
with

psa as (

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
        cast('psa' as string) as source_system,
        source_file,
        source_line,
        extract_date

    from {{ ref('stg_psa__tickets') }}

),

servicenow as (

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
        cast('servicenow' as string) as source_system,
        source_file,
        source_line,
        extract_date

    from {{ ref('stg_servicenow__tickets') }}

)

select * from psa
union all
select * from servicenow
