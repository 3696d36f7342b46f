{#-
    The tickets every model counts: those of every source system whose client the
    reference data holds. A ticket of a client not in `clients.csv` has no calendar,
    time zone or tier to be counted by; it waits in `held_tickets` until the client is
    added, and no other client's figures wait for it.
-#}
with

tickets as (

    select * from {{ ref('int_tickets__delivered') }}

),

clients as (

    select * from {{ ref('stg_reference__clients') }}

),

final as (

    select
        tickets.ticket_id,
        tickets.client_id,
        tickets.contact_id,
        tickets.priority,
        tickets.category,
        tickets.channel,
        tickets.status,
        tickets.assigned_engineer_id,
        tickets.subject,
        tickets.created_at,
        tickets.first_response_at,
        tickets.resolved_at,
        tickets.closed_at,
        tickets.updated_at,
        tickets.source_system,
        tickets.source_file,
        tickets.source_line,
        tickets.extract_date

    from tickets
    inner join clients
        on tickets.client_id = clients.client_id

)

select * from final
