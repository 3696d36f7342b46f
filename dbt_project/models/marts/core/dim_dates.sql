with

run_parameters as (

    select * from {{ ref('run_parameters') }}

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

holidays as (

    select * from {{ ref('stg_reference__holidays') }}

),

-- Tickets and survey responses are dated in their client's time zone, so the first local
-- day is covered even when it falls on the UTC day before.
data_dates as (

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

earliest as (

    select min(earliest_date) as earliest_date
    from data_dates

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

latest as (

    select
        max(
            cast({{ to_local_timestamp('run_parameters.as_of', 'time_zones.timezone') }} as date)
        ) as latest_date
    from run_parameters
    cross join time_zones

),

-- With nothing ingested yet, the calendar is the year of as_of alone.
bounds as (

    select
        cast({{ dbt.date_trunc('year', 'coalesce(earliest.earliest_date, latest.latest_date)') }} as date)
            as first_day,
        cast(
            {{ dbt.dateadd('day', -1, dbt.dateadd('year', 1, dbt.date_trunc('year', 'latest.latest_date'))) }}
            as date
        ) as last_day

    from earliest
    cross join latest

),

-- Five digits: 100,000 days, some 270 years of calendar.
day_offsets as (

    {{ integer_series(5) }}

),

spine as (

    select cast({{ dbt.dateadd('day', 'day_offsets.n', 'bounds.first_day') }} as date) as date_day
    from bounds
    cross join day_offsets
    where day_offsets.n <= {{ dbt.datediff('bounds.first_day', 'bounds.last_day', 'day') }}

),

final as (

    select
        date_day,
        cast(extract(year from date_day) as integer) as year,
        cast(extract(quarter from date_day) as integer) as quarter,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month,
        {{ iso_year('date_day') }} as iso_year,
        {{ iso_week('date_day') }} as iso_week,
        {{ iso_day_of_week('date_day') }} as day_of_week,
        {{ iso_day_of_week('date_day') }} >= 6 as is_weekend

    from spine

)

select * from final
