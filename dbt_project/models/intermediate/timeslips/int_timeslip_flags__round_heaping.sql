{#-
    Rule round_heaping: in a month (of work dates) with at least `tertiary_threshold`
    entries, the share of an engineer's entries whose hours_worked are a whole or half
    hour is at least `threshold` and at least `secondary_threshold` times the same share
    over the rest of the engineer's team that month. Time typed from memory heaps on
    round numbers; time taken from a timer does not. An engineer with no teammates who
    worked that month has nobody to be compared with and is not flagged.
-#}
with

rule as (

    {{ enabled_timeslip_rule('round_heaping') }}

),

timeslips as (

    select * from {{ ref('int_timeslips__enriched') }}

),

classified as (

    select
        engineer_id,
        team,
        cast({{ dbt.date_trunc('month', 'work_date') }} as date) as work_month,
        case
            when hours_worked > 0 and mod(cast(round(hours_worked * 100) as bigint), 50) = 0 then 1
            else 0
        end as is_round

    from timeslips
    where team is not null

),

engineer_months as (

    select
        engineer_id,
        team,
        work_month,
        count(*) as entry_count,
        sum(is_round) as round_count

    from classified
    group by engineer_id, team, work_month

),

team_months as (

    select
        team,
        work_month,
        count(*) as entry_count,
        sum(is_round) as round_count

    from classified
    group by team, work_month

),

measured as (

    select
        engineer_months.engineer_id,
        engineer_months.team,
        engineer_months.work_month,
        engineer_months.entry_count,
        engineer_months.round_count,
        rule.threshold,
        rule.secondary_threshold,
        rule.tertiary_threshold,
        cast(engineer_months.round_count as double) / engineer_months.entry_count as round_share,
        team_months.entry_count - engineer_months.entry_count as rest_entry_count,
        cast(team_months.round_count - engineer_months.round_count as double)
        / (team_months.entry_count - engineer_months.entry_count) as rest_round_share

    from engineer_months
    inner join rule
        on {{ is_in_force('rule', 'engineer_months.work_month') }}
    inner join team_months
        on
            engineer_months.team = team_months.team
            and engineer_months.work_month = team_months.work_month
    where team_months.entry_count > engineer_months.entry_count

),

heaped as (

    select * from measured
    where
        entry_count >= tertiary_threshold
        -- Shares compared to the millionth, so 4 of 5 is 0.8 whatever the float.
        and round(round_share, 6) >= threshold
        and round(round_share, 6) >= round(secondary_threshold * rest_round_share, 6)

),

final as (

    select
        {{ engineer_month_subject_columns('round_heaping') }},
        cast('round_share' as string) as measure,
        cast(round_share as double) as measured_value,
        cast(threshold as double) as threshold_value,
        {{ dbt.concat([
            'cast(round_count as string)',
            "' of '",
            'cast(entry_count as string)',
            "' entries in '",
            format_month('work_month'),
            "' last whole or half hours ('",
            format_number('100 * round_share', 0),
            "'%); rest of team '",
            'team',
            "' '",
            format_number('100 * rest_round_share', 0),
            "'% of '",
            'cast(rest_entry_count as string)',
            "'; flagged at '",
            format_number('100 * threshold', 0),
            "'% and '",
            format_number('secondary_threshold', 1),
            "' times the team'",
        ]) }} as evidence

    from heaped

)

select * from final
