-- Where is the SLA green but the experience red?
-- Watermelon client-months: every SLA policy met while an XLA target was missed, latest
-- first, with the experience numbers and which targets were missed.
select
    m.client_id,
    c.client_name,
    m.month,
    m.is_month_complete,
    round(m.first_response_attainment_pct, 1) as first_response_attainment_pct,
    round(m.resolution_attainment_pct, 1) as resolution_attainment_pct,
    m.csat_responses,
    round(m.happiness, 1) as happiness,
    m.happiness_target_status,
    round(m.nps, 1) as nps,
    m.nps_target_status,
    round(m.avg_lost_time_minutes, 1) as avg_lost_time_minutes,
    m.lost_time_target_status,
    round(m.negative_follow_up_pct, 1) as negative_follow_up_pct,
    m.follow_up_target_status
from fct_client_months as m
inner join dim_clients as c on m.client_id = c.client_id
where m.is_watermelon
order by m.month desc, m.client_id asc;
