{#-
    The one calendar spine: every date any model needs, with its place in the year and
    the week. Which dates are needed:
    - the date dimension (`dim_dates`): whole years, from the year of the first local
      date in the data (tickets, survey responses, timeslips, holidays) to the year of
      as_of in every time zone in use (`is_dimension_date`);
    - business calendars (`int_calendar_days`): whole billable-goal periods (quarter and
      ISO week) around the engineers' work dates and the survey responses, and a month
      past the last of them and as_of, so the business day after any of them exists even
      across a long closure;
    - business-day counts between a work date and the day it was entered: a week either
      side of both.
-#}
with

run_parameters as (

    select * from {{ ref('int_run_parameters') }}

),

clients as (

    select * from {{ ref('stg_reference__clients') }}

),

engineers as (

    select * from {{ ref('stg_reference__engineers') }}

),

tickets as (

    select * from {{ ref('int_tickets__unioned') }}

),

surveys as (

    select * from {{ ref('stg_psa__surveys') }}

),

timeslips as (

    select * from {{ ref('stg_psa__timeslips') }}

),

-- Entry dates are local to the engineer.
enriched_timeslips as (

    select * from {{ ref('int_timeslips__enriched') }}

),

holidays as (

    select * from {{ ref('stg_reference__holidays') }}

),

-- Tickets and survey responses are dated in their client's time zone, so the first local
-- day is covered even when it falls on the UTC day before.
dimension_dates as (

    select
        min(
            cast({{ to_local_timestamp('tickets.created_at', "coalesce(clients.timezone, 'UTC')") }} as date)
        ) as earliest_date
    from tickets
    left join clients
        on tickets.client_id = clients.client_id

    union all

    select
        min(
            cast({{ to_local_timestamp('surveys.responded_at', "coalesce(clients.timezone, 'UTC')") }} as date)
        ) as earliest_date
    from surveys
    left join clients
        on surveys.client_id = clients.client_id

    union all

    select min(work_date) as earliest_date
    from timeslips

    union all

    select min(holiday_date) as earliest_date
    from holidays

),

-- as_of read in every time zone in use, so its local day exists wherever it is looked up.
time_zones as (

    select timezone
    from clients
    where timezone is not null

    union

    select timezone
    from engineers
    where timezone is not null

    union

    select 'UTC' as timezone

),

latest_local as (

    select
        max(
            cast({{ to_local_timestamp('run_parameters.as_of', 'time_zones.timezone') }} as date)
        ) as latest_date
    from run_parameters
    cross join time_zones

),

earliest as (

    select min(earliest_date) as earliest_date
    from dimension_dates

),

-- With nothing ingested yet, the dimension is the year of as_of alone.
dimension_bounds as (

    select
        cast({{ dbt.date_trunc('year', 'coalesce(earliest.earliest_date, latest_local.latest_date)') }} as date)
            as first_day,
        cast(
            {{ dbt.dateadd('day', -1, dbt.dateadd('year', 1, dbt.date_trunc('year', 'latest_local.latest_date'))) }}
            as date
        ) as last_day

    from earliest
    cross join latest_local

),

-- Engineers' work dates and the local dates of survey responses (a local date is at most
-- a day away from the UTC date), up to as_of.
calendar_dates as (

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

calendar_data_bounds as (

    select
        min(first_day) as first_day,
        max(last_day) as last_day
    from calendar_dates

),

-- From the start of the first date's quarter and ISO week, whichever is earlier, so that
-- every billable-goal period the data touches is here whole (a goal is the hours of its
-- whole period); to a month past the last date, and at least to the end of its quarter.
calendar_bounds as (

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
        from calendar_data_bounds
    ) as spans

),

-- A week either side of every work date and entry date.
entry_bounds as (

    select
        cast({{ dbt.dateadd('day', -7, 'min(date_day)') }} as date) as first_day,
        cast({{ dbt.dateadd('day', 7, 'max(date_day)') }} as date) as last_day

    from (
        select work_date as date_day
        from enriched_timeslips

        union all

        select entered_local_date as date_day
        from enriched_timeslips
    ) as entry_dates

),

needed as (

    select
        first_day,
        last_day
    from dimension_bounds

    union all

    select
        first_day,
        last_day
    from calendar_bounds

    union all

    select
        first_day,
        last_day
    from entry_bounds

),

bounds as (

    select
        min(first_day) as first_day,
        max(last_day) as last_day
    from needed

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

final as (

    select
        days.date_day,
        cast(extract(year from days.date_day) as integer) as year,
        cast(extract(quarter from days.date_day) as integer) as quarter,
        cast({{ dbt.date_trunc('month', 'days.date_day') }} as date) as month,
        {{ iso_year('days.date_day') }} as iso_year,
        {{ iso_week('days.date_day') }} as iso_week,
        {{ iso_day_of_week('days.date_day') }} as day_of_week,
        {{ iso_day_of_week('days.date_day') }} >= 6 as is_weekend,
        coalesce(
            days.date_day between dimension_bounds.first_day and dimension_bounds.last_day, false
        ) as is_dimension_date

    from days
    cross join dimension_bounds

)

select * from final
