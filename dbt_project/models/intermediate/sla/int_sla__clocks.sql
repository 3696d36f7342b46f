{{ config(materialized='table') }}

{#-
    One SLA clock per ticket and metric (docs/contract.md §4): the policy of the client's tier
    and the ticket's latest priority, where the clock starts (`created_at`, also after a
    priority change) and where it stopped for good, in minutes since the epoch. The
    client's tier, calendar and time zone are those of its version in force on the local
    date the clock starts, and the policy is the row in force on that date (`valid_from`
    / `valid_to`): the local date in the time zone of the client's latest version.
    `first_response` stops at `first_response_at` (at the first resolution when a ticket
    was resolved with no response recorded); `resolution` stops where the last run of
    `Resolved`/`Closed` statuses began, if the ticket is still in one. A clock that has
    not stopped is measured up to `as_of`.
-#}

with

tickets as (

    select * from {{ ref('int_tickets__unioned') }}

),

clients as (

    select * from {{ ref('stg_reference__clients') }}

),

client_versions as (

    select * from {{ ref('stg_reference__client_versions') }}

),

policies as (

    select * from {{ ref('stg_reference__sla_policies') }}

),

run_parameters as (

    select * from {{ ref('int_run_parameters') }}

),

status_intervals as (

    select * from {{ ref('int_sla__status_intervals') }}

),

metrics as (

    select 'first_response' as metric
    union all
    select 'resolution' as metric

),

resolutions as (

    select
        ticket_id,
        max(case when not is_resolved then status_end end) as last_open_end,
        min(case when is_resolved then status_start end) as first_resolution,
        max(status_sequence) as last_sequence

    from status_intervals
    group by ticket_id

),

latest_status as (

    select
        resolutions.ticket_id,
        resolutions.first_resolution,
        resolutions.last_open_end,
        status_intervals.is_resolved as ends_resolved

    from resolutions
    inner join status_intervals
        on
            resolutions.ticket_id = status_intervals.ticket_id
            and resolutions.last_sequence = status_intervals.status_sequence

),

-- The local date each clock starts on, which picks the versions in force.
started as (

    select
        tickets.*,
        cast(
            {{ to_local_timestamp('tickets.created_at', "coalesce(clients.timezone, 'UTC')") }} as date
        ) as start_date

    from tickets
    left join clients
        on tickets.client_id = clients.client_id

),

clocks as (

    select
        started.ticket_id,
        started.client_id,
        metrics.metric,
        started.priority,
        client_versions.contract_tier,
        client_versions.calendar_id,
        client_versions.timezone,
        policies.clock,
        policies.target_minutes,
        policies.pause_statuses,
        policies.attainment_target_pct,
        case
            when policies.metric is not null
                then {{ dbt.concat([
                    'client_versions.contract_tier', "'/'", 'started.priority', "'/'", 'metrics.metric'
                ]) }}
        end as policy,
        case
            when policies.clock = '24x7' then '24x7'
            else {{ dbt.concat(['client_versions.calendar_id', "'|'", 'client_versions.timezone']) }}
        end as calendar_key,
        {{ epoch_minute('started.created_at') }} as start_minute,
        case
            when metrics.metric = 'first_response'
                then coalesce(
                    case
                        when started.first_response_at < started.created_at
                            then {{ epoch_minute('started.created_at') }}
                        else {{ epoch_minute('started.first_response_at') }}
                    end,
                    latest_status.first_resolution
                )
            when latest_status.ends_resolved
                then coalesce(latest_status.last_open_end, {{ epoch_minute('started.created_at') }})
        end as stop_minute,
        {{ epoch_minute('run_parameters.as_of') }} as as_of_minute

    from started
    cross join metrics
    cross join run_parameters
    left join client_versions
        on
            started.client_id = client_versions.client_id
            and (client_versions.in_force_from is null or started.start_date >= client_versions.in_force_from)
            and (client_versions.in_force_to is null or started.start_date <= client_versions.in_force_to)
    left join policies
        on
            client_versions.contract_tier = policies.contract_tier
            and started.priority = policies.priority
            and metrics.metric = policies.metric
            and {{ is_in_force('policies', 'started.start_date') }}
    left join latest_status
        on started.ticket_id = latest_status.ticket_id

)

select
    *,
    -- Where the clock's reading is taken: its stop, else as_of (never before the start).
    coalesce(
        stop_minute,
        case when as_of_minute > start_minute then as_of_minute else start_minute end
    ) as end_minute

from clocks
