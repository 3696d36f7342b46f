{#-
    When each client-month closes: `period_close_business_days` (msp_settings.csv,
    default 5) business days of the client's calendar after the month's last local day.
    With 0, the month closes as it ends. A month is closed once the client's local date
    of as_of is past the day it closes on; the first publication after that records its
    figures as reported, and a later change to them is a restatement. A month's response
    rate counts the answers given by the day it closes, so a closed rate stays as
    reported.
-#}
with

client_months as (

    select * from {{ ref('int_client_months') }}

),

clients as (

    select * from {{ ref('stg_reference__clients') }}

),

calendar_days as (

    select * from {{ ref('int_calendar_days') }}

),

msp_settings as (

    select * from {{ ref('stg_reference__msp_settings') }}

),

run_parameters as (

    select * from {{ ref('int_run_parameters') }}

),

close_after as (

    {{ msp_setting_values('msp_settings', [('period_close_business_days', 'integer', 'business_days')]) }}

),

month_ends as (

    select
        client_months.client_id,
        client_months.month,
        clients.calendar_id,
        clients.timezone,
        cast(
            {{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'client_months.month')) }} as date
        ) as month_end

    from client_months
    inner join clients
        on client_months.client_id = clients.client_id

),

-- The day the Nth business day after the month's end falls on: the first day whose
-- running count of business days is N above the count at the month's last day (the
-- month's last day itself when N is 0).
closes as (

    select
        month_ends.client_id,
        month_ends.month,
        min(closing_days.date_day) as closes_on

    from month_ends
    cross join close_after
    inner join calendar_days as last_days
        on
            month_ends.calendar_id = last_days.calendar_id
            and month_ends.month_end = last_days.date_day
    inner join calendar_days as closing_days
        on
            last_days.calendar_id = closing_days.calendar_id
            and last_days.business_day_number + close_after.business_days
            = closing_days.business_day_number
            and month_ends.month_end <= closing_days.date_day
    group by month_ends.client_id, month_ends.month

),

final as (

    select
        month_ends.client_id,
        month_ends.month,
        month_ends.month_end,
        cast(close_after.business_days as integer) as close_business_days,
        closes.closes_on,
        coalesce(
            closes.closes_on
            < cast({{ to_local_timestamp('run_parameters.as_of', 'month_ends.timezone') }} as date),
            false
        ) as is_closed

    from month_ends
    cross join close_after
    cross join run_parameters
    left join closes
        on
            month_ends.client_id = closes.client_id
            and month_ends.month = closes.month

)

select * from final
