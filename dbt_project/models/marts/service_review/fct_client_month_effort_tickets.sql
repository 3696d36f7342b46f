{#-
    The tickets a client's monthly service review lists in its effort section: per client
    and client-local month, the tickets with most hours worked (`fct_ticket_effort_months`),
    most first, ties by ticket id; at most `review_top_effort_tickets` (10) per month.
-#}
{%- set top_tickets = var('review_top_effort_tickets', 10) | int -%}

with

effort_months as (

    select * from {{ ref('fct_ticket_effort_months') }}

),

tickets as (

    select * from {{ ref('fct_tickets') }}

),

ranked as (

    select
        effort_months.client_id,
        effort_months.month,
        effort_months.ticket_id,
        tickets.subject,
        tickets.priority,
        tickets.status,
        effort_months.timeslip_count,
        effort_months.hours_worked,
        effort_months.hours_billed,
        cast(
            row_number() over (
                partition by effort_months.client_id, effort_months.month
                order by effort_months.hours_worked desc nulls last, effort_months.ticket_id asc
            ) as bigint
        ) as effort_rank

    from effort_months
    inner join tickets
        on effort_months.ticket_id = tickets.ticket_id

),

final as (

    select
        client_id,
        month,
        effort_rank,
        ticket_id,
        subject,
        priority,
        status,
        timeslip_count,
        hours_worked,
        hours_billed

    from ranked
    where effort_rank <= {{ top_tickets }}

)

select * from final
