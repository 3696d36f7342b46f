with

source as (

    select * from {{ ref('clients') }}

),

renamed as (

    select
        cast(client_id as string) as client_id,
        cast(client_name as string) as client_name,
        cast(timezone as string) as timezone,
        cast(calendar_id as string) as calendar_id,
        cast(contract_tier as string) as contract_tier,
        cast(contract_start as date) as contract_start,
        cast(contract_end as date) as contract_end

    from source

)

select * from renamed
