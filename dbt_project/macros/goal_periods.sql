{#-
    Billable-goal periods: an engineer's billable goal is set per ISO week, calendar month
    or calendar quarter (`billable_goal_period` of `engineers.csv`). These give the period
    a date falls in, in any of the three: its first and last day, its label and a number
    that grows by one from each period to the next (to find consecutive periods).
-#}

{% macro goal_period_start(period_expr, date_expr) -%}
    case {{ period_expr }}
        when 'week'
            then cast({{ dbt.dateadd('day', '1 - ' ~ iso_day_of_week(date_expr), date_expr) }} as date)
        when 'quarter' then cast({{ dbt.date_trunc('quarter', date_expr) }} as date)
        else cast({{ dbt.date_trunc('month', date_expr) }} as date)
    end
{%- endmacro %}

{#- The last day of the period that starts on `start_expr`. -#}
{% macro goal_period_end(period_expr, start_expr) -%}
    case {{ period_expr }}
        when 'week' then cast({{ dbt.dateadd('day', 6, start_expr) }} as date)
        when 'quarter'
            then cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 3, start_expr)) }} as date)
        else cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, start_expr)) }} as date)
    end
{%- endmacro %}

{#- `2026-W03`, `2026-01` or `2026-Q1`: the period in a flag's subject id. -#}
{% macro goal_period_label(period_expr, start_expr) -%}
    case {{ period_expr }}
        when 'week' then {{ format_iso_week(start_expr) }}
        when 'quarter' then {{ dbt.concat([
            'cast(' ~ date_part_number('year', start_expr) ~ ' as string)',
            "'-Q'",
            'cast(' ~ date_part_number('quarter', start_expr) ~ ' as string)',
        ]) }}
        else {{ format_month(start_expr) }}
    end
{%- endmacro %}

{#- Consecutive periods of one kind have consecutive numbers. -#}
{% macro goal_period_number(period_expr, start_expr) -%}
    case {{ period_expr }}
        when 'week'
            then cast({{ dbt.datediff("cast('2000-01-03' as date)", start_expr, 'day') }} / 7 as bigint)
        when 'quarter'
            then {{ date_part_number('year', start_expr) }} * 4
            + {{ date_part_number('quarter', start_expr) }}
        else
            {{ date_part_number('year', start_expr) }} * 12
            + {{ date_part_number('month', start_expr) }}
    end
{%- endmacro %}

{#- A part of a date (`year`, `quarter`, `month`) as an integer. -#}
{% macro date_part_number(part, date_expr) -%}
    cast(extract({{ part }} from {{ date_expr }}) as integer)
{%- endmacro %}
