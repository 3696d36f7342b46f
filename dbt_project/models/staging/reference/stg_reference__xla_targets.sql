with

source as (

    select * from {{ ref('xla_targets') }}

),

renamed as (

    select
        cast(contract_tier as string) as contract_tier,
        cast(metric as string) as metric,
        cast(comparator as string) as comparator,
        cast(target as double) as target,
        cast(min_responses as bigint) as min_responses,
        {{ optional_column(ref('xla_targets'), 'valid_from', 'date') }} as valid_from,
        {{ optional_column(ref('xla_targets'), 'valid_to', 'date') }} as valid_to

    from source

)

select * from renamed
