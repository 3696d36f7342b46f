{#-
    Every date of every business calendar over the span of the timeslips, whether the
    calendar is open that day, and a running count of its open days: the open days
    strictly after date A up to and including date B are number(B) - number(A).
-#}
with

timeslips as (

    select * from {{ ref('int_timeslips__enriched') }}

),

opening_hours as (

    select * from {{ ref('stg_reference__business_calendars') }}

),

holidays as (

    select * from {{ ref('stg_reference__holidays') }}

),

-- A week either side, so every work date and entry date has a number.
timeslip_dates as (

    select work_date as date_day
    from timeslips

    union all

    select entered_local_date as date_day
    from timeslips

),

bounds as (

    select
        cast({{ dbt.dateadd('day', -7, 'min(date_day)') }} as date) as first_day,
        cast({{ dbt.dateadd('day', 7, 'max(date_day)') }} as date) as last_day

    from timeslip_dates

),

-- Five digits: 100,000 days, some 270 years of timeslips.
day_offsets as (

    {{ integer_series(5) }}

),

spine as (

    select cast({{ dbt.dateadd('day', 'day_offsets.n', 'bounds.first_day') }} as date) as date_day
    from bounds
    cross join day_offsets
    where day_offsets.n <= {{ dbt.datediff('bounds.first_day', 'bounds.last_day', 'day') }}

),

calendar_weekdays as (

    select distinct
        calendar_id,
        weekday

    from opening_hours

),

calendars as (

    select distinct calendar_id
    from calendar_weekdays

),

calendar_days as (

    select
        calendars.calendar_id,
        spine.date_day,
        {{ iso_day_of_week('spine.date_day') }} as day_of_week,
        holidays.holiday_name,
        case
            when calendar_weekdays.calendar_id is not null and holidays.calendar_id is null then 1
            else 0
        end as is_open_day

    from calendars
    cross join spine
    left join calendar_weekdays
        on
            calendars.calendar_id = calendar_weekdays.calendar_id
            and {{ iso_day_of_week('spine.date_day') }} = calendar_weekdays.weekday
    left join holidays
        on
            calendars.calendar_id = holidays.calendar_id
            and spine.date_day = holidays.holiday_date

),

numbered as (

    select
        calendar_id,
        date_day,
        day_of_week,
        holiday_name,
        is_open_day = 1 as is_open_day,
        sum(is_open_day) over (
            partition by calendar_id
            order by date_day
            rows between unbounded preceding and current row
        ) as open_day_number

    from calendar_days

)

select * from numbered
