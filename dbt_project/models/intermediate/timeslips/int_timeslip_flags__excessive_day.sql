{#-
    Rule excessive_day: an engineer's hours_worked on one work date add up to more than
    `threshold` hours. One flag per engineer and date.
-#}
with

rule as (

    {{ enabled_timeslip_rule('excessive_day') }}

),

timeslips as (

    select * from {{ ref('int_timeslips__enriched') }}

),

days as (

    select
        engineer_id,
        work_date,
        round(sum(hours_worked), 2) as hours_worked,
        count(*) as entry_count,
        min(started_local) as first_started_local,
        max(ended_local) as last_ended_local

    from timeslips
    group by engineer_id, work_date

),

excessive as (

    select
        days.*,
        rule.threshold

    from days
    inner join rule
        on {{ is_in_force('rule', 'days.work_date') }}
    where days.hours_worked > rule.threshold

),

final as (

    select
        cast('excessive_day' as string) as rule_id,
        cast('engineer_day' as string) as subject_type,
        {{ dbt.concat(['engineer_id', "'|'", format_date('work_date')]) }} as subject_id,
        engineer_id,
        cast(null as string) as client_id,
        cast(null as string) as ticket_id,
        cast(null as string) as timeslip_id,
        work_date,
        work_date as period_start,
        work_date as period_end,
        cast(null as date) as month,
        cast('hours_worked' as string) as measure,
        cast(hours_worked as double) as measured_value,
        cast(threshold as double) as threshold_value,
        {{ dbt.concat([
            "'worked '",
            format_number('hours_worked', 2),
            "' h on '",
            format_date('work_date'),
            "' in '",
            'cast(entry_count as string)',
            "' entries between '",
            format_time('first_started_local'),
            "' and '",
            format_time('last_ended_local'),
            "' local; more than '",
            format_number('threshold', 2),
            "' h in a day is flagged'",
        ]) }} as evidence

    from excessive

)

select * from final
