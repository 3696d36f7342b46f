-- Which open tickets are past their SLA right now?
-- Every running clock of an open ticket that has gone over its target at as_of, the
-- build's "now": a first response still owed, or a resolution. Longest overdue first;
-- minutes_over_target counts the clock's own minutes (business minutes on a business
-- clock).
select
    t.ticket_id,
    c.client_name,
    t.priority,
    t.status,
    e.engineer_name as assigned_engineer,
    s.metric,
    s.clock,
    s.due_at,
    s.elapsed_minutes - s.target_minutes as minutes_over_target,
    p.as_of
from fct_ticket_sla as s
inner join fct_tickets as t on s.ticket_id = t.ticket_id
inner join dim_clients as c on t.client_id = c.client_id
left join dim_engineers as e on t.assigned_engineer_id = e.engineer_id
cross join run_parameters as p
where
    t.is_open
    and s.stopped_at is null
    and s.sla_status = 'breached'
order by s.due_at, t.ticket_id, s.metric;
