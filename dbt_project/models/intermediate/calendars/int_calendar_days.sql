{#-
    Every day of every business calendar over the calendar spine (`int_date_spine`): its
    opening minutes, its closing time, whether it is a holiday or a business day, and a
    running count of its business days. Engineer days take their contracted hours from
    here, survey follow-ups their deadline, timeslip rules their business-day counts.
    Each day takes the opening windows in force on it, and a holiday counts only on a
    date within its row's validity (`valid_from` / `valid_to`).
-#}
with

opening_hours as (

    select * from {{ ref('stg_reference__business_calendars') }}

),

holidays as (

    select * from {{ ref('stg_reference__holidays') }}

),

spine as (

    select * from {{ ref('int_date_spine') }}

),

calendars as (

    select calendar_id from opening_hours
    union
    select calendar_id from holidays

),

calendar_days as (

    select
        calendars.calendar_id,
        spine.date_day,
        spine.day_of_week

    from calendars
    cross join spine

),

-- Each day's hours are the calendar's rows in force that day (valid_from / valid_to):
-- its own weekday's windows, and the whole week's as the rows in force that day give it.
day_hours as (

    select
        calendar_days.calendar_id,
        calendar_days.date_day,
        sum(
            case
                when opening_hours.weekday = calendar_days.day_of_week
                    then opening_hours.closes_minute_of_day - opening_hours.opens_minute_of_day
                else 0
            end
        ) as scheduled_minutes,
        max(
            case
                when opening_hours.weekday = calendar_days.day_of_week
                    then opening_hours.closes_minute_of_day
            end
        ) as closes_minute_of_day,
        sum(opening_hours.closes_minute_of_day - opening_hours.opens_minute_of_day)
            as weekly_scheduled_minutes

    from calendar_days
    inner join opening_hours
        on
            calendar_days.calendar_id = opening_hours.calendar_id
            and {{ is_in_force('opening_hours', 'calendar_days.date_day') }}
    group by calendar_days.calendar_id, calendar_days.date_day

),

-- A holiday counts only on a date within its row's validity.
holiday_dates as (

    select
        holidays.calendar_id,
        holidays.holiday_date,
        min(holidays.holiday_name) as holiday_name

    from holidays
    where {{ is_in_force('holidays', 'holidays.holiday_date') }}
    group by holidays.calendar_id, holidays.holiday_date

),

described as (

    select
        calendar_days.calendar_id,
        calendar_days.date_day,
        calendar_days.day_of_week,
        holiday_dates.holiday_name,
        cast(coalesce(day_hours.scheduled_minutes, 0) as integer) as scheduled_minutes,
        cast(day_hours.closes_minute_of_day as integer) as closes_minute_of_day,
        cast(coalesce(day_hours.weekly_scheduled_minutes, 0) as integer) as weekly_scheduled_minutes,
        holiday_dates.holiday_date is not null as is_holiday,
        (
            coalesce(day_hours.scheduled_minutes, 0) > 0
            and holiday_dates.holiday_date is null
        ) as is_business_day

    from calendar_days
    left join day_hours
        on
            calendar_days.calendar_id = day_hours.calendar_id
            and calendar_days.date_day = day_hours.date_day
    left join holiday_dates
        on
            calendar_days.calendar_id = holiday_dates.calendar_id
            and calendar_days.date_day = holiday_dates.holiday_date

),

final as (

    select
        calendar_id,
        date_day,
        day_of_week,
        scheduled_minutes,
        closes_minute_of_day,
        weekly_scheduled_minutes,
        is_holiday,
        holiday_name,
        is_business_day,
        -- The business days strictly after date A up to and including date B are
        -- business_day_number(B) - business_day_number(A).
        sum(case when is_business_day then 1 else 0 end) over (
            partition by calendar_id
            order by date_day
            rows between unbounded preceding and current row
        ) as business_day_number

    from described

)

select * from final
