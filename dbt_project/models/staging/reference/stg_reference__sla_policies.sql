with

source as (

    select * from {{ ref('sla_policies') }}

),

renamed as (

    select
        cast(contract_tier as varchar) as contract_tier,
        cast(priority as varchar) as priority,
        cast(metric as varchar) as metric,
        cast(target_minutes as bigint) as target_minutes,
        cast(clock as varchar) as clock,
        -- `Waiting Customer; Waiting Vendor` means the same as without the spaces.
        nullif(
            trim(replace(replace(cast(pause_statuses as varchar), '; ', ';'), ' ;', ';')), ''
        ) as pause_statuses,
        cast(attainment_target_pct as double) as attainment_target_pct

    from source

)

select * from renamed
