{#-
    One row per engineer and every local date of the engineer's calendar: the hours the
    engineer was available that day. The contracted hours of the day on the engineer's
    calendar while employed, none on a holiday, less leave. Engineer days report them for
    the days worked or scheduled; billable goals add them up over whole periods. Each day
    takes the contract (calendar, weekly hours, start and end) of the engineer's version
    in force that day (`stg_reference__engineer_versions`).
-#}
with

engineers as (

    select * from {{ ref('stg_reference__engineer_versions') }}

),

calendar_days as (

    select * from {{ ref('int_calendar_days') }}

),

leave as (

    select * from {{ ref('stg_reference__engineer_leave') }}

),

leave_days as (

    select
        engineer_id,
        leave_date,
        sum(leave_hours) as leave_hours

    from leave
    group by engineer_id, leave_date

),

described as (

    select
        engineers.engineer_id,
        calendar_days.date_day as work_date,
        engineers.calendar_id,
        engineers.billable_target_pct,
        calendar_days.holiday_name,
        calendar_days.scheduled_minutes,
        calendar_days.weekly_scheduled_minutes,
        cast(coalesce(leave_days.leave_hours, 0) as double) as leave_hours,
        (
            calendar_days.scheduled_minutes > 0
            and (engineers.start_date is null or engineers.start_date <= calendar_days.date_day)
            and (engineers.end_date is null or engineers.end_date >= calendar_days.date_day)
        ) as is_scheduled_day,
        calendar_days.is_holiday,
        coalesce(engineers.weekly_contracted_hours, 0) as weekly_contracted_hours

    from engineers
    inner join calendar_days
        on
            engineers.calendar_id = calendar_days.calendar_id
            and (engineers.in_force_from is null or engineers.in_force_from <= calendar_days.date_day)
            and (engineers.in_force_to is null or engineers.in_force_to >= calendar_days.date_day)
    left join leave_days
        on
            engineers.engineer_id = leave_days.engineer_id
            and calendar_days.date_day = leave_days.leave_date

),

-- The week's contracted hours spread over the calendar's days in proportion to their
-- opening hours: 40 h on five 10-hour days is 8 h a day.
contracted as (

    select
        *,
        cast(
            case
                when is_scheduled_day
                    then weekly_contracted_hours * scheduled_minutes / weekly_scheduled_minutes
                else 0
            end as double
        ) as contracted_hours

    from described

),

final as (

    select
        engineer_id,
        work_date,
        calendar_id,
        scheduled_minutes,
        is_scheduled_day,
        is_holiday,
        holiday_name,
        contracted_hours,
        leave_hours,
        billable_target_pct,
        cast(
            case
                when is_holiday then 0
                when contracted_hours > leave_hours then contracted_hours - leave_hours
                else 0
            end as double
        ) as available_hours,
        is_scheduled_day and not is_holiday as is_working_day

    from contracted

)

select * from final
