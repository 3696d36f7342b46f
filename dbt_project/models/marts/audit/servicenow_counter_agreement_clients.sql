{#-
    How far the published reopen and reassignment counts of each client's ServiceNow
    incidents agree with ServiceNow's own counters: one row per client, counter and kind
    of disagreement (`agrees` for the incidents that agree), with its incidents, and the
    client's incidents in all.
-#}
with

incidents as (

    select * from {{ ref('servicenow_counter_agreement') }}

),

judged as (

    select
        client_id,
        'reopen' as counter,
        case when reopen_agrees then 'agrees' else reopen_disagreement end as agreement

    from incidents

    union all

    select
        client_id,
        'reassignment' as counter,
        case when reassignment_agrees then 'agrees' else reassignment_disagreement end as agreement

    from incidents

),

client_totals as (

    select
        client_id,
        count(*) as client_incidents

    from incidents
    group by client_id

),

classes as (

    select
        client_id,
        counter,
        agreement,
        count(*) as incidents

    from judged
    group by client_id, counter, agreement

),

final as (

    select
        classes.client_id,
        classes.counter,
        classes.agreement,
        cast(classes.incidents as bigint) as incidents,
        cast(client_totals.client_incidents as bigint) as client_incidents

    from classes
    inner join client_totals
        on classes.client_id = client_totals.client_id

)

select * from final
