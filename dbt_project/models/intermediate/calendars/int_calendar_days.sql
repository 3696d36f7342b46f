{#-
    Every day of every business calendar over the calendar spine (`int_date_spine`): its
    opening minutes, its closing time, whether it is a holiday or a business day, and a
    running count of its business days. Engineer days take their contracted hours from
    here, survey follow-ups their deadline, timeslip rules their business-day counts.
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

weekday_hours as (

    select
        calendar_id,
        weekday,
        sum(closes_minute_of_day - opens_minute_of_day) as scheduled_minutes,
        max(closes_minute_of_day) as closes_minute_of_day

    from opening_hours
    group by calendar_id, weekday

),

weekly_hours as (

    select
        calendar_id,
        sum(scheduled_minutes) as weekly_scheduled_minutes

    from weekday_hours
    group by calendar_id

),

holiday_dates as (

    select
        calendar_id,
        holiday_date,
        min(holiday_name) as holiday_name

    from holidays
    group by calendar_id, holiday_date

),

calendar_days as (

    select
        calendars.calendar_id,
        spine.date_day,
        spine.day_of_week

    from calendars
    cross join spine

),

described as (

    select
        calendar_days.calendar_id,
        calendar_days.date_day,
        calendar_days.day_of_week,
        holiday_dates.holiday_name,
        cast(coalesce(weekday_hours.scheduled_minutes, 0) as integer) as scheduled_minutes,
        cast(weekday_hours.closes_minute_of_day as integer) as closes_minute_of_day,
        cast(coalesce(weekly_hours.weekly_scheduled_minutes, 0) as integer) as weekly_scheduled_minutes,
        holiday_dates.holiday_date is not null as is_holiday,
        (
            coalesce(weekday_hours.scheduled_minutes, 0) > 0
            and holiday_dates.holiday_date is null
        ) as is_business_day

    from calendar_days
    left join weekday_hours
        on
            calendar_days.calendar_id = weekday_hours.calendar_id
            and calendar_days.day_of_week = weekday_hours.weekday
    left join weekly_hours
        on calendar_days.calendar_id = weekly_hours.calendar_id
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
