with

source as (

    select * from {{ ref('xla_targets') }}

),

renamed as (

    select
        cast(contract_tier as varchar) as contract_tier,
        cast(metric as varchar) as metric,
        cast(comparator as varchar) as comparator,
        cast(target as double) as target,
        cast(min_responses as bigint) as min_responses

    from source

)

select * from renamed
