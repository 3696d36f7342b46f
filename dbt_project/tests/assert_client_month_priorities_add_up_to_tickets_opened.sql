{#-
    The tickets opened per priority (`fct_client_month_priorities`, the bars of the
    review's volume chart) add up to the month's `tickets_opened` (`fct_client_months`,
    the chart's totals): one count, two grains. Returns each client-month where they
    differ.
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
    coalesce(priorities.client_id, client_months.client_id) as client_id,
    coalesce(priorities.month, client_months.month) as month,
    priorities.tickets_opened as by_priority,
    client_months.tickets_opened as in_client_month

from priorities
full outer join client_months
    on
        priorities.client_id = client_months.client_id
        and priorities.month = client_months.month
where coalesce(priorities.tickets_opened, 0) <> coalesce(client_months.tickets_opened, 0)
