with

engineer_days as (

    select * from {{ ref('int_engineer_days') }}

),

timeslip_totals as (

    select * from {{ ref('int_engineer_days__timeslip_totals') }}

),

engineers as (

    select * from {{ ref('stg_reference__engineers') }}

),

-- Timeslip-audit flags per engineer day: those raised on the day itself (subject
-- `<engineer_id>|<date>`) and on its timeslips. The audit's flags are not joined in yet,
-- so every day counts none; this is the one place they enter.
flags as (

    select
        cast(null as varchar) as engineer_id,
        cast(null as date) as work_date,
        cast(0 as bigint) as flag_count
    where 1 = 0

),

final as (

    select
        {{ dbt.concat([
            'engineer_days.engineer_id', "'|'", 'cast(engineer_days.work_date as ' ~ dbt.type_string() ~ ')'
        ]) }} as engineer_day_id,
        engineer_days.engineer_id,
        engineer_days.work_date,
        engineer_days.is_scheduled_day,
        engineer_days.is_holiday,
        engineer_days.holiday_name,
        engineer_days.is_working_day,
        engineer_days.contracted_hours,
        engineer_days.leave_hours,
        engineer_days.available_hours,
        coalesce(timeslip_totals.hours_worked, 0) as hours_worked,
        coalesce(timeslip_totals.hours_billed, 0) as hours_billed,
        case
            when engineer_days.available_hours > 0
                then 100 * coalesce(timeslip_totals.hours_billed, 0) / engineer_days.available_hours
        end as billable_utilization_pct,
        engineers.billable_target_pct,
        coalesce(timeslip_totals.tickets_touched, 0) as tickets_touched,
        coalesce(timeslip_totals.timeslip_count, 0) as timeslip_count,
        coalesce(flags.flag_count, 0) as flag_count

    from engineer_days
    left join timeslip_totals
        on
            engineer_days.engineer_id = timeslip_totals.engineer_id
            and engineer_days.work_date = timeslip_totals.work_date
    left join engineers
        on engineer_days.engineer_id = engineers.engineer_id
    left join flags
        on
            engineer_days.engineer_id = flags.engineer_id
            and engineer_days.work_date = flags.work_date

)

select * from final
