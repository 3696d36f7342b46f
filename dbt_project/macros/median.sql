{#-
    The median of an expression over a group (the mean of the two middle values when the
    count is even; nulls ignored; null for no values). Spelled differently by engines,
    hence dispatched.
-#}
{% macro median(expr) -%}
    {{ return(adapter.dispatch('median', 'xla_warehouse')(expr)) }}
{%- endmacro %}

{% macro default__median(expr) -%}
    percentile_cont(0.5) within group (order by {{ expr }})
{%- endmacro %}

{% macro duckdb__median(expr) -%}
    quantile_cont({{ expr }}, 0.5)
{%- endmacro %}
