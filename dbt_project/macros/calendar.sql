{#- ISO calendar parts of a date, spelled differently by every engine. -#}

{% macro iso_day_of_week(date_expr) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'xla_warehouse')(date_expr)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(date_expr) -%}
    cast(extract(isodow from {{ date_expr }}) as integer)
{%- endmacro %}

{% macro spark__iso_day_of_week(date_expr) -%}
    (weekday({{ date_expr }}) + 1)
{%- endmacro %}

{% macro iso_week(date_expr) -%}
    {{ return(adapter.dispatch('iso_week', 'xla_warehouse')(date_expr)) }}
{%- endmacro %}

{% macro default__iso_week(date_expr) -%}
    cast(extract(week from {{ date_expr }}) as integer)
{%- endmacro %}

{% macro iso_year(date_expr) -%}
    {{ return(adapter.dispatch('iso_year', 'xla_warehouse')(date_expr)) }}
{%- endmacro %}

{% macro default__iso_year(date_expr) -%}
    cast(extract(isoyear from {{ date_expr }}) as integer)
{%- endmacro %}

{% macro spark__iso_year(date_expr) -%}
    cast(extract(yearofweek from {{ date_expr }}) as integer)
{%- endmacro %}
