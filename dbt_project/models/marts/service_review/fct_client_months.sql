with

client_months as (

    select * from {{ ref('int_client_months') }}

),

ticket_kpis as (

    select * from {{ ref('int_client_months__ticket_kpis') }}

),

sla_attainment as (

    select * from {{ ref('int_client_months__sla_attainment') }}

),

survey_metrics as (

    select * from {{ ref('int_client_months__survey_metrics') }}

),

xla_evaluations as (

    select * from {{ ref('int_client_months__xla_evaluations') }}

),

response_rates as (

    select * from {{ ref('int_client_months__survey_response_rates') }}

),

publication_holds as (

    select * from {{ ref('publication_holds') }}

),

-- A month whose review is held says so, and why, in the row itself: a BI tool need not
-- know of publication_holds to tell held figures from final ones.
holds as (

    select
        client_id,
        month,
        {{ ordered_text('reason', 'rule_id', "' '") }} as held_reason

    from publication_holds
    group by client_id, month

),

xla_summary as (

    select
        client_id,
        month,
        sum(case when target_status <> 'insufficient_data' then 1 else 0 end) as xla_targets_evaluated,
        sum(case when target_status = 'missed' then 1 else 0 end) as xla_targets_missed,
        max(case when metric = 'happiness' then target_status end) as happiness_target_status,
        max(case when metric = 'nps' then target_status end) as nps_target_status,
        max(case when metric = 'avg_lost_time_minutes' then target_status end) as lost_time_target_status,
        max(case when metric = 'negative_follow_up_pct' then target_status end) as follow_up_target_status,
        max(case when metric = 'happiness' and is_low_confidence then 1 else 0 end) as happiness_low_confidence,
        max(case when metric = 'nps' and is_low_confidence then 1 else 0 end) as nps_low_confidence,
        max(
            case when metric = 'avg_lost_time_minutes' and is_low_confidence then 1 else 0 end
        ) as lost_time_low_confidence,
        max(
            case when metric = 'negative_follow_up_pct' and is_low_confidence then 1 else 0 end
        ) as follow_up_low_confidence

    from xla_evaluations
    group by client_id, month

),

joined as (

    select
        client_months.client_id,
        client_months.month,
        client_months.contract_tier,
        client_months.is_month_complete,
        sla_attainment.sla_met,
        ticket_kpis.median_business_resolution_minutes,
        survey_metrics.happiness,
        survey_metrics.nps,
        survey_metrics.avg_lost_time_minutes,
        survey_metrics.negative_follow_up_pct,
        xla_summary.happiness_target_status,
        xla_summary.nps_target_status,
        xla_summary.lost_time_target_status,
        xla_summary.follow_up_target_status,
        response_rates.csat_response_rate_pct,
        response_rates.nps_response_rate_pct,
        response_rates.response_rate_pct,
        holds.held_reason,
        coalesce(ticket_kpis.tickets_opened, 0) as tickets_opened,
        coalesce(ticket_kpis.tickets_resolved, 0) as tickets_resolved,
        coalesce(sla_attainment.first_response_clocks_stopped, 0) as first_response_clocks_stopped,
        coalesce(sla_attainment.first_response_clocks_met, 0) as first_response_clocks_met,
        coalesce(sla_attainment.resolution_clocks_stopped, 0) as resolution_clocks_stopped,
        coalesce(sla_attainment.resolution_clocks_met, 0) as resolution_clocks_met,
        coalesce(sla_attainment.sla_policies_missed, 0) as sla_policies_missed,
        coalesce(ticket_kpis.first_contact_resolutions, 0) as first_contact_resolutions,
        coalesce(ticket_kpis.reopened_tickets, 0) as reopened_tickets,
        coalesce(survey_metrics.csat_responses, 0) as csat_responses,
        coalesce(survey_metrics.nps_responses, 0) as nps_responses,
        coalesce(survey_metrics.lost_time_responses, 0) as lost_time_responses,
        coalesce(survey_metrics.negative_responses, 0) as negative_responses,
        coalesce(survey_metrics.negatives_followed_up_on_time, 0) as negatives_followed_up_on_time,
        coalesce(survey_metrics.csat_comments, 0) as csat_comments,
        coalesce(survey_metrics.nps_comments, 0) as nps_comments,
        coalesce(xla_summary.xla_targets_evaluated, 0) as xla_targets_evaluated,
        coalesce(xla_summary.xla_targets_missed, 0) as xla_targets_missed,
        coalesce(response_rates.csat_surveys_sent, 0) as csat_surveys_sent,
        coalesce(response_rates.csat_surveys_answered, 0) as csat_surveys_answered,
        coalesce(response_rates.nps_surveys_sent, 0) as nps_surveys_sent,
        coalesce(response_rates.nps_surveys_answered, 0) as nps_surveys_answered,
        coalesce(response_rates.surveys_sent, 0) as surveys_sent,
        coalesce(response_rates.surveys_answered, 0) as surveys_answered,
        coalesce(xla_summary.happiness_low_confidence, 0) = 1 as happiness_is_low_confidence,
        coalesce(xla_summary.nps_low_confidence, 0) = 1 as nps_is_low_confidence,
        coalesce(xla_summary.lost_time_low_confidence, 0) = 1 as lost_time_is_low_confidence,
        coalesce(xla_summary.follow_up_low_confidence, 0) = 1 as follow_up_is_low_confidence

    from client_months
    left join ticket_kpis
        on
            client_months.client_id = ticket_kpis.client_id
            and client_months.month = ticket_kpis.month
    left join sla_attainment
        on
            client_months.client_id = sla_attainment.client_id
            and client_months.month = sla_attainment.month
    left join survey_metrics
        on
            client_months.client_id = survey_metrics.client_id
            and client_months.month = survey_metrics.month
    left join xla_summary
        on
            client_months.client_id = xla_summary.client_id
            and client_months.month = xla_summary.month
    left join holds
        on
            client_months.client_id = holds.client_id
            and client_months.month = holds.month
    left join response_rates
        on
            client_months.client_id = response_rates.client_id
            and client_months.month = response_rates.month

),

rated as (

    select
        *,
        cast(
            case
                when xla_targets_evaluated = 0 then 'insufficient_data'
                when xla_targets_missed > 0 then 'missed'
                else 'met'
            end as string
        ) as xla_status

    from joined

),

-- Rates are null when nothing was counted: a quiet month has no rate, not 0 %.
final as (

    select
        client_id,
        month,
        contract_tier,
        is_month_complete,
        sla_met,
        median_business_resolution_minutes,
        happiness,
        nps,
        avg_lost_time_minutes,
        negative_follow_up_pct,
        happiness_target_status,
        nps_target_status,
        lost_time_target_status,
        follow_up_target_status,
        xla_status,
        held_reason,
        cast(tickets_opened as bigint) as tickets_opened,
        cast(tickets_resolved as bigint) as tickets_resolved,
        cast(first_response_clocks_stopped as bigint) as first_response_clocks_stopped,
        cast(first_response_clocks_met as bigint) as first_response_clocks_met,
        cast(resolution_clocks_stopped as bigint) as resolution_clocks_stopped,
        cast(resolution_clocks_met as bigint) as resolution_clocks_met,
        cast(sla_policies_missed as bigint) as sla_policies_missed,
        cast(first_contact_resolutions as bigint) as first_contact_resolutions,
        cast(reopened_tickets as bigint) as reopened_tickets,
        cast(csat_responses as bigint) as csat_responses,
        cast(nps_responses as bigint) as nps_responses,
        cast(lost_time_responses as bigint) as lost_time_responses,
        cast(negative_responses as bigint) as negative_responses,
        cast(negatives_followed_up_on_time as bigint) as negatives_followed_up_on_time,
        cast(csat_comments as bigint) as csat_comments,
        cast(nps_comments as bigint) as nps_comments,
        cast(xla_targets_evaluated as bigint) as xla_targets_evaluated,
        cast(xla_targets_missed as bigint) as xla_targets_missed,
        cast(csat_surveys_sent as bigint) as csat_surveys_sent,
        cast(csat_surveys_answered as bigint) as csat_surveys_answered,
        csat_response_rate_pct,
        cast(nps_surveys_sent as bigint) as nps_surveys_sent,
        cast(nps_surveys_answered as bigint) as nps_surveys_answered,
        nps_response_rate_pct,
        cast(surveys_sent as bigint) as surveys_sent,
        cast(surveys_answered as bigint) as surveys_answered,
        response_rate_pct,
        -- A target judged on a response rate below low_confidence_response_rate_pct.
        happiness_is_low_confidence,
        nps_is_low_confidence,
        lost_time_is_low_confidence,
        follow_up_is_low_confidence,
        {{ percent_of('first_response_clocks_met', 'first_response_clocks_stopped') }} as first_response_attainment_pct,
        {{ percent_of('resolution_clocks_met', 'resolution_clocks_stopped') }} as resolution_attainment_pct,
        -- Every clock stopped in the month, both metrics: the one SLA figure of a month
        -- that a chart can set beside its experience (the watermelon quadrant).
        case
            when first_response_clocks_stopped + resolution_clocks_stopped > 0
                then
                    100 * cast(first_response_clocks_met + resolution_clocks_met as double)
                    / (first_response_clocks_stopped + resolution_clocks_stopped)
        end as sla_attainment_pct,
        {{ percent_of('first_contact_resolutions', 'tickets_resolved') }} as first_contact_resolution_pct,
        {{ percent_of('reopened_tickets', 'tickets_resolved') }} as reopen_rate_pct,
        -- Green outside, red inside: the SLA reads fine while the client's experience
        -- misses its targets. A month without stopped clocks has no SLA verdict to hide
        -- behind, so it is never a watermelon.
        coalesce(sla_met, false) and xla_status = 'missed' as is_watermelon,
        held_reason is not null as is_held

    from rated

)

select * from final
