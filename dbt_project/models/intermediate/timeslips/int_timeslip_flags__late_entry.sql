{#-
    Rule late_entry: an entry entered more than `threshold` business days after its work
    date. Business days are the open days of the engineer's calendar (weekdays with
    opening hours, holidays excluded) after the work date, up to and including the
    engineer's local date of entry: entered the next working day is 1.
-#}
with

rule as (

    {{ enabled_timeslip_rule('late_entry') }}

),

timeslips as (

    select * from {{ ref('int_timeslips__enriched') }}

),

business_days as (

    select * from {{ ref('int_business_days__numbered') }}

),

measured as (

    select
        timeslips.*,
        rule.threshold,
        entered_day.open_day_number - work_day.open_day_number as business_days_late

    from timeslips
    inner join rule
        on {{ is_in_force('rule', 'timeslips.work_date') }}
    inner join business_days as work_day
        on
            timeslips.calendar_id = work_day.calendar_id
            and timeslips.work_date = work_day.date_day
    inner join business_days as entered_day
        on
            timeslips.calendar_id = entered_day.calendar_id
            and timeslips.entered_local_date = entered_day.date_day

),

late as (

    select * from measured
    where business_days_late > threshold

),

final as (

    select
        {{ timeslip_subject_columns('late_entry') }},
        cast('business_days_late' as string) as measure,
        cast(business_days_late as double) as measured_value,
        cast(threshold as double) as threshold_value,
        {{ dbt.concat([
            "'work of '",
            format_date('work_date'),
            "' entered on '",
            format_date('entered_local_date'),
            "', '",
            'cast(business_days_late as string)',
            "' business days ('",
            'cast(days_to_entry as string)',
            "' calendar days) later on calendar '",
            'calendar_id',
            "'; more than '",
            format_number('threshold', 0),
            "' business days is flagged'",
        ]) }} as evidence

    from late

)

select * from final
