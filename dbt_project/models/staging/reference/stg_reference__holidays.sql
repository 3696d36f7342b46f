with

source as (

    select * from {{ ref('holidays') }}

),

renamed as (

    select
        cast(calendar_id as string) as calendar_id,
        cast(holiday_date as date) as holiday_date,
        cast(holiday_name as string) as holiday_name,
        {{ optional_column(ref('holidays'), 'valid_from', 'date') }} as valid_from,
        {{ optional_column(ref('holidays'), 'valid_to', 'date') }} as valid_to

    from source

)

select * from renamed
