-- Which clients are least happy?
-- Happiness (100 x share of csat scores 9-10 minus share of 0-6) over each client's last
-- three complete months, unhappiest first. Each month counts by its number of responses,
-- which gives exactly the happiness of all those responses taken together.
with recent_months as (
    select
        client_id,
        month,
        csat_responses,
        happiness,
        row_number() over (partition by client_id order by month desc) as months_back
    from fct_client_months
    where is_month_complete
)

select
    r.client_id,
    c.client_name,
    c.contract_tier,
    min(r.month) as first_month,
    max(r.month) as last_month,
    cast(sum(r.csat_responses) as bigint) as csat_responses,
    round(sum(r.happiness * r.csat_responses) / sum(r.csat_responses), 1) as happiness
from recent_months as r
inner join dim_clients as c on r.client_id = c.client_id
where r.months_back <= 3
group by r.client_id, c.client_name, c.contract_tier
having sum(r.csat_responses) > 0
order by happiness, r.client_id;
