{#-
    Rule exact_target: in a month (of work dates) with at least `tertiary_threshold` days
    worked, the engineer's billed hours equal the daily billable target exactly on at
    least `threshold` (a share) of the days worked. The daily target is
    weekly_contracted_hours x billable_target_pct / 100 / 5; real days scatter around it,
    a timesheet written to the target hits it to the hundredth. Days worked are the
    dates with any entry.
-#}
with

rule as (

    {{ enabled_timeslip_rule('exact_target') }}

),

timeslips as (

    select * from {{ ref('int_timeslips__enriched') }}

),

days as (

    select
        engineer_id,
        work_date,
        cast({{ dbt.date_trunc('month', 'work_date') }} as date) as work_month,
        round(sum(hours_billed), 2) as hours_billed,
        round(max(weekly_contracted_hours) * max(billable_target_pct) / 100 / 5, 2) as daily_target

    from timeslips
    group by engineer_id, work_date

),

months as (

    select
        engineer_id,
        work_month,
        max(daily_target) as daily_target,
        count(*) as days_worked,
        sum(case when hours_billed = daily_target then 1 else 0 end) as exact_days

    from days
    where daily_target > 0
    group by engineer_id, work_month

),

measured as (

    select
        months.*,
        rule.threshold,
        rule.tertiary_threshold,
        cast(months.exact_days as double) / months.days_worked as exact_share

    from months
    cross join rule

),

on_target as (

    select * from measured
    where days_worked >= tertiary_threshold and round(exact_share, 6) >= threshold

),

final as (

    select
        {{ engineer_month_subject_columns('exact_target') }},
        cast('exact_target_share' as string) as measure,
        cast(exact_share as double) as measured_value,
        cast(threshold as double) as threshold_value,
        {{ dbt.concat([
            "'billed exactly the daily target of '",
            format_number('daily_target', 2),
            "' h on '",
            'cast(exact_days as string)',
            "' of '",
            'cast(days_worked as string)',
            "' days worked in '",
            format_month('work_month'),
            "' ('",
            format_number('100 * exact_share', 0),
            "'%); flagged at '",
            format_number('100 * threshold', 0),
            "'%'",
        ]) }} as evidence

    from on_target

)

select * from final
