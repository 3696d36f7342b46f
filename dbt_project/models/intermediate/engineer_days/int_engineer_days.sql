{#-
    One row per engineer and local date the engineer is scheduled to work or booked time
    on, with the hours the engineer was available: the contracted hours of the day on the
    engineer's calendar, none on a holiday, less leave.
-#}
with

engineers as (

    select * from {{ ref('stg_reference__engineers') }}

),

calendar_days as (

    select * from {{ ref('int_calendar_days') }}

),

leave as (

    select * from {{ ref('stg_reference__engineer_leave') }}

),

timeslip_totals as (

    select * from {{ ref('int_engineer_days__timeslip_totals') }}

),

run_parameters as (

    select * from {{ ref('run_parameters') }}

),

-- Days before the timesheets begin have no record of work, so they are not reported.
timesheet_start as (

    select min(work_date) as first_work_date
    from timeslip_totals

),

-- as_of is a UTC instant; each engineer's last reported day is its local date.
localised as (

    select
        engineers.engineer_id,
        engineers.calendar_id,
        engineers.start_date,
        engineers.end_date,
        timesheet_start.first_work_date,
        cast(
            {{ to_local_timestamp('run_parameters.as_of', "coalesce(engineers.timezone, 'UTC')") }}
            as date
        ) as as_of_date

    from engineers
    cross join timesheet_start
    cross join run_parameters

),

-- From the later of the first timesheet day and the engineer's start to the earlier of
-- the engineer's last day and the local date of as_of.
engineer_windows as (

    select
        engineer_id,
        calendar_id,
        case
            when start_date > first_work_date then start_date
            else first_work_date
        end as first_day,
        case
            when end_date < as_of_date then end_date
            else as_of_date
        end as last_day

    from localised

),

scheduled_days as (

    select
        engineer_windows.engineer_id,
        calendar_days.date_day as work_date

    from engineer_windows
    inner join calendar_days
        on
            engineer_windows.calendar_id = calendar_days.calendar_id
            and calendar_days.date_day between engineer_windows.first_day and engineer_windows.last_day
    where calendar_days.scheduled_minutes > 0

),

-- Time booked on any other day (a weekend, after leaving) is reported too, so that no
-- hour worked goes missing from the engineer's days.
engineer_days as (

    select
        engineer_id,
        work_date
    from scheduled_days

    union

    select
        engineer_id,
        work_date
    from timeslip_totals

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
        engineer_days.engineer_id,
        engineer_days.work_date,
        engineers.calendar_id,
        calendar_days.holiday_name,
        calendar_days.weekly_scheduled_minutes,
        cast(coalesce(leave_days.leave_hours, 0) as double) as leave_hours,
        (
            coalesce(calendar_days.scheduled_minutes, 0) > 0
            and (engineers.start_date is null or engineers.start_date <= engineer_days.work_date)
            and (engineers.end_date is null or engineers.end_date >= engineer_days.work_date)
        ) as is_scheduled_day,
        coalesce(calendar_days.is_holiday, false) as is_holiday,
        coalesce(calendar_days.scheduled_minutes, 0) as scheduled_minutes,
        coalesce(engineers.weekly_contracted_hours, 0) as weekly_contracted_hours

    from engineer_days
    left join engineers
        on engineer_days.engineer_id = engineers.engineer_id
    left join calendar_days
        on
            engineers.calendar_id = calendar_days.calendar_id
            and engineer_days.work_date = calendar_days.date_day
    left join leave_days
        on
            engineer_days.engineer_id = leave_days.engineer_id
            and engineer_days.work_date = leave_days.leave_date

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
        is_scheduled_day,
        is_holiday,
        holiday_name,
        contracted_hours,
        leave_hours,
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
