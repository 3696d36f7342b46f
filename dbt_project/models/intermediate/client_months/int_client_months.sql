{#-
    One row per client and client-local month it is reported for: from the later of the
    contract's first month and the month the client's history begins (the start of the
    earliest source system it appears in), to the earlier of the contract's last month
    and the month of as_of. Without a contract_start, a client first seen in the
    extracts' first month is taken to have been a client since they began; one first
    seen later starts with the month of its first ticket or survey response; one not seen
    yet has no months. Quiet months are rows too. A month's contract tier is that of the
    client's version in force on the month's first day (`stg_reference__client_versions`).
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

client_versions as (

    select * from {{ ref('stg_reference__client_versions') }}

),

run_parameters as (

    select * from {{ ref('int_run_parameters') }}

),

-- The first instant each source system's extracts know of. A month before it has no
-- record of service, however long the contract has run.
records as (

    select client_id, source_system, created_at as recorded_at from tickets
    union all
    select client_id, 'psa' as source_system, responded_at as recorded_at from surveys
    where responded_at is not null

),

source_starts as (

    select
        source_system,
        min(recorded_at) as started_at

    from records
    group by source_system

),

-- A client's history begins where the earliest source system it appears in begins
-- (an old ServiceNow export of one client does not give every client years of empty
-- months); a client with no records yet starts with the PSA's extracts, or with the
-- earliest source when there are none.
client_sources as (

    select distinct client_id, source_system from records

),

client_history as (

    select
        client_sources.client_id,
        min(source_starts.started_at) as history_started_at

    from client_sources
    inner join source_starts
        on client_sources.source_system = source_starts.source_system
    group by client_sources.client_id

),

default_history as (

    select
        coalesce(
            max(case when source_system = 'psa' then started_at end), min(started_at)
        ) as history_started_at

    from source_starts

),

-- The client's own first record: where its months start when its contract start is not
-- known and it was not there from the start of the extracts.
client_first_records as (

    select
        client_id,
        min(recorded_at) as first_recorded_at

    from records
    group by client_id

),

history_start as (

    select
        clients.client_id,
        coalesce(client_history.history_started_at, default_history.history_started_at)
            as history_started_at,
        client_first_records.first_recorded_at

    from clients
    cross join default_history
    left join client_history
        on clients.client_id = client_history.client_id
    left join client_first_records
        on clients.client_id = client_first_records.client_id

),

localised as (

    select
        clients.client_id,
        cast({{ dbt.date_trunc('month', 'clients.contract_start') }} as date) as contract_start_month,
        cast({{ dbt.date_trunc('month', 'clients.contract_end') }} as date) as contract_end_month,
        cast(
            {{ dbt.date_trunc('month', to_local_timestamp('history_start.history_started_at', 'clients.timezone')) }}
            as date
        ) as history_start_month,
        cast(
            {{ dbt.date_trunc('month', to_local_timestamp('history_start.first_recorded_at', 'clients.timezone')) }}
            as date
        ) as first_record_month,
        -- Seen in the extracts' first (UTC) month: a client since before they began.
        (
            cast({{ dbt.date_trunc('month', to_local_timestamp('history_start.first_recorded_at', "'UTC'")) }} as date)
            = cast({{ dbt.date_trunc('month', to_local_timestamp('history_start.history_started_at', "'UTC'")) }} as date)
        ) as is_seen_from_the_start,
        cast(
            {{ dbt.date_trunc('month', to_local_timestamp('run_parameters.as_of', 'clients.timezone')) }}
            as date
        ) as as_of_month

    from clients
    inner join history_start
        on clients.client_id = history_start.client_id
    cross join run_parameters

),

windows as (

    select
        client_id,
        as_of_month,
        case
            when contract_start_month is null and not is_seen_from_the_start
                then first_record_month
            when contract_start_month > history_start_month then contract_start_month
            else history_start_month
        end as first_month,
        case
            when contract_end_month < as_of_month then contract_end_month
            else as_of_month
        end as last_month

    from localised
    -- Without a contract start, a client not seen yet has nothing to report.
    where contract_start_month is not null or first_record_month is not null

),

-- Four digits: 10,000 months.
month_offsets as (

    {{ integer_series(4) }}

),

months as (

    select
        windows.client_id,
        windows.as_of_month,
        cast({{ dbt.dateadd('month', 'month_offsets.n', 'windows.first_month') }} as date) as month

    from windows
    cross join month_offsets
    where month_offsets.n <= {{ dbt.datediff('windows.first_month', 'windows.last_month', 'month') }}

),

final as (

    select
        months.client_id,
        months.month,
        client_versions.contract_tier,
        months.month < months.as_of_month as is_month_complete

    from months
    inner join client_versions
        on
            months.client_id = client_versions.client_id
            and (client_versions.in_force_from is null or months.month >= client_versions.in_force_from)
            and (client_versions.in_force_to is null or months.month <= client_versions.in_force_to)

)

select * from final
