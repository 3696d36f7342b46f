-- dim_dates is a spine: as many rows as days between its first and last day.
with

bounds as (

    select
        min(date_day) as first_day,
        max(date_day) as last_day,
        count(*) as day_count

    from {{ ref('dim_dates') }}

)

select *
from bounds
where day_count <> {{ dbt.datediff('first_day', 'last_day', 'day') }} + 1
