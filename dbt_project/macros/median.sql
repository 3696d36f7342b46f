{#- The median of a column, as an aggregate. Dispatched: DuckDB and Spark have median(). -#}
{% macro median(expr) -%}
    {{ return(adapter.dispatch('median', 'xla_warehouse')(expr)) }}
{%- endmacro %}

{% macro default__median(expr) -%}
    percentile_cont(0.5) within group (order by {{ expr }})
{%- endmacro %}

{% macro duckdb__median(expr) -%}
    median({{ expr }})
{%- endmacro %}

{% macro spark__median(expr) -%}
    median({{ expr }})
{%- endmacro %}
