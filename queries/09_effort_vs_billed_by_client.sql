-- Where does effort go unbilled?
-- Hours worked and hours billed on each client's tickets, by the month the tickets were
-- resolved (the client's local month of the last resolution): the unbilled hours and the
-- share of the effort billed. Latest month first, then the most unbilled.
select
    t.client_id,
    c.client_name,
    c.contract_tier,
    t.resolved_month as month,
    count(*) as tickets_resolved,
    round(sum(t.effort_hours), 1) as effort_hours,
    round(sum(t.hours_billed), 1) as hours_billed,
    round(sum(t.effort_hours) - sum(t.hours_billed), 1) as unbilled_hours,
    round(100.0 * sum(t.hours_billed) / nullif(sum(t.effort_hours), 0), 1) as billed_pct
from fct_tickets as t
inner join dim_clients as c on t.client_id = c.client_id
where t.resolved_month is not null
group by t.client_id, c.client_name, c.contract_tier, t.resolved_month
order by month desc, unbilled_hours desc, t.client_id asc;
