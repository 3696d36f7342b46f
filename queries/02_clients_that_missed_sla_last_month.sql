-- Which clients missed their SLA last month?
-- "Last month" is each client's latest complete month, in the client's time zone. A
-- client missed its SLA when any priority and metric with clocks stopped in the month
-- fell short of its policy's attainment target (a month without stopped clocks has no
-- verdict and is not listed).
with last_month as (
    select
        client_id,
        max(month) as month
    from fct_client_months
    where is_month_complete
    group by client_id
)

select
    m.client_id,
    c.client_name,
    m.contract_tier,
    m.month,
    m.first_response_clocks_stopped,
    round(m.first_response_attainment_pct, 1) as first_response_attainment_pct,
    m.resolution_clocks_stopped,
    round(m.resolution_attainment_pct, 1) as resolution_attainment_pct,
    m.sla_policies_missed
from fct_client_months as m
inner join last_month as l on m.client_id = l.client_id and m.month = l.month
inner join dim_clients as c on m.client_id = c.client_id
where not m.sla_met
order by m.sla_policies_missed desc, m.client_id asc;
