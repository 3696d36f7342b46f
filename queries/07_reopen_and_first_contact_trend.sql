-- Are our fixes sticking?
-- Over all clients, per month: the tickets resolved (in the client's local month of
-- their last resolution), the share reopened at least once, and the share resolved in
-- one touch (first-contact resolution).
select
    month,
    cast(sum(tickets_resolved) as bigint) as tickets_resolved,
    cast(sum(reopened_tickets) as bigint) as reopened_tickets,
    round(100.0 * sum(reopened_tickets) / nullif(sum(tickets_resolved), 0), 1) as reopen_rate_pct,
    cast(sum(first_contact_resolutions) as bigint) as first_contact_resolutions,
    round(
        100.0 * sum(first_contact_resolutions) / nullif(sum(tickets_resolved), 0), 1
    ) as first_contact_resolution_pct
from fct_client_months
group by month
order by month;
