{#-
    The per-step view of ServiceNow counters must add up to the reopen and reassignment
    counts the warehouse publishes; a change to those rules shows up here.
-#}
with

steps as (

    select
        ticket_id,
        sum(reopens_counted) as reopens_counted,
        sum(reassignments_counted) as reassignments_counted

    from {{ ref('int_servicenow__counter_steps') }}
    group by ticket_id

),

tickets as (

    select * from {{ ref('fct_tickets') }}

)

select
    steps.ticket_id,
    steps.reopens_counted,
    tickets.reopen_count,
    steps.reassignments_counted,
    tickets.reassignment_count

from steps
left join tickets
    on steps.ticket_id = tickets.ticket_id
where
    tickets.ticket_id is null
    or steps.reopens_counted <> tickets.reopen_count
    or steps.reassignments_counted <> tickets.reassignment_count
