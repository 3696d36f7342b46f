{#-
    Where a client's experience hurts most: one row per client, client-local month of
    the answer, dimension (`category`, `channel`, `priority`, `team`) and value of it,
    over the month's csat answers about a ticket. Happiness, its shortfall from the
    tier's happiness target weighted by the answers (HappySignals' impact), and the
    time lost, ranked within the client-month across all four dimensions.
-#}
with

responses as (

    select * from {{ ref('int_survey_responses__classified') }}

),

tickets as (

    select * from {{ ref('fct_tickets') }}

),

engineers as (

    select * from {{ ref('dim_engineers') }}

),

xla_evaluations as (

    select * from {{ ref('int_client_months__xla_evaluations') }}

),

-- Every csat answer about a ticket, with the ticket's category, channel and latest
-- priority and the team of its assignee. A value the ticket lacks (or a ticket the
-- warehouse does not hold) is the group `(none)`, so each dimension's groups add up to
-- the month's answers.
answers as (

    select
        responses.client_id,
        responses.month,
        responses.is_promoter,
        responses.is_detractor,
        responses.lost_time_minutes,
        coalesce(tickets.category, '(none)') as category,
        coalesce(tickets.channel, '(none)') as channel,
        coalesce(tickets.priority, '(none)') as priority,
        coalesce(engineers.team, '(none)') as team

    from responses
    left join tickets
        on responses.ticket_id = tickets.ticket_id
    left join engineers
        on tickets.assigned_engineer_id = engineers.engineer_id
    where
        responses.survey_type = 'csat'
        and responses.ticket_id is not null
        and responses.score is not null
        and responses.month is not null

),

by_dimension as (

    {% for dimension in ['category', 'channel', 'priority', 'team'] -%}
    select
        client_id,
        month,
        '{{ dimension }}' as dimension,
        {{ dimension }} as dimension_value,
        is_promoter,
        is_detractor,
        lost_time_minutes
    from answers
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

),

grouped as (

    select
        client_id,
        month,
        dimension,
        dimension_value,
        count(*) as csat_responses,
        sum(case when is_promoter then 1 else 0 end) as promoters,
        sum(case when is_detractor then 1 else 0 end) as detractors,
        count(lost_time_minutes) as lost_time_responses,
        sum(lost_time_minutes) as lost_minutes

    from by_dimension
    group by client_id, month, dimension, dimension_value

),

happiness_targets as (

    select
        client_id,
        month,
        comparator,
        target

    from xla_evaluations
    where metric = 'happiness'

),

measured as (

    select
        grouped.*,
        happiness_targets.comparator as happiness_comparator,
        cast(happiness_targets.target as double) as happiness_target,
        100 * cast(grouped.promoters - grouped.detractors as double) / grouped.csat_responses
            as happiness

    from grouped
    left join happiness_targets
        on
            grouped.client_id = happiness_targets.client_id
            and grouped.month = happiness_targets.month

),

-- How far the group falls short of the target, never below 0: a group above its target
-- hurts nothing, however many answered.
gaps as (

    select
        *,
        case
            when happiness_target is null then null
            when happiness_comparator = '<=' and happiness > happiness_target
                then happiness - happiness_target
            when happiness_comparator <> '<=' and happiness < happiness_target
                then happiness_target - happiness
            else 0
        end as happiness_gap,
        -- Answers x gap, counted in whole points (answers x target - 100 x (promoters -
        -- detractors)) rather than through the rounded happiness, so that equal impacts
        -- are equal and rank by their lost minutes.
        case
            when happiness_target is null then null
            when happiness_comparator = '<=' and happiness > happiness_target
                then 100 * (promoters - detractors) - csat_responses * happiness_target
            when happiness_comparator <> '<=' and happiness < happiness_target
                then csat_responses * happiness_target - 100 * (promoters - detractors)
            else 0
        end as happiness_impact

    from measured

),

ranked as (

    select
        *,
        row_number() over (
            partition by client_id, month
            order by
                coalesce(happiness_impact, 0) desc,
                coalesce(lost_minutes, 0) desc,
                dimension asc,
                dimension_value asc
        ) as impact_rank

    from gaps

),

final as (

    select
        {{ dbt.concat([
            'client_id', "'|'", format_month('month'), "'|'", 'dimension', "'|'", 'dimension_value'
        ]) }} as hotspot_id,
        client_id,
        month,
        cast(dimension as string) as dimension,
        cast(dimension_value as string) as dimension_value,
        cast(csat_responses as bigint) as csat_responses,
        cast(promoters as bigint) as promoters,
        cast(detractors as bigint) as detractors,
        happiness,
        happiness_target,
        cast(happiness_gap as double) as happiness_gap,
        cast(happiness_impact as double) as happiness_impact,
        cast(lost_time_responses as bigint) as lost_time_responses,
        cast(coalesce(lost_minutes, 0) as double) as lost_minutes,
        case
            when lost_time_responses > 0 then cast(lost_minutes as double) / lost_time_responses
        end as avg_lost_time_minutes,
        cast(impact_rank as bigint) as impact_rank

    from ranked

)

select * from final
