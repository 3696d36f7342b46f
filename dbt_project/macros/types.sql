{#-
    Type names that differ between engines. Plain `string`, `bigint`, `double`, `date`,
    `boolean` and `integer` mean the same on every engine the warehouse runs on; an
    instant (a point in time, shown in UTC) does not.
-#}

{#- An instant: DuckDB's timestamp with time zone; Spark's timestamp (session zone UTC). -#}
{% macro type_instant() -%}
    {{ return(adapter.dispatch('type_instant', 'xla_warehouse')()) }}
{%- endmacro %}

{% macro default__type_instant() -%}
    timestamp with time zone
{%- endmacro %}

{% macro spark__type_instant() -%}
    timestamp
{%- endmacro %}
