with

timeslips as (

    select * from {{ ref('stg_psa__timeslips') }}

),

totals as (

    select
        ticket_id,
        {{ exact_sum('hours_worked') }} as effort_hours,
        {{ exact_sum('hours_billed') }} as hours_billed,
        cast(count(*) as bigint) as timeslip_count

    from timeslips
    where ticket_id is not null
    group by ticket_id

)

select * from totals
