{#-
    The tickets opened per priority (`fct_client_month_priorities`, the bars of the
    review's volume chart) add up to the month's `tickets_opened` (`fct_client_months`,
    the chart's totals) in every client-month a review shows: one count, two grains.
    Months outside a client's contract have tickets but no review. Returns each
    client-month where they differ.
-#}
with

priorities as (

    select
        client_id,
        month,
        sum(tickets_opened) as tickets_opened

    from {{ ref('fct_client_month_priorities') }}
    group by client_id, month

),

client_months as (

    select
        client_id,
        month,
        tickets_opened

    from {{ ref('fct_client_months') }}

)

select
    client_months.client_id,
    client_months.month,
    priorities.tickets_opened as by_priority,
    client_months.tickets_opened as in_client_month

from client_months
left join priorities
    on
        client_months.client_id = priorities.client_id
        and client_months.month = priorities.month
where coalesce(priorities.tickets_opened, 0) <> client_months.tickets_opened
