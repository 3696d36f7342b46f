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
        cast(billable_goal_period as string) as billable_goal_period

    from source

)

select * from renamed
