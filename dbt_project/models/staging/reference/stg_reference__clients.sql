{#-
    One row per client: its latest version in `clients.csv` (the one with the latest
    `valid_from`; the only one without validity columns). Models that judge a date by
    the version in force then read `stg_reference__client_versions`.
-#}
with

versions as (

    select * from {{ ref('stg_reference__client_versions') }}

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
        valid_to

    from versions
    where is_latest_version

)

select * from final
