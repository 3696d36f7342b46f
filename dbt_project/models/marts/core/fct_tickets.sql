{{
    config(
        materialized=scoped_incremental(),
        incremental_strategy='replace_scope',
        incremental_scope='ticket_scope',
        on_schema_change='fail',
    )
}}

{#- The measured tickets (`int_tickets__measured`), published; the same scope is replaced. -#}

with

tickets as (

    select * from {{ ref('int_tickets__measured') }}
    where {{ incremental_scope_predicate('ticket_scope') }}

)

select * from tickets
