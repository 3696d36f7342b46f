{#-
    Numbers, dates and times as string for a flag's evidence. Every engine spells these
    differently, hence dispatched; the default is the to_char of most SQL engines.
-#}

{#- A number rounded to at most `decimals` places, trailing zeros dropped: 6, 0.5, 13.27. -#}
{% macro format_number(expr, decimals) -%}
    {%- if decimals > 0 -%}
        trim(trailing '.' from trim(trailing '0' from {{ format_fixed(expr, decimals) }}))
    {%- else -%}
        {{ format_fixed(expr, decimals) }}
    {%- endif -%}
{%- endmacro %}

{#- A number as string with exactly `decimals` places. -#}
{% macro format_fixed(expr, decimals) -%}
    {{ return(adapter.dispatch('format_fixed', 'xla_warehouse')(expr, decimals)) }}
{%- endmacro %}

{% macro default__format_fixed(expr, decimals) -%}
    to_char({{ expr }}, 'FM999999990{% if decimals > 0 %}.{{ '0' * decimals }}{% endif %}')
{%- endmacro %}

{% macro duckdb__format_fixed(expr, decimals) -%}
    printf('%.{{ decimals }}f', cast({{ expr }} as double))
{%- endmacro %}

{% macro spark__format_fixed(expr, decimals) -%}
    format_string('%.{{ decimals }}f', cast({{ expr }} as double))
{%- endmacro %}

{% macro format_date(expr) -%}
    {{ return(adapter.dispatch('format_date', 'xla_warehouse')(expr)) }}
{%- endmacro %}

{% macro default__format_date(expr) -%}
    to_char({{ expr }}, 'YYYY-MM-DD')
{%- endmacro %}

{% macro duckdb__format_date(expr) -%}
    strftime(cast({{ expr }} as date), '%Y-%m-%d')
{%- endmacro %}

{% macro spark__format_date(expr) -%}
    date_format(cast({{ expr }} as date), 'yyyy-MM-dd')
{%- endmacro %}

{% macro format_month(expr) -%}
    {{ return(adapter.dispatch('format_month', 'xla_warehouse')(expr)) }}
{%- endmacro %}

{% macro default__format_month(expr) -%}
    to_char({{ expr }}, 'YYYY-MM')
{%- endmacro %}

{% macro duckdb__format_month(expr) -%}
    strftime(cast({{ expr }} as date), '%Y-%m')
{%- endmacro %}

{% macro spark__format_month(expr) -%}
    date_format(cast({{ expr }} as date), 'yyyy-MM')
{%- endmacro %}

{#- Wall-clock time of a timestamp without time zone, `HH:MM`. -#}
{% macro format_time(expr) -%}
    {{ return(adapter.dispatch('format_time', 'xla_warehouse')(expr)) }}
{%- endmacro %}

{% macro default__format_time(expr) -%}
    to_char({{ expr }}, 'HH24:MI')
{%- endmacro %}

{% macro duckdb__format_time(expr) -%}
    strftime({{ expr }}, '%H:%M')
{%- endmacro %}

{% macro spark__format_time(expr) -%}
    date_format({{ expr }}, 'HH:mm')
{%- endmacro %}

{#- A timestamp without time zone to the minute, `YYYY-MM-DD HH:MM`. -#}
{% macro format_timestamp(expr) -%}
    {{ return(adapter.dispatch('format_timestamp', 'xla_warehouse')(expr)) }}
{%- endmacro %}

{% macro default__format_timestamp(expr) -%}
    to_char({{ expr }}, 'YYYY-MM-DD HH24:MI')
{%- endmacro %}

{% macro duckdb__format_timestamp(expr) -%}
    strftime({{ expr }}, '%Y-%m-%d %H:%M')
{%- endmacro %}

{% macro spark__format_timestamp(expr) -%}
    date_format({{ expr }}, 'yyyy-MM-dd HH:mm')
{%- endmacro %}

{#- The ISO 8601 week of a date as `YYYY-Www`, e.g. `2026-W03`. -#}
{% macro format_iso_week(date_expr) -%}
    {{ dbt.concat([
        'cast(' ~ iso_year(date_expr) ~ ' as string)',
        "'-W'",
        "case when " ~ iso_week(date_expr) ~ " < 10 then '0' else '' end",
        'cast(' ~ iso_week(date_expr) ~ ' as string)',
    ]) }}
{%- endmacro %}

{#- A count and its noun, singular or plural: `1 timeslip flag`, `3 timeslip flags`. -#}
{% macro count_phrase(count_expr, singular, plural) -%}
    {{ dbt.concat([
        dbt.cast(count_expr, api.Column.translate_type('string')),
        "case when " ~ count_expr ~ " = 1 then ' " ~ singular ~ "' else ' " ~ plural ~ "' end",
    ]) }}
{%- endmacro %}

{#- The texts of a group, joined by `delimiter` in the order of `order_col`. Dispatched:
    Spark's listagg cannot order. -#}
{% macro ordered_text(text_col, order_col, delimiter) -%}
    {{ return(adapter.dispatch('ordered_text', 'xla_warehouse')(text_col, order_col, delimiter)) }}
{%- endmacro %}

{% macro default__ordered_text(text_col, order_col, delimiter) -%}
    {{ dbt.listagg(text_col, delimiter, 'order by ' ~ order_col) }}
{%- endmacro %}

{% macro spark__ordered_text(text_col, order_col, delimiter) -%}
    array_join(
        transform(
            array_sort(collect_list(struct({{ order_col }} as sort_key, {{ text_col }} as text))),
            item -> item.text
        ),
        {{ delimiter }}
    )
{%- endmacro %}
