with

source as (

    select * from {{ ref('value_map') }}

),

renamed as (

    select
        cast(source as string) as source_system,
        cast(field as string) as field,
        cast(source_value as string) as source_value,
        cast(canonical_value as string) as canonical_value,
        cast(origin as string) as origin

    from source

)

select * from renamed
