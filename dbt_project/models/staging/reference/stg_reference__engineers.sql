{#-
    One row per engineer: the latest version in `engineers.csv` (the one with the latest
    `valid_from`; the only one without validity columns). Models that judge a day by the
    contract in force then read `stg_reference__engineer_versions`.
-#}
with

versions as (

    select * from {{ ref('stg_reference__engineer_versions') }}

),

final as (

    select
        engineer_id,
        engineer_name,
        team,
        role,
        calendar_id,
        timezone,
        weekly_contracted_hours,
        billable_target_pct,
        start_date,
        end_date,
        billable_goal_period,
        valid_from,
        valid_to

    from versions
    where is_latest_version

)

select * from final
