{#- Blank or null `as_of` means "take it from the data" (macros/run_parameters.sql). -#}
{%- set as_of_var = (run_parameter('as_of', '') or '') | string | trim -%}

with

latest_updates as (

    select max(updated_at) as latest_updated_at from {{ ref('int_tickets__delivered') }}
    union all
    select max(updated_at) as latest_updated_at from {{ ref('stg_psa__timeslips') }}

),

data_as_of as (

    select max(latest_updated_at) as latest_updated_at
    from latest_updates

),

parameters as (

    select
        {% if as_of_var -%}
            cast('{{ dbt.escape_single_quotes(as_of_var) }}' as {{ type_instant() }}) as as_of,
            'var' as as_of_source,
        {%- else -%}
            latest_updated_at as as_of,
            'data' as as_of_source,
        {%- endif %}
        latest_updated_at

    from data_as_of

)

select * from parameters
