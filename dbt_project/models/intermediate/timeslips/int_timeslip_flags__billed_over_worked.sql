{#-
    Rule billed_over_worked: an entry bills more hours than were worked, by more than
    `threshold` hours (0: any excess). Compared at the hundredth of an hour the PSA
    records, so floating-point noise never fires it.
-#}
with

rule as (

    {{ enabled_timeslip_rule('billed_over_worked') }}

),

timeslips as (

    select * from {{ ref('int_timeslips__enriched') }}

),

measured as (

    select
        timeslips.*,
        rule.threshold,
        round(timeslips.hours_billed - timeslips.hours_worked, 2) as excess_hours

    from timeslips
    inner join rule
        on {{ is_in_force('rule', 'timeslips.work_date') }}

),

over_billed as (

    select * from measured
    where excess_hours > threshold

),

final as (

    select
        {{ timeslip_subject_columns('billed_over_worked') }},
        cast('excess_hours' as string) as measure,
        cast(excess_hours as double) as measured_value,
        cast(threshold as double) as threshold_value,
        {{ dbt.concat([
            "'billed '",
            format_number('hours_billed', 2),
            "' h ('",
            'billable',
            "') for '",
            format_number('hours_worked', 2),
            "' h worked: '",
            format_number('excess_hours', 2),
            "' h more; more than '",
            format_number('threshold', 2),
            "' h over is flagged'",
        ]) }} as evidence

    from over_billed

)

select * from final
