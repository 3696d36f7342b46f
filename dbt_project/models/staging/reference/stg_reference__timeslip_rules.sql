with

source as (

    select * from {{ ref('timeslip_rules') }}

),

renamed as (

    select
        cast(rule_id as string) as rule_id,
        cast(enabled as boolean) as is_enabled,
        cast(severity as string) as severity,
        cast(threshold as double) as threshold,
        cast(secondary_threshold as double) as secondary_threshold,
        cast(tertiary_threshold as double) as tertiary_threshold,
        cast(description as string) as description,
        {{ optional_column(ref('timeslip_rules'), 'valid_from', 'date') }} as valid_from,
        {{ optional_column(ref('timeslip_rules'), 'valid_to', 'date') }} as valid_to

    from source

)

select * from renamed
