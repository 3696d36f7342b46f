{#-
    Rule exact_target: in a billable-goal period of the engineer (ISO week, calendar month
    or quarter: `billable_goal_period`) with at least `tertiary_threshold` days worked, the
    engineer's billed hours of a day equal the day's share of the goal exactly on at least
    `threshold` (a share) of the days worked. A day's share of the goal is its available
    hours (contracted, less holidays and leave) x billable_target_pct / 100, to the
    hundredth; real days scatter around it, a timesheet written to the goal hits it to the
    hundredth. Days worked are the dates with any entry and a goal above zero.
-#}
with

rule as (

    {{ enabled_timeslip_rule('exact_target') }}

),

timeslips as (

    select * from {{ ref('int_timeslips__enriched') }}

),

engineers as (

    select * from {{ ref('stg_reference__engineers') }}

),

available_days as (

    select * from {{ ref('int_engineer_available_days') }}

),

goal_periods as (

    select * from {{ ref('int_engineer_goal_periods') }}

),

days as (

    select
        engineer_id,
        work_date,
        round(sum(hours_billed), 2) as hours_billed

    from timeslips
    group by engineer_id, work_date

),

day_goals as (

    select
        days.engineer_id,
        days.work_date,
        days.hours_billed,
        round(available_days.available_hours * engineers.billable_target_pct / 100, 2)
            as daily_goal,
        {{ goal_period_start('engineers.billable_goal_period', 'days.work_date') }}
            as period_start

    from days
    inner join engineers
        on days.engineer_id = engineers.engineer_id
    inner join available_days
        on
            days.engineer_id = available_days.engineer_id
            and days.work_date = available_days.work_date

),

periods as (

    select
        engineer_id,
        period_start,
        max(daily_goal) as full_day_goal,
        count(*) as days_worked,
        sum(case when hours_billed = daily_goal then 1 else 0 end) as exact_days

    from day_goals
    where daily_goal > 0
    group by engineer_id, period_start

),

measured as (

    select
        periods.*,
        goal_periods.goal_period,
        goal_periods.period_end,
        goal_periods.period_label,
        rule.threshold,
        rule.tertiary_threshold,
        cast(periods.exact_days as double) / periods.days_worked as exact_share

    from periods
    inner join goal_periods
        on
            periods.engineer_id = goal_periods.engineer_id
            and periods.period_start = goal_periods.period_start
    inner join rule
        on {{ is_in_force('rule', 'periods.period_start') }}

),

on_target as (

    select * from measured
    where days_worked >= tertiary_threshold and round(exact_share, 6) >= threshold

),

final as (

    select
        {{ engineer_period_subject_columns('exact_target') }},
        cast('exact_target_share' as string) as measure,
        cast(exact_share as double) as measured_value,
        cast(threshold as double) as threshold_value,
        {{ dbt.concat([
            "'billed exactly the daily share of the '",
            "goal_period",
            "'ly billable goal ('",
            format_number('full_day_goal', 2),
            "' h on a full day) on '",
            'cast(exact_days as string)',
            "' of '",
            'cast(days_worked as string)',
            "' days worked in '",
            'period_label',
            "' ('",
            format_number('100 * exact_share', 0),
            "'%); flagged at '",
            format_number('100 * threshold', 0),
            "'%'",
        ]) }} as evidence

    from on_target

)

select * from final
