{#-
    Per client and client-local month of stopped SLA clocks: clocks stopped and met per
    metric, and whether every (priority, metric) policy with stopped clocks reached its
    attainment target (`int_client_months__sla_policies`). Running clocks are left out.
-#}
with

policies as (

    select * from {{ ref('int_client_months__sla_policies') }}

),

final as (

    select
        client_id,
        month,
        cast(sum(case when metric = 'first_response' then clocks_stopped else 0 end) as bigint)
            as first_response_clocks_stopped,
        cast(sum(case when metric = 'first_response' then clocks_met else 0 end) as bigint)
            as first_response_clocks_met,
        cast(sum(case when metric = 'resolution' then clocks_stopped else 0 end) as bigint)
            as resolution_clocks_stopped,
        cast(sum(case when metric = 'resolution' then clocks_met else 0 end) as bigint)
            as resolution_clocks_met,
        cast(sum(case when not is_attained then 1 else 0 end) as bigint)
            as sla_policies_missed,
        min(case when is_attained then 1 when not is_attained then 0 end) = 1 as sla_met

    from policies
    group by client_id, month

)

select * from final
