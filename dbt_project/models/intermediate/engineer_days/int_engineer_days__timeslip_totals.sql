with

timeslips as (

    select * from {{ ref('stg_psa__timeslips') }}

),

totals as (

    select
        engineer_id,
        work_date,
        {{ exact_sum('hours_worked') }} as hours_worked,
        -- Only time the client is invoiced for: `Do Not Bill` and `No Charge` bill nothing.
        {{ exact_sum("case when billable = 'Billable' then hours_billed else 0 end") }}
            as hours_billed,
        cast(count(distinct ticket_id) as bigint) as tickets_touched,
        cast(count(*) as bigint) as timeslip_count

    from timeslips
    group by engineer_id, work_date

)

select * from totals
