with

engineers as (

    select * from {{ ref('stg_reference__engineers') }}

),

run_parameters as (

    select * from {{ ref('int_run_parameters') }}

),

-- "Active" is judged on the engineer's own calendar day at as_of.
localised as (

    select
        engineers.*,
        cast(
            {{ to_local_timestamp('run_parameters.as_of', "coalesce(engineers.timezone, 'UTC')") }}
            as date
        ) as as_of_local_date

    from engineers
    cross join run_parameters

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
        billable_goal_period,
        start_date,
        end_date,
        case
            when as_of_local_date is null then null
            else
                (start_date is null or start_date <= as_of_local_date)
                and (end_date is null or end_date >= as_of_local_date)
        end as is_active_at_as_of

    from localised

)

select * from final
