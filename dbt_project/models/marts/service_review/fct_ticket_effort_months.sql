{#-
    Time booked on each ticket per client-local month: the latest version of every
    timeslip on a ticket of the extracts, in the month of its start in the ticket's
    client's time zone (the month a hold on the client reads). Internal work and work
    for no ticket are not a ticket's effort.
-#}
with

timeslips as (

    select * from {{ ref('int_timeslips__enriched') }}

),

final as (

    select
        {{ dbt.concat(['ticket_id', "'|'", format_month('month')]) }} as ticket_effort_month_id,
        ticket_id,
        client_id,
        month,
        cast(count(*) as bigint) as timeslip_count,
        {{ exact_sum('hours_worked') }} as hours_worked,
        {{ exact_sum('hours_billed') }} as hours_billed,
        {{ exact_sum("case when billable = 'Billable' then hours_billed else 0 end") }}
            as billable_hours_billed

    from timeslips
    where is_known_ticket and month is not null
    group by ticket_id, client_id, month

)

select * from final
