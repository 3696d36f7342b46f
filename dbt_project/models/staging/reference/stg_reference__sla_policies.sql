with

source as (

    select * from {{ ref('sla_policies') }}

),

renamed as (

    select
        cast(contract_tier as string) as contract_tier,
        cast(priority as string) as priority,
        cast(metric as string) as metric,
        cast(target_minutes as bigint) as target_minutes,
        cast(clock as string) as clock,
        {{ optional_column(ref('sla_policies'), 'valid_from', 'date') }} as valid_from,
        {{ optional_column(ref('sla_policies'), 'valid_to', 'date') }} as valid_to,
        -- `Waiting Customer; Waiting Vendor` means the same as without the spaces.
        nullif(
            trim(replace(replace(cast(pause_statuses as string), '; ', ';'), ' ;', ';')), ''
        ) as pause_statuses,
        cast(attainment_target_pct as double) as attainment_target_pct

    from source

)

select * from renamed
