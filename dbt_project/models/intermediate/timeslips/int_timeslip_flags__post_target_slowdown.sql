{#-
    Rule post_target_slowdown: the engineer who eases off once the week's billing goal is
    met. Per ISO week (of work dates), entries are taken in order of start; the entry
    that brings the week's billed hours to the weekly billable target
    (weekly_contracted_hours x billable_target_pct / 100) ends "before", every later
    entry is "after". A week qualifies when at least `tertiary_threshold` hours were
    worked after, and billed hours per hour worked after are at least `threshold` (a
    share) below those before. Each qualifying week in a run of at least
    `secondary_threshold` consecutive qualifying weeks is flagged: one week is chance,
    a habit repeats.
-#}
with

rule as (

    {{ enabled_timeslip_rule('post_target_slowdown') }}

),

timeslips as (

    select * from {{ ref('int_timeslips__enriched') }}

),

dated as (

    select
        timeslip_id,
        engineer_id,
        engineer_timezone,
        started_at,
        ended_at,
        entered_at,
        hours_worked,
        hours_billed,
        weekly_contracted_hours * billable_target_pct / 100 as weekly_target,
        cast(
            {{ dbt.dateadd('day', '1 - ' ~ iso_day_of_week('work_date'), 'work_date') }}
            as date
        ) as week_start

    from timeslips
    where weekly_contracted_hours * billable_target_pct > 0

),

weekly as (

    select
        *,
        row_number() over (
            partition by engineer_id, week_start
            order by started_at, entered_at, timeslip_id
        ) as week_entry_number,
        sum(hours_billed) over (
            partition by engineer_id, week_start
            order by started_at, entered_at, timeslip_id
            rows between unbounded preceding and current row
        ) as billed_so_far

    from dated

),

reached as (

    select
        *,
        min(
            case when round(billed_so_far, 2) >= round(weekly_target, 2) then week_entry_number end
        ) over (partition by engineer_id, week_start) as reaching_entry_number

    from weekly

),

weeks as (

    select
        engineer_id,
        week_start,
        max(engineer_timezone) as engineer_timezone,
        max(weekly_target) as weekly_target,
        max(case when week_entry_number = reaching_entry_number then ended_at end) as reached_at,
        sum(case when week_entry_number <= reaching_entry_number then hours_worked else 0 end)
            as worked_before,
        sum(case when week_entry_number <= reaching_entry_number then hours_billed else 0 end)
            as billed_before,
        sum(case when week_entry_number > reaching_entry_number then hours_worked else 0 end)
            as worked_after,
        sum(case when week_entry_number > reaching_entry_number then hours_billed else 0 end)
            as billed_after

    from reached
    where reaching_entry_number is not null
    group by engineer_id, week_start

),

measured as (

    select
        weeks.*,
        rule.threshold,
        rule.secondary_threshold,
        rule.tertiary_threshold,
        weeks.billed_before / weeks.worked_before as pace_before,
        weeks.billed_after / weeks.worked_after as pace_after,
        1 - (weeks.billed_after / weeks.worked_after) / (weeks.billed_before / weeks.worked_before)
            as pace_drop

    from weeks
    cross join rule
    where weeks.worked_before > 0 and weeks.billed_before > 0 and weeks.worked_after > 0

),

slow_weeks as (

    select
        *,
        -- Consecutive weeks share an island: week number minus rank is constant.
        {{ dbt.datediff("cast('2000-01-03' as date)", 'week_start', 'day') }}
        / 7
        - row_number() over (partition by engineer_id order by week_start) as island

    from measured
    where worked_after >= tertiary_threshold and round(pace_drop, 6) >= threshold

),

runs as (

    select
        *,
        count(*) over (partition by engineer_id, island) as run_weeks

    from slow_weeks

),

final as (

    select
        cast('post_target_slowdown' as string) as rule_id,
        cast('engineer_period' as string) as subject_type,
        {{ dbt.concat(['engineer_id', "'|'", format_iso_week('week_start')]) }} as subject_id,
        engineer_id,
        cast(null as string) as client_id,
        cast(null as string) as ticket_id,
        cast(null as string) as timeslip_id,
        cast(null as date) as work_date,
        week_start as period_start,
        cast({{ dbt.dateadd('day', 6, 'week_start') }} as date) as period_end,
        cast(null as date) as month,
        cast('pace_drop' as string) as measure,
        cast(pace_drop as double) as measured_value,
        cast(threshold as double) as threshold_value,
        {{ dbt.concat([
            "'reached the '",
            format_number('weekly_target', 2),
            "' h weekly billable target at '",
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
            'cast(run_weeks as string)',
            "' such weeks; flagged from '",
            format_number('100 * threshold', 0),
            "'% slower in '",
            format_number('secondary_threshold', 0),
            "' consecutive weeks'",
        ]) }} as evidence

    from runs
    where run_weeks >= secondary_threshold

)

select * from final
