{#-
    One row per client-month and XLA target of the client's contract tier: the metric's
    value, the responses behind it, and the target's status. A target is evaluated only
    with at least `min_responses` responses behind its metric (csat responses for
    happiness and lost time, nps responses for nps, negative csat responses for
    follow-up) and a value to compare. A month takes the targets in force on its first
    day (`valid_from` / `valid_to`), and the tier of the client's version in force then
    (`int_client_months`): a target that changes mid-month applies from the next month.
-#}
with

client_months as (

    select * from {{ ref('int_client_months') }}

),

targets as (

    select * from {{ ref('stg_reference__xla_targets') }}

),

survey_metrics as (

    select * from {{ ref('int_client_months__survey_metrics') }}

),

measured as (

    select
        client_months.client_id,
        client_months.month,
        targets.metric,
        targets.comparator,
        targets.target,
        targets.min_responses,
        cast(
            coalesce(
                case targets.metric
                    when 'happiness' then survey_metrics.csat_responses
                    when 'nps' then survey_metrics.nps_responses
                    when 'avg_lost_time_minutes' then survey_metrics.csat_responses
                    when 'negative_follow_up_pct' then survey_metrics.negative_responses
                end,
                0
            ) as bigint
        ) as responses,
        case targets.metric
            when 'happiness' then survey_metrics.happiness
            when 'nps' then survey_metrics.nps
            when 'avg_lost_time_minutes' then survey_metrics.avg_lost_time_minutes
            when 'negative_follow_up_pct' then survey_metrics.negative_follow_up_pct
        end as metric_value

    from client_months
    inner join targets
        on
            client_months.contract_tier = targets.contract_tier
            and {{ is_in_force('targets', 'client_months.month') }}
    left join survey_metrics
        on
            client_months.client_id = survey_metrics.client_id
            and client_months.month = survey_metrics.month

),

final as (

    select
        client_id,
        month,
        metric,
        comparator,
        target,
        min_responses,
        metric_value,
        responses,
        cast(
            case
                when responses < coalesce(min_responses, 0) or metric_value is null then 'insufficient_data'
                when comparator = '>=' and metric_value >= target then 'met'
                when comparator = '<=' and metric_value <= target then 'met'
                else 'missed'
            end as string
        ) as target_status

    from measured

)

select * from final
