{#-
    What a client's monthly service review says about the month as a whole: one row per
    row of `fct_client_months`, with the month's verdict (the colour of its dot in the
    watermelon quadrant) and the time booked on its tickets (`fct_ticket_effort_months`,
    summed). A month without timeslips has zero effort, not none.
-#}
with

client_months as (

    select * from {{ ref('fct_client_months') }}

),

effort_months as (

    select * from {{ ref('fct_ticket_effort_months') }}

),

effort as (

    select
        client_id,
        month,
        count(*) as effort_tickets,
        sum(timeslip_count) as timeslips,
        {{ exact_sum('hours_worked') }} as hours_worked,
        {{ exact_sum('hours_billed') }} as hours_billed,
        {{ exact_sum('billable_hours_billed') }} as billable_hours_billed

    from effort_months
    group by client_id, month

),

final as (

    select
        client_months.client_id,
        client_months.month,
        -- A month without an SLA verdict (sla_met null) is neither struggling nor healthy.
        cast(
            case
                when client_months.is_watermelon then 'watermelon'
                when not client_months.sla_met then 'struggling'
                when client_months.sla_met and client_months.xla_status = 'met' then 'healthy'
                else 'other'
            end as string
        ) as review_verdict,
        cast(coalesce(effort.effort_tickets, 0) as bigint) as effort_tickets,
        cast(coalesce(effort.timeslips, 0) as bigint) as timeslips,
        cast(coalesce(effort.hours_worked, 0) as double) as hours_worked,
        cast(coalesce(effort.hours_billed, 0) as double) as hours_billed,
        cast(coalesce(effort.billable_hours_billed, 0) as double) as billable_hours_billed

    from client_months
    left join effort
        on
            client_months.client_id = effort.client_id
            and client_months.month = effort.month

)

select * from final
