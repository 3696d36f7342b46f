-- Where do we breach: which priorities and which clocks?
-- SLA clocks that stopped in each month (the client's local month of stopped_at), by
-- priority and metric: how many stopped, how many breached, and the share met. Running
-- clocks are left out, as in the monthly attainment.
select
    stopped_month as month,
    priority,
    metric,
    count(*) as clocks_stopped,
    count(*) filter (where sla_status = 'breached') as clocks_breached,
    round(100.0 * count(*) filter (where sla_status = 'met') / count(*), 1) as attainment_pct
from fct_ticket_sla
where stopped_at is not null
group by stopped_month, priority, metric
order by month, priority, metric;
