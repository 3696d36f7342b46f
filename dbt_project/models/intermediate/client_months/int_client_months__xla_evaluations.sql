{#-
    One row per client-month and XLA target of the client's contract tier: the metric's
    value, the responses behind it, and the target's status. A target is evaluated only
    with at least `min_responses` responses behind its metric (csat responses for
    happiness and lost time, nps responses for nps, negative csat responses for
    follow-up) and a value to compare. A month takes the targets in force on its first
    day (`valid_from` / `valid_to`), and the tier of the client's version in force then
    (`int_client_months`): a target that changes mid-month applies from the next month.
    An evaluated target (met or missed) whose response rate (csat surveys for happiness,
    lost time and follow-up, nps surveys for nps, by the month sent) is below
    `low_confidence_response_rate_pct` is low confidence.
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

response_rates as (

    select * from {{ ref('int_client_months__survey_response_rates') }}

),

msp_settings as (

    select * from {{ ref('stg_reference__msp_settings') }}

),

low_confidence as (

    {{ msp_setting_values(
        'msp_settings', [('low_confidence_response_rate_pct', 'double', 'below_response_rate_pct')]
    ) }}

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
        end as metric_value,
        case targets.metric
            when 'nps' then response_rates.nps_response_rate_pct
            else response_rates.csat_response_rate_pct
        end as response_rate_pct

    from client_months
    inner join targets
        on
            client_months.contract_tier = targets.contract_tier
            and {{ is_in_force('targets', 'client_months.month') }}
    left join survey_metrics
        on
            client_months.client_id = survey_metrics.client_id
            and client_months.month = survey_metrics.month
    left join response_rates
        on
            client_months.client_id = response_rates.client_id
            and client_months.month = response_rates.month

),

judged as (

    select
        client_id,
        month,
        metric,
        comparator,
        target,
        min_responses,
        metric_value,
        responses,
        response_rate_pct,
        cast(
            case
                when responses < coalesce(min_responses, 0) or metric_value is null then 'insufficient_data'
                when comparator = '>=' and metric_value >= target then 'met'
                when comparator = '<=' and metric_value <= target then 'met'
                else 'missed'
            end as string
        ) as target_status

    from measured

),

final as (

    select
        judged.client_id,
        judged.month,
        judged.metric,
        judged.comparator,
        judged.target,
        judged.min_responses,
        judged.metric_value,
        judged.responses,
        judged.target_status,
        judged.response_rate_pct,
        -- Judged on too few of the surveys sent; a rate not known is no reason to doubt.
        coalesce(
            judged.target_status <> 'insufficient_data'
            and judged.response_rate_pct < low_confidence.below_response_rate_pct,
            false
        ) as is_low_confidence

    from judged
    left join low_confidence
        on 1 = 1

)

select * from final
