{#-
    Every day of every business calendar over the span the KPIs need: its opening
    minutes, its closing time, and whether it is a holiday or a business day. Engineer
    days take their contracted hours from here, survey follow-ups their deadline.
-#}
with

opening_hours as (

    select * from {{ ref('stg_reference__business_calendars') }}

),

holidays as (

    select * from {{ ref('stg_reference__holidays') }}

),

timeslips as (

    select * from {{ ref('stg_psa__timeslips') }}

),

surveys as (

    select * from {{ ref('stg_psa__surveys') }}

),

run_parameters as (

    select * from {{ ref('run_parameters') }}

),

-- Engineers' work dates and the local dates of survey responses (a local date is at most
-- a day away from the UTC date), up to as_of.
data_dates as (

    select
        min(work_date) as first_day,
        max(work_date) as last_day
    from timeslips

    union all

    select
        cast({{ dbt.dateadd('day', -1, 'min(responded_at)') }} as date) as first_day,
        cast({{ dbt.dateadd('day', 1, 'max(responded_at)') }} as date) as last_day
    from surveys

    union all

    select
        cast(null as date) as first_day,
        cast({{ dbt.dateadd('day', 1, 'as_of') }} as date) as last_day
    from run_parameters

),

data_bounds as (

    select
        min(first_day) as first_day,
        max(last_day) as last_day
    from data_dates

),

-- From the start of the first date's quarter and ISO week, whichever is earlier, so that
-- every billable-goal period the data touches is here whole (a goal is the hours of its
-- whole period); to a month past the last date, so the business day after any of them is
-- there even across a long closure such as the Christmas holidays, and at least to the
-- end of its quarter.
bounds as (

    select
        case
            when quarter_start < week_start then quarter_start
            else week_start
        end as first_day,
        case
            when quarter_end > month_past then quarter_end
            else month_past
        end as last_day

    from (
        select
            cast({{ dbt.date_trunc('quarter', 'first_day') }} as date) as quarter_start,
            cast({{ dbt.dateadd('day', -6, 'first_day') }} as date) as week_start,
            cast(
                {{ dbt.dateadd('day', -1, dbt.dateadd('month', 3, dbt.date_trunc('quarter', 'last_day'))) }}
                as date
            ) as quarter_end,
            cast({{ dbt.dateadd('day', 31, 'last_day') }} as date) as month_past
        from data_bounds
    ) as spans

),

-- Five digits: 100,000 days, some 270 years.
day_offsets as (

    {{ integer_series(5) }}

),

days as (

    select cast({{ dbt.dateadd('day', 'day_offsets.n', 'bounds.first_day') }} as date) as date_day
    from bounds
    cross join day_offsets
    where day_offsets.n <= {{ dbt.datediff('bounds.first_day', 'bounds.last_day', 'day') }}

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
        days.date_day,
        {{ iso_day_of_week('days.date_day') }} as day_of_week

    from calendars
    cross join days

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
        is_business_day

    from described

)

select * from final
