{#-
    Date-effective reference rows (docs/contract.md §3): a row is in force from its
    `valid_from` to its `valid_to`, both local dates and both included; an empty bound
    is open (since always, from then on). Plain comparisons, the same on every engine.
-#}

{#- Whether the row `alias` (a relation or CTE with valid_from/valid_to) is in force on a date. -#}
{% macro is_in_force(alias, date_expr) -%}
    (
        ({{ alias }}.valid_from is null or {{ alias }}.valid_from <= {{ date_expr }})
        and ({{ alias }}.valid_to is null or {{ alias }}.valid_to >= {{ date_expr }})
    )
{%- endmacro %}

{#-
    An optional column of a seed, cast to a type: the column where the loaded file has it,
    else null. A run's snapshot writes every column, but the dbt project's own checks on
    reference data also load the MSP's files as they are (its second net), which may
    lack a column added to the contract since (valid_from / valid_to).
-#}
{% macro optional_column(relation, column, data_type) -%}
    {%- set present = namespace(value=true) -%}
    {%- if execute -%}
        {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {#- A relation not built yet (compiling ahead of the seeds) is taken to have it. -#}
        {%- if names | length > 0 and (column | lower) not in names -%}
            {%- set present.value = false -%}
        {%- endif -%}
    {%- endif -%}
    {%- if present.value -%}
        cast({{ column }} as {{ data_type }})
    {%- else -%}
        cast(null as {{ data_type }})
    {%- endif -%}
{%- endmacro %}
