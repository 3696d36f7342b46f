{{ config(severity='warn') }}
-- A ticket of a known client created in a month the client is not reported for (before
-- its contract or after it ended) is counted in no client month: listed for review.
with

tickets as (

    select * from {{ ref('fct_tickets') }}

),

clients as (

    select * from {{ ref('dim_clients') }}

),

client_months as (

    select * from {{ ref('fct_client_months') }}

)

select
    tickets.ticket_id,
    tickets.client_id,
    tickets.created_month

from tickets
inner join clients
    on tickets.client_id = clients.client_id
left join client_months
    on
        tickets.client_id = client_months.client_id
        and tickets.created_month = client_months.month
where client_months.client_id is null
