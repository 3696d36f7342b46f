with

source as (

    select * from {{ ref('engineer_leave') }}

),

renamed as (

    select
        cast(engineer_id as string) as engineer_id,
        cast(leave_date as date) as leave_date,
        cast(hours as double) as leave_hours

    from source

)

select * from renamed
