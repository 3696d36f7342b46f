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

{#-
    The dates each version of an entity answers for, so that exactly one version of it is
    in force on any date: `in_force_from` is its valid_from (null, since always, for the
    first), `in_force_to` the day before the next version's valid_from (null, from then
    on, for the last), so a date in a gap between two versions takes the earlier one; and
    whether it is the latest version. Columns of a select over rows with `valid_from`.
-#}
{% macro version_spans(key) -%}
    {%- set ordered = "partition by " ~ key ~ " order by coalesce(valid_from, cast('0001-01-01' as date))" -%}
    case when row_number() over ({{ ordered }}) > 1 then valid_from end as in_force_from,
    cast({{ dbt.dateadd('day', -1, 'lead(valid_from) over (' ~ ordered ~ ')') }} as date) as in_force_to,
    row_number() over ({{ ordered }} desc) = 1 as is_latest_version
{%- endmacro %}
