{#-
    Per client, client-local month of stopped SLA clocks and policy (priority and
    metric): clocks stopped and met, and whether they reached the policy's attainment
    target. Running clocks are left out.
-#}
with

clocks as (

    select * from {{ ref('int_sla__measured_clocks') }}

),

stopped as (

    select
        client_id,
        stopped_month as month,
        metric,
        priority,
        sla_status,
        attainment_target_pct

    from clocks
    where stopped_at is not null

),

policy_months as (

    select
        client_id,
        month,
        metric,
        priority,
        count(*) as clocks_stopped,
        sum(case when sla_status = 'met' then 1 else 0 end) as clocks_met,
        min(attainment_target_pct) as attainment_target_pct

    from stopped
    group by client_id, month, metric, priority

),

-- met / stopped >= target %, compared as met * 100 >= target * stopped so that a share
-- exactly on target is never lost to rounding.
judged as (

    select
        *,
        case
            when attainment_target_pct is not null
                then clocks_met * 100 >= attainment_target_pct * clocks_stopped
        end as is_attained

    from policy_months

)

select * from judged
