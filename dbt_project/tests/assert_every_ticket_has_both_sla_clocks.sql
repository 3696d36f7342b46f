-- Every ticket has exactly one first_response and one resolution clock.
select
    tickets.ticket_id,
    count(sla.metric) as clocks

from {{ ref('fct_tickets') }} as tickets
left join {{ ref('fct_ticket_sla') }} as sla
    on tickets.ticket_id = sla.ticket_id
group by tickets.ticket_id
having count(sla.metric) <> 2
