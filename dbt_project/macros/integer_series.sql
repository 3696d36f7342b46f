{#-
    The integers 0 .. 10^digits - 1 as column `n`, from cross-joined digits: plain SQL,
    no recursive CTE, and the bounds may come from data (dbt's date_spine needs them
    when the SQL is compiled).
-#}
{% macro integer_series(digits) -%}
    {%- set places = range(digits) -%}
    select
        {% for place in places -%}
            digit_{{ place }}.d * {{ 10 ** place }}{% if not loop.last %} + {% endif %}
        {%- endfor %} as n
    from
        {% for place in places -%}
            (
                select 0 as d union all select 1 union all select 2 union all select 3
                union all select 4 union all select 5 union all select 6
                union all select 7 union all select 8 union all select 9
            ) as digit_{{ place }}{% if not loop.last %}
        cross join
        {% endif %}
        {%- endfor %}
{%- endmacro %}
