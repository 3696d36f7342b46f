{#-
    Tickets delivered for a client that the reference data (`clients.csv`) does not hold.
    They stay in the lake and out of every other mart: no calendar, time zone or tier is
    known to count them by. The client's other figures and every other client's are
    published as usual; once the client is added, the next run builds its tickets in.
-#}
with

delivered as (

    select * from {{ ref('int_tickets__delivered') }}

),

clients as (

    select * from {{ ref('stg_reference__clients') }}

),

final as (

    select
        delivered.ticket_id,
        delivered.client_id,
        delivered.source_system,
        delivered.source_file,
        delivered.source_line,
        delivered.updated_at,
        {{ dbt.concat([
            "'client_id '",
            "coalesce(delivered.client_id, '(empty)')",
            "' is not in clients.csv'",
        ]) }} as reason

    from delivered
    left join clients
        on delivered.client_id = clients.client_id
    where clients.client_id is null

)

select * from final
