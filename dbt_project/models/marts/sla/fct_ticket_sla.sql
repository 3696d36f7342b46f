{{
    config(
        materialized=scoped_incremental(),
        incremental_strategy='replace_scope',
        incremental_scope='sla_ticket_scope',
        on_schema_change='fail',
    )
}}

{#-
    One row per ticket and SLA metric: the measured clocks (`int_sla__measured_clocks`),
    published, and for a clock still running at as_of the share of its target used, the
    minutes left and its risk band (`sla_at_risk_pct`, msp_settings.csv, default 75). The
    same scope is replaced: every clock still running is in it on every build, so its
    band follows as_of.
-#}

with

clocks as (

    select * from {{ ref('int_sla__measured_clocks') }}
    where {{ incremental_scope_predicate('sla_ticket_scope') }}

),

msp_settings as (

    select * from {{ ref('stg_reference__msp_settings') }}

),

at_risk as (

    {{ msp_setting_values('msp_settings', [('sla_at_risk_pct', 'double', 'at_risk_pct')]) }}

),

-- A running clock is one with a policy that has not stopped at as_of.
running as (

    select
        clocks.ticket_id,
        clocks.metric,
        100.0 * clocks.elapsed_minutes / clocks.target_minutes as target_used_pct,
        cast(clocks.target_minutes - clocks.elapsed_minutes as bigint) as minutes_left,
        case
            when clocks.elapsed_minutes > clocks.target_minutes then 'breached'
            when
                100.0 * clocks.elapsed_minutes / clocks.target_minutes
                >= at_risk.at_risk_pct
                then 'at_risk'
            else 'on_track'
        end as risk_band

    from clocks
    cross join at_risk
    where
        clocks.stopped_at is null
        and clocks.policy is not null
        and clocks.target_minutes > 0

),

final as (

    select
        clocks.*,
        cast(running.target_used_pct as double) as target_used_pct,
        running.minutes_left,
        running.risk_band

    from clocks
    left join running
        on
            clocks.ticket_id = running.ticket_id
            and clocks.metric = running.metric

)

select * from final
