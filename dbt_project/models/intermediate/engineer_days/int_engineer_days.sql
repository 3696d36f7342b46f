{#-
    One row per engineer and local date the engineer is scheduled to work or booked time
    on, with the hours the engineer was available and the billable target in force that
    day (int_engineer_available_days: the engineer's version in force that day).
-#}
with

engineers as (

    select * from {{ ref('stg_reference__engineers') }}

),

available_days as (

    select * from {{ ref('int_engineer_available_days') }}

),

timeslip_totals as (

    select * from {{ ref('int_engineer_days__timeslip_totals') }}

),

run_parameters as (

    select * from {{ ref('int_run_parameters') }}

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
        available_days.engineer_id,
        available_days.work_date

    from engineer_windows
    inner join available_days
        on
            engineer_windows.engineer_id = available_days.engineer_id
            and available_days.work_date between engineer_windows.first_day and engineer_windows.last_day
    where available_days.scheduled_minutes > 0

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

final as (

    select
        engineer_days.engineer_id,
        engineer_days.work_date,
        available_days.holiday_name,
        coalesce(available_days.calendar_id, engineers.calendar_id) as calendar_id,
        coalesce(available_days.is_scheduled_day, false) as is_scheduled_day,
        coalesce(available_days.is_holiday, false) as is_holiday,
        cast(coalesce(available_days.contracted_hours, 0) as double) as contracted_hours,
        cast(coalesce(available_days.leave_hours, 0) as double) as leave_hours,
        cast(coalesce(available_days.available_hours, 0) as double) as available_hours,
        coalesce(available_days.is_working_day, false) as is_working_day,
        coalesce(available_days.billable_target_pct, engineers.billable_target_pct) as billable_target_pct

    from engineer_days
    left join engineers
        on engineer_days.engineer_id = engineers.engineer_id
    left join available_days
        on
            engineer_days.engineer_id = available_days.engineer_id
            and engineer_days.work_date = available_days.work_date

)

select * from final
