{#-
    Why a client-month met its SLA or not: one row per client, client-local month and
    SLA policy (priority and metric) with clocks stopped in the month, with its
    attainment beside its target. `fct_client_months.sla_met` is true exactly when every
    row of the month is attained.
-#}
with

policies as (

    select * from {{ ref('int_client_months__sla_policies') }}

),

final as (

    select
        {{ dbt.concat([
            'client_id', "'|'", format_month('month'), "'|'", 'priority', "'|'", 'metric'
        ]) }} as client_month_policy_id,
        client_id,
        month,
        priority,
        metric,
        cast(clocks_stopped as bigint) as clocks_stopped,
        cast(clocks_met as bigint) as clocks_met,
        100 * cast(clocks_met as double) / clocks_stopped as attainment_pct,
        cast(attainment_target_pct as double) as attainment_target_pct,
        is_attained

    from policies

)

select * from final
