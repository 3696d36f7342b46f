{#-
    The days of every business calendar with opening hours (`int_calendar_days`), whether
    the calendar is open that day, and a running count of its open days: the open days
    strictly after date A up to and including date B are number(B) - number(A).
-#}
with

calendar_days as (

    select * from {{ ref('int_calendar_days') }}

),

final as (

    select
        calendar_id,
        date_day,
        day_of_week,
        holiday_name,
        is_business_day as is_open_day,
        business_day_number as open_day_number

    from calendar_days
    where weekly_scheduled_minutes > 0

)

select * from final
