-- A client-month's SLA verdict is its policies': the clocks stopped and met per metric
-- add up to `fct_client_months`, and `sla_met` holds exactly when every policy of the
-- month is attained. Rows returned are client-months where the two disagree.
with

client_months as (

    select * from {{ ref('fct_client_months') }}

),

policies as (

    select * from {{ ref('fct_client_month_sla_policies') }}

),

summed as (

    select
        client_id,
        month,
        sum(case when metric = 'first_response' then clocks_stopped else 0 end) as first_response_clocks_stopped,
        sum(case when metric = 'first_response' then clocks_met else 0 end) as first_response_clocks_met,
        sum(case when metric = 'resolution' then clocks_stopped else 0 end) as resolution_clocks_stopped,
        sum(case when metric = 'resolution' then clocks_met else 0 end) as resolution_clocks_met,
        sum(case when not is_attained then 1 else 0 end) as sla_policies_missed,
        min(case when is_attained then 1 when not is_attained then 0 end) = 1 as sla_met

    from policies
    group by client_id, month

)

select
    client_months.client_id,
    client_months.month

from client_months
left join summed
    on
        client_months.client_id = summed.client_id
        and client_months.month = summed.month
where
    coalesce(summed.first_response_clocks_stopped, 0) <> client_months.first_response_clocks_stopped
    or coalesce(summed.first_response_clocks_met, 0) <> client_months.first_response_clocks_met
    or coalesce(summed.resolution_clocks_stopped, 0) <> client_months.resolution_clocks_stopped
    or coalesce(summed.resolution_clocks_met, 0) <> client_months.resolution_clocks_met
    or coalesce(summed.sla_policies_missed, 0) <> client_months.sla_policies_missed
    or summed.sla_met is distinct from client_months.sla_met
