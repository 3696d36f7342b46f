{#-
    One row per engineer and billable-goal period (the engineer's `billable_goal_period`:
    ISO week, calendar month or calendar quarter) of the calendar's span: the hours the
    engineer was available in the whole period (contracted hours of its business days,
    less holidays and leave) and the period's billable goal, those hours x
    billable_target_pct / 100. The rules that judge behaviour around the goal
    (exact_target, post_target_slowdown) judge these periods. The goal period is the
    engineer's latest version's; the target is that of the version in force on the
    period's first day (the first day the calendar's span holds).
-#}
with

engineers as (

    select * from {{ ref('stg_reference__engineers') }}

),

available_days as (

    select * from {{ ref('int_engineer_available_days') }}

),

dated as (

    select
        available_days.engineer_id,
        engineers.billable_goal_period as goal_period,
        available_days.work_date,
        available_days.available_hours,
        coalesce(available_days.billable_target_pct, engineers.billable_target_pct)
            as billable_target_pct,
        {{ goal_period_start('engineers.billable_goal_period', 'available_days.work_date') }}
            as period_start

    from available_days
    inner join engineers
        on available_days.engineer_id = engineers.engineer_id

),

-- The target in force on the period's first day.
targeted as (

    select
        engineer_id,
        goal_period,
        work_date,
        available_hours,
        period_start,
        first_value(billable_target_pct) over (
            partition by engineer_id, period_start
            order by work_date
            rows between unbounded preceding and unbounded following
        ) as billable_target_pct

    from dated

),

periods as (

    select
        engineer_id,
        goal_period,
        period_start,
        max(billable_target_pct) as billable_target_pct,
        count(*) as calendar_days,
        sum(available_hours) as available_hours

    from targeted
    group by engineer_id, goal_period, period_start

),

final as (

    select
        {{ dbt.concat(['engineer_id', "'|'", goal_period_label('goal_period', 'period_start')]) }}
            as goal_period_id,
        engineer_id,
        goal_period,
        period_start,
        {{ goal_period_end('goal_period', 'period_start') }} as period_end,
        {{ goal_period_label('goal_period', 'period_start') }} as period_label,
        {{ goal_period_number('goal_period', 'period_start') }} as period_number,
        cast(
            {{ dbt.datediff('period_start', goal_period_end('goal_period', 'period_start'), 'day') }} + 1
            as integer
        ) as period_days,
        calendar_days,
        cast(available_hours as double) as available_hours,
        cast(billable_target_pct as double) as billable_target_pct,
        cast(round(available_hours * billable_target_pct / 100, 2) as double) as goal_hours

    from periods

)

select * from final
