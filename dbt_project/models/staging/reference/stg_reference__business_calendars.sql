with

source as (

    select * from {{ ref('business_calendars') }}

),

renamed as (

    select
        cast(calendar_id as string) as calendar_id,
        cast(weekday as integer) as weekday,
        cast(opens_at as string) as opens_at,
        cast(closes_at as string) as closes_at,
        {{ optional_column(ref('business_calendars'), 'valid_from', 'date') }} as valid_from,
        {{ optional_column(ref('business_calendars'), 'valid_to', 'date') }} as valid_to

    from source

),

-- Minutes from local midnight make business-hour arithmetic plain integer maths;
-- closes_at '24:00' becomes 1440, the end of the day.
minutes as (

    select
        calendar_id,
        weekday,
        opens_at,
        closes_at,
        valid_from,
        valid_to,
        cast({{ dbt.split_part('opens_at', "':'", 1) }} as integer) * 60
        + cast({{ dbt.split_part('opens_at', "':'", 2) }} as integer) as opens_minute_of_day,
        cast({{ dbt.split_part('closes_at', "':'", 1) }} as integer) * 60
        + cast({{ dbt.split_part('closes_at', "':'", 2) }} as integer) as closes_minute_of_day

    from renamed

)

select * from minutes
