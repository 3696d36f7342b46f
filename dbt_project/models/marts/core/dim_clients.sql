with

clients as (

    select * from {{ ref('stg_reference__clients') }}

),

tickets as (

    select * from {{ ref('fct_tickets') }}

),

ticket_counts as (

    select
        client_id,
        count(*) as ticket_count,
        sum(case when is_open then 1 else 0 end) as open_ticket_count

    from tickets
    group by client_id

),

final as (

    select
        clients.client_id,
        clients.client_name,
        clients.timezone,
        clients.calendar_id,
        clients.contract_tier,
        clients.contract_start,
        clients.contract_end,
        cast(coalesce(ticket_counts.ticket_count, 0) as bigint) as ticket_count,
        cast(coalesce(ticket_counts.open_ticket_count, 0) as bigint) as open_ticket_count

    from clients
    left join ticket_counts
        on clients.client_id = ticket_counts.client_id

)

select * from final
