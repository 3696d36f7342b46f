{#-
    Per client and client-local month of `responded_at`: the XLA survey metrics of
    docs/contract.md §4 and the counts behind them.
-#}
with

responses as (

    select * from {{ ref('int_survey_responses__classified') }}

),

counted as (

    select
        client_id,
        month,
        sum(case when survey_type = 'csat' then 1 else 0 end) as csat_responses,
        sum(case when survey_type = 'csat' and is_promoter then 1 else 0 end) as csat_promoters,
        sum(case when survey_type = 'csat' and is_detractor then 1 else 0 end) as csat_detractors,
        sum(case when survey_type = 'nps' then 1 else 0 end) as nps_responses,
        sum(case when survey_type = 'nps' and is_promoter then 1 else 0 end) as nps_promoters,
        sum(case when survey_type = 'nps' and is_detractor then 1 else 0 end) as nps_detractors,
        sum(
            case when survey_type = 'csat' and lost_time_minutes is not null then 1 else 0 end
        ) as lost_time_responses,
        avg(case when survey_type = 'csat' then lost_time_minutes end) as avg_lost_time_minutes,
        sum(case when is_negative then 1 else 0 end) as negative_responses,
        sum(case when is_followed_up_on_time then 1 else 0 end) as negatives_followed_up_on_time,
        sum(case when survey_type = 'csat' and has_comment then 1 else 0 end) as csat_comments,
        sum(case when survey_type = 'nps' and has_comment then 1 else 0 end) as nps_comments

    from responses
    where month is not null
    group by client_id, month

),

final as (

    select
        client_id,
        month,
        cast(csat_responses as bigint) as csat_responses,
        cast(csat_promoters as bigint) as csat_promoters,
        cast(csat_detractors as bigint) as csat_detractors,
        cast(nps_responses as bigint) as nps_responses,
        cast(nps_promoters as bigint) as nps_promoters,
        cast(nps_detractors as bigint) as nps_detractors,
        cast(lost_time_responses as bigint) as lost_time_responses,
        cast(avg_lost_time_minutes as double) as avg_lost_time_minutes,
        cast(negative_responses as bigint) as negative_responses,
        cast(negatives_followed_up_on_time as bigint) as negatives_followed_up_on_time,
        cast(csat_comments as bigint) as csat_comments,
        cast(nps_comments as bigint) as nps_comments,
        {{ percent_of('csat_promoters - csat_detractors', 'csat_responses') }} as happiness,
        {{ percent_of('nps_promoters - nps_detractors', 'nps_responses') }} as nps,
        {{ percent_of('negatives_followed_up_on_time', 'negative_responses') }} as negative_follow_up_pct

    from counted

)

select * from final
