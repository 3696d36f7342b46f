{#-
    Rule post_target_slowdown: the engineer who eases off once the billable goal is met.
    The goal is the engineer's, over the engineer's goal period (ISO week, calendar month
    or quarter: `billable_goal_period`; int_engineer_goal_periods): the period's available
    hours x billable_target_pct / 100. Per period, entries are taken in order of start;
    the entry that brings the period's billed hours to the goal ends "before", every later
    entry is "after". A period qualifies when at least `tertiary_threshold` hours were
    worked after, and billed hours per hour worked after are at least `threshold` (a
    share) below those before. Qualifying periods that follow one another form a run;
    each period of a run spanning at least `secondary_threshold` weeks is flagged. One
    slow week is chance, a habit repeats; a month or a quarter is evidence enough alone.
-#}
with

rule as (

    {{ enabled_timeslip_rule('post_target_slowdown') }}

),

timeslips as (

    select * from {{ ref('int_timeslips__enriched') }}

),

engineers as (

    select * from {{ ref('stg_reference__engineers') }}

),

goal_periods as (

    select * from {{ ref('int_engineer_goal_periods') }}

),

dated as (

    select
        timeslips.timeslip_id,
        timeslips.engineer_id,
        timeslips.engineer_timezone,
        timeslips.started_at,
        timeslips.ended_at,
        timeslips.entered_at,
        timeslips.hours_worked,
        timeslips.hours_billed,
        {{ goal_period_start('engineers.billable_goal_period', 'timeslips.work_date') }}
            as period_start

    from timeslips
    inner join engineers
        on timeslips.engineer_id = engineers.engineer_id

),

in_periods as (

    select
        dated.*,
        goal_periods.goal_period,
        goal_periods.period_end,
        goal_periods.period_label,
        goal_periods.period_number,
        goal_periods.period_days,
        goal_periods.goal_hours

    from dated
    inner join goal_periods
        on
            dated.engineer_id = goal_periods.engineer_id
            and dated.period_start = goal_periods.period_start
    where goal_periods.goal_hours > 0

),

ordered as (

    select
        *,
        row_number() over (
            partition by engineer_id, period_start
            order by started_at, entered_at, timeslip_id
        ) as period_entry_number,
        sum(hours_billed) over (
            partition by engineer_id, period_start
            order by started_at, entered_at, timeslip_id
            rows between unbounded preceding and current row
        ) as billed_so_far

    from in_periods

),

reached as (

    select
        *,
        min(
            case when round(billed_so_far, 2) >= round(goal_hours, 2) then period_entry_number end
        ) over (partition by engineer_id, period_start) as reaching_entry_number

    from ordered

),

periods as (

    select
        engineer_id,
        period_start,
        max(goal_period) as goal_period,
        max(period_end) as period_end,
        max(period_label) as period_label,
        max(period_number) as period_number,
        max(period_days) as period_days,
        max(engineer_timezone) as engineer_timezone,
        max(goal_hours) as goal_hours,
        max(case when period_entry_number = reaching_entry_number then ended_at end) as reached_at,
        sum(case when period_entry_number <= reaching_entry_number then hours_worked else 0 end)
            as worked_before,
        sum(case when period_entry_number <= reaching_entry_number then hours_billed else 0 end)
            as billed_before,
        sum(case when period_entry_number > reaching_entry_number then hours_worked else 0 end)
            as worked_after,
        sum(case when period_entry_number > reaching_entry_number then hours_billed else 0 end)
            as billed_after

    from reached
    where reaching_entry_number is not null
    group by engineer_id, period_start

),

measured as (

    select
        periods.*,
        rule.threshold,
        rule.secondary_threshold,
        rule.tertiary_threshold,
        periods.billed_before / periods.worked_before as pace_before,
        periods.billed_after / periods.worked_after as pace_after,
        1 - (periods.billed_after / periods.worked_after)
        / (periods.billed_before / periods.worked_before) as pace_drop

    from periods
    inner join rule
        on {{ is_in_force('rule', 'periods.period_start') }}
    where periods.worked_before > 0 and periods.billed_before > 0 and periods.worked_after > 0

),

slow_periods as (

    select
        *,
        -- Consecutive periods share an island: period number minus rank is constant.
        period_number
        - row_number() over (
            partition by engineer_id, goal_period order by period_start
        ) as island

    from measured
    where worked_after >= tertiary_threshold and round(pace_drop, 6) >= threshold

),

runs as (

    select
        *,
        count(*) over (partition by engineer_id, goal_period, island) as run_periods,
        sum(period_days) over (partition by engineer_id, goal_period, island) as run_days

    from slow_periods

),

final as (

    select
        {{ engineer_period_subject_columns('post_target_slowdown') }},
        cast('pace_drop' as string) as measure,
        cast(pace_drop as double) as measured_value,
        cast(threshold as double) as threshold_value,
        {{ dbt.concat([
            "'reached the '",
            format_number('goal_hours', 2),
            "' h '",
            'goal_period',
            "'ly billable goal at '",
            format_timestamp(to_local_timestamp('reached_at', 'engineer_timezone')),
            "' local; billed '",
            format_number('pace_before', 2),
            "' h per hour worked before ('",
            format_number('worked_before', 2),
            "' h worked), '",
            format_number('pace_after', 2),
            "' after ('",
            format_number('worked_after', 2),
            "' h worked): '",
            format_number('100 * pace_drop', 0),
            "'% slower, in a run of '",
            'cast(run_periods as string)',
            "' such '",
            'goal_period',
            "case when run_periods > 1 then 's' else '' end",
            "' ('",
            'cast(run_days as string)',
            "' days); flagged from '",
            format_number('100 * threshold', 0),
            "'% slower over '",
            format_number('secondary_threshold', 0),
            "' weeks'",
        ]) }} as evidence

    from runs
    where run_days >= 7 * secondary_threshold

)

select * from final
