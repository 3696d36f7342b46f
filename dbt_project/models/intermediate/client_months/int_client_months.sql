{#-
    One row per client and client-local month it is reported for: from the later of the
    contract's first month and the month the extracts' history begins, to the earlier of
    the contract's last month and the month of as_of. Quiet months are rows too.
-#}
with

clients as (

    select * from {{ ref('stg_reference__clients') }}

),

tickets as (

    select * from {{ ref('int_tickets__unioned') }}

),

surveys as (

    select * from {{ ref('stg_psa__surveys') }}

),

run_parameters as (

    select * from {{ ref('run_parameters') }}

),

-- The first instant the extracts know of. A month before it has no record of service,
-- however long the contract has run.
history_start as (

    select min(first_at) as history_started_at
    from (
        select min(created_at) as first_at from tickets
        union all
        select min(responded_at) as first_at from surveys
    ) as firsts

),

localised as (

    select
        clients.client_id,
        clients.contract_tier,
        cast({{ dbt.date_trunc('month', 'clients.contract_start') }} as date) as contract_start_month,
        cast({{ dbt.date_trunc('month', 'clients.contract_end') }} as date) as contract_end_month,
        cast(
            {{ dbt.date_trunc('month', to_local_timestamp('history_start.history_started_at', 'clients.timezone')) }}
            as date
        ) as history_start_month,
        cast(
            {{ dbt.date_trunc('month', to_local_timestamp('run_parameters.as_of', 'clients.timezone')) }}
            as date
        ) as as_of_month

    from clients
    cross join history_start
    cross join run_parameters

),

windows as (

    select
        client_id,
        contract_tier,
        as_of_month,
        case
            when contract_start_month > history_start_month then contract_start_month
            else history_start_month
        end as first_month,
        case
            when contract_end_month < as_of_month then contract_end_month
            else as_of_month
        end as last_month

    from localised

),

-- Four digits: 10,000 months.
month_offsets as (

    {{ integer_series(4) }}

),

months as (

    select
        windows.client_id,
        windows.contract_tier,
        windows.as_of_month,
        cast({{ dbt.dateadd('month', 'month_offsets.n', 'windows.first_month') }} as date) as month

    from windows
    cross join month_offsets
    where month_offsets.n <= {{ dbt.datediff('windows.first_month', 'windows.last_month', 'month') }}

),

final as (

    select
        client_id,
        month,
        contract_tier,
        month < as_of_month as is_month_complete

    from months

)

select * from final
