{#-
    One row per ServiceNow incident: the reopen and reassignment counts the warehouse
    publishes beside ServiceNow's own counters on the incident's latest update, whether
    they agree, and, where they do not, the first step of the logged history at which
    they part ways, by class (docs/metrics/servicenow.md#counter-agreement).
-#}
with

steps as (

    select * from {{ ref('int_servicenow__counter_steps') }}

),

tickets as (

    select * from {{ ref('fct_tickets') }}

),

incidents as (

    select
        ticket_id,
        client_id,
        incident_number,
        cast(count(*) as bigint) as update_count,
        -- Versions 0 .. the highest that the log does not hold.
        cast(max(sys_mod_count) + 1 - count(distinct sys_mod_count) as bigint)
            as missing_update_count,
        max(case when is_latest_update then source_reopen_count end) as source_reopen_count,
        max(
            case when is_latest_update then source_reassignment_count end
        ) as source_reassignment_count

    from steps
    group by ticket_id, client_id, incident_number

),

first_disagreements as (

    select
        ticket_id,
        max(case when reopen_rank = 1 then reopen_disagreement end) as reopen_disagreement,
        max(
            case when reassignment_rank = 1 then reassignment_disagreement end
        ) as reassignment_disagreement

    from (
        select
            ticket_id,
            reopen_disagreement,
            reassignment_disagreement,
            row_number() over (
                partition by ticket_id
                order by case when reopen_disagreement is null then 1 else 0 end, history_rank
            ) as reopen_rank,
            row_number() over (
                partition by ticket_id
                order by
                    case when reassignment_disagreement is null then 1 else 0 end, history_rank
            ) as reassignment_rank
        from steps
    ) as ranked
    group by ticket_id

),

compared as (

    select
        incidents.ticket_id,
        incidents.client_id,
        incidents.incident_number,
        incidents.update_count,
        incidents.missing_update_count,
        incidents.source_reopen_count,
        tickets.reopen_count,
        incidents.source_reassignment_count,
        tickets.reassignment_count,
        first_disagreements.reopen_disagreement as first_reopen_disagreement,
        first_disagreements.reassignment_disagreement as first_reassignment_disagreement,
        coalesce(tickets.reopen_count = incidents.source_reopen_count, false) as reopen_agrees,
        coalesce(
            tickets.reassignment_count = incidents.source_reassignment_count, false
        ) as reassignment_agrees

    from incidents
    inner join tickets
        on incidents.ticket_id = tickets.ticket_id
    left join first_disagreements
        on incidents.ticket_id = first_disagreements.ticket_id

),

classified as (

    select
        *,
        case when not reopen_agrees then first_reopen_disagreement end as reopen_disagreement,
        case
            when not reassignment_agrees then first_reassignment_disagreement
        end as reassignment_disagreement

    from compared

)

select
    ticket_id,
    client_id,
    incident_number,
    update_count,
    missing_update_count,
    source_reopen_count,
    reopen_count,
    reopen_agrees,
    reopen_disagreement,
    source_reassignment_count,
    reassignment_count,
    reassignment_agrees,
    reassignment_disagreement

from classified
