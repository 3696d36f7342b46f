{#-
    The status, priority and assignee trail of tickets from every source system, in the
    shape of the PSA extract. Source adapters (`stg_<source>__ticket_events`) are added
    here with `union all`.
-#}
with

psa as (

    select
        event_id,
        ticket_id,
        occurred_at,
        field,
        old_value,
        new_value,
        actor_id,
        cast('psa' as string) as source_system,
        source_file,
        source_line,
        extract_date

    from {{ ref('stg_psa__ticket_events') }}

),

servicenow as (

    select
        event_id,
        ticket_id,
        occurred_at,
        field,
        old_value,
        new_value,
        actor_id,
        cast('servicenow' as string) as source_system,
        source_file,
        source_line,
        extract_date

    from {{ ref('stg_servicenow__ticket_events') }}

)

select * from psa
union all
select * from servicenow
