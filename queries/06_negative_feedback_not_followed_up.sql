-- Which unhappy customers did nobody get back to in time?
-- Per client and month: csat responses scored 0-6, and how many of them were not
-- followed up by the end of the client's next business day. Latest month first, then
-- the most neglected.
select
    m.client_id,
    c.client_name,
    m.month,
    m.negative_responses,
    m.negative_responses - m.negatives_followed_up_on_time as not_followed_up_in_time,
    round(m.negative_follow_up_pct, 1) as negative_follow_up_pct,
    m.follow_up_target_status
from fct_client_months as m
inner join dim_clients as c on m.client_id = c.client_id
where m.negative_responses > m.negatives_followed_up_on_time
order by m.month desc, not_followed_up_in_time desc, m.client_id asc;
