{{
    config(
        materialized=scoped_incremental(),
        incremental_strategy='replace_scope',
        incremental_scope='sla_ticket_scope',
        on_schema_change='fail',
    )
}}

{#- The measured clocks (`int_sla__measured_clocks`), published; the same scope is replaced. -#}

with

clocks as (

    select * from {{ ref('int_sla__measured_clocks') }}
    where {{ incremental_scope_predicate('sla_ticket_scope') }}

)

select * from clocks
