{#-
    Every row of `clients.csv`, typed: one per client and version of its tier, calendar,
    time zone and contract (`valid_from` / `valid_to`, local dates, both included; empty
    = always). `in_force_from` / `in_force_to` are the dates a version answers for, so
    that exactly one version of a client is in force on any date: from its valid_from to
    the day before the next version's, the first since always and the last from then on
    (a date in a gap between two versions takes the earlier one). Without validity
    columns, a client's one row is in force always.
-#}
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
        cast(contract_end as date) as contract_end,
        {{ optional_column(ref('clients'), 'valid_from', 'date') }} as valid_from,
        {{ optional_column(ref('clients'), 'valid_to', 'date') }} as valid_to

    from source

),

final as (

    select
        client_id,
        client_name,
        timezone,
        calendar_id,
        contract_tier,
        contract_start,
        contract_end,
        valid_from,
        valid_to,
        {{ version_spans('client_id') }}

    from renamed

)

select * from final
