{#-
    Tickets opened per client, client-local month and priority (`fct_tickets.created_month`
    and the latest priority): the stacked bars of ticket volume in a client's monthly
    service review. A ticket without a priority counts under a null priority.
-#}
with

tickets as (

    select * from {{ ref('fct_tickets') }}

),

final as (

    select
        client_id,
        created_month as month,
        priority,
        cast(count(*) as bigint) as tickets_opened

    from tickets
    where created_month is not null
    group by client_id, created_month, priority

)

select * from final
