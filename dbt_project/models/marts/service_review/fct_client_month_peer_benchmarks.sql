{#-
    Where a client-month stands among its peers: one row per client-month of
    `fct_client_months` and metric (`happiness`, `nps`, `avg_lost_time_minutes`,
    `sla_attainment_pct`), with its percentile among the clients of the same contract
    tier that month that have a value. Percentile = 100 x (peers with a worse value +
    half the peers with the same value) / (peers - 1), the client itself not counted;
    worse is lower, but for lost time, where more is worse. Null below
    `peer_min_clients` peers (msp_settings.csv, default 5) or without a value.
-#}
with

client_months as (

    select * from {{ ref('fct_client_months') }}

),

msp_settings as (

    select * from {{ ref('stg_reference__msp_settings') }}

),

peer_minimum as (

    {{ msp_setting_values('msp_settings', [('peer_min_clients', 'integer', 'min_clients')]) }}

),

metric_values as (

    select
        client_id,
        month,
        contract_tier,
        'happiness' as metric,
        happiness as metric_value
    from client_months
    union all
    select
        client_id,
        month,
        contract_tier,
        'nps' as metric,
        nps as metric_value
    from client_months
    union all
    select
        client_id,
        month,
        contract_tier,
        'avg_lost_time_minutes' as metric,
        avg_lost_time_minutes as metric_value
    from client_months
    union all
    select
        client_id,
        month,
        contract_tier,
        'sla_attainment_pct' as metric,
        sla_attainment_pct as metric_value
    from client_months

),

-- Better is higher, but for lost time: `standing` turns each value so that a higher
-- standing is better, and the ranks count the peers below and level with each client.
standings as (

    select
        client_id,
        month,
        contract_tier,
        metric,
        case when metric = 'avg_lost_time_minutes' then -metric_value else metric_value end as standing

    from metric_values
    where metric_value is not null and contract_tier is not null

),

ranked as (

    select
        client_id,
        month,
        metric,
        rank() over (partition by contract_tier, month, metric order by standing) - 1 as worse_peers,
        count(*) over (partition by contract_tier, month, metric, standing) - 1 as level_peers

    from standings

),

-- The tier's clients with a value that month: a client without one is told how many
-- there were, and has no percentile.
peer_counts as (

    select
        contract_tier,
        month,
        metric,
        count(*) as peers

    from standings
    group by contract_tier, month, metric

),

final as (

    select
        {{ dbt.concat([
            'metric_values.client_id', "'|'", format_month('metric_values.month'), "'|'", 'metric_values.metric'
        ]) }} as client_month_metric_id,
        metric_values.client_id,
        metric_values.month,
        metric_values.contract_tier,
        cast(metric_values.metric as string) as metric,
        cast(metric_values.metric_value as double) as metric_value,
        cast(coalesce(peer_counts.peers, 0) as bigint) as peers,
        cast(peer_minimum.min_clients as bigint) as peer_min_clients,
        case
            when
                ranked.client_id is not null
                and peer_counts.peers >= peer_minimum.min_clients
                and peer_counts.peers > 1
                then
                    100 * cast(ranked.worse_peers + 0.5 * ranked.level_peers as double)
                    / (peer_counts.peers - 1)
        end as percentile

    from metric_values
    cross join peer_minimum
    left join ranked
        on
            metric_values.client_id = ranked.client_id
            and metric_values.month = ranked.month
            and metric_values.metric = ranked.metric
    left join peer_counts
        on
            metric_values.contract_tier = peer_counts.contract_tier
            and metric_values.month = peer_counts.month
            and metric_values.metric = peer_counts.metric

)

select * from final
