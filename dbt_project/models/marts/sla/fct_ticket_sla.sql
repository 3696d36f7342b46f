-- STUB
{#-
    Stand-in for the SLA engine's fct_ticket_sla: the published columns and types, with
    placeholder values (calendar minutes, no pauses, no business calendar). Models
    downstream build against its shape only.
-#}
{{ config(contract={'enforced': false}) }}

with

tickets as (

    select * from {{ ref('int_tickets__unioned') }}

),

clients as (

    select * from {{ ref('stg_reference__clients') }}

),

policies as (

    select * from {{ ref('stg_reference__sla_policies') }}

),

run_parameters as (

    select * from {{ ref('run_parameters') }}

),

clocks as (

    select
        tickets.ticket_id,
        tickets.client_id,
        policies.metric,
        tickets.priority,
        clients.contract_tier,
        clients.timezone,
        policies.clock,
        policies.target_minutes,
        policies.attainment_target_pct,
        tickets.created_at as started_at,
        run_parameters.as_of,
        case
            when policies.metric = 'first_response' then tickets.first_response_at
            when tickets.status in ({{ resolved_statuses() }}) then coalesce(tickets.resolved_at, tickets.closed_at)
        end as stopped_at

    from tickets
    inner join clients
        on tickets.client_id = clients.client_id
    inner join policies
        on
            clients.contract_tier = policies.contract_tier
            and tickets.priority = policies.priority
    cross join run_parameters

),

measured as (

    select
        *,
        cast(
            {{ dbt.datediff('started_at', 'measured_until', 'minute') }}
            as bigint
        ) as elapsed_minutes

    from (
        select
            *,
            coalesce(stopped_at, as_of) as measured_until
        from clocks
    ) as running

),

final as (

    select
        cast(ticket_id as varchar) as ticket_id,
        cast(client_id as varchar) as client_id,
        cast(metric as varchar) as metric,
        cast(priority as varchar) as priority,
        cast(contract_tier as varchar) as contract_tier,
        cast(contract_tier || '/' || priority || '/' || metric as varchar) as policy,  -- noqa: RF04
        cast(clock as varchar) as clock,
        cast(target_minutes as integer) as target_minutes,
        cast(attainment_target_pct as double) as attainment_target_pct,
        started_at,
        elapsed_minutes,
        cast(0 as bigint) as paused_minutes,
        cast({{ dbt.dateadd('minute', 'target_minutes', 'started_at') }} as timestamp with time zone) as due_at,
        stopped_at,
        cast(
            {{ dbt.date_trunc('month', to_local_timestamp('stopped_at', 'timezone')) }} as date
        ) as stopped_month,
        case
            when elapsed_minutes > target_minutes
                then cast({{ dbt.dateadd('minute', 'target_minutes + 1', 'started_at') }} as timestamp with time zone)
        end as breached_at,
        cast(
            case
                when elapsed_minutes > target_minutes then 'breached'
                when stopped_at is not null then 'met'
                else 'in_progress'
            end as varchar
        ) as sla_status

    from measured

)

select * from final
