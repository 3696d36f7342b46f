{#-
    Every row of `engineers.csv`, typed: one per engineer and version of the contract
    (`valid_from` / `valid_to`, local dates, both included; empty = always).
    `in_force_from` / `in_force_to` are the dates a version answers for, so that exactly
    one version of an engineer is in force on any date: from its valid_from to the day
    before the next version's, the first since always and the last from then on (a date
    in a gap between two versions takes the earlier one). Without validity columns, an
    engineer's one row is in force always.
-#}
with

source as (

    select * from {{ ref('engineers') }}

),

renamed as (

    select
        cast(engineer_id as string) as engineer_id,
        cast(engineer_name as string) as engineer_name,
        cast(team as string) as team,
        cast(role as string) as role,
        cast(calendar_id as string) as calendar_id,
        cast(timezone as string) as timezone,
        cast(weekly_contracted_hours as double) as weekly_contracted_hours,
        cast(billable_target_pct as double) as billable_target_pct,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(billable_goal_period as string) as billable_goal_period,
        {{ optional_column(ref('engineers'), 'valid_from', 'date') }} as valid_from,
        {{ optional_column(ref('engineers'), 'valid_to', 'date') }} as valid_to

    from source

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
        valid_to,
        {{ version_spans('engineer_id') }}

    from renamed

)

select * from final
