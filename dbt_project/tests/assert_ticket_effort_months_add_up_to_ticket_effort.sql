-- Every hour booked on a ticket of a known client is in exactly one of its effort
-- months: summed over its months, a ticket's hours worked and billed equal
-- `fct_tickets`. Rows returned are tickets where they differ.
with

tickets as (

    select * from {{ ref('fct_tickets') }}

),

clients as (

    select * from {{ ref('dim_clients') }}

),

effort_months as (

    select * from {{ ref('fct_ticket_effort_months') }}

),

summed as (

    select
        ticket_id,
        sum(hours_worked) as hours_worked,
        sum(hours_billed) as hours_billed

    from effort_months
    group by ticket_id

)

select
    tickets.ticket_id,
    tickets.effort_hours,
    summed.hours_worked

from tickets
inner join clients
    on tickets.client_id = clients.client_id
left join summed
    on tickets.ticket_id = summed.ticket_id
where
    abs(tickets.effort_hours - coalesce(summed.hours_worked, 0)) > 0.001
    or abs(tickets.hours_billed - coalesce(summed.hours_billed, 0)) > 0.001
