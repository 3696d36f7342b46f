with

engineer_days as (

    select * from {{ ref('int_engineer_days') }}

),

timeslip_totals as (

    select * from {{ ref('int_engineer_days__timeslip_totals') }}

),

-- Timeslip-audit flags per engineer day: those raised on the day itself (subject
-- `<engineer_id>|<date>`) and on its timeslips. Flags on a month, a week or a ticket
-- concern several days and are counted in none.
flags as (

    select
        engineer_id,
        work_date,
        count(*) as flag_count

    from {{ ref('fct_timeslip_flags') }}
    where subject_type in ('timeslip', 'engineer_day') and work_date is not null
    group by engineer_id, work_date

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
        engineer_days.billable_target_pct,
        coalesce(timeslip_totals.tickets_touched, 0) as tickets_touched,
        coalesce(timeslip_totals.timeslip_count, 0) as timeslip_count,
        coalesce(flags.flag_count, 0) as flag_count

    from engineer_days
    left join timeslip_totals
        on
            engineer_days.engineer_id = timeslip_totals.engineer_id
            and engineer_days.work_date = timeslip_totals.work_date
    left join flags
        on
            engineer_days.engineer_id = flags.engineer_id
            and engineer_days.work_date = flags.work_date

)

select * from final
