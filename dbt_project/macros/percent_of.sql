{#- 100 x part / whole as a double; null when whole is 0 or null. -#}
{% macro percent_of(part, whole) -%}
    case when {{ whole }} > 0 then 100 * cast({{ part }} as double) / {{ whole }} end
{%- endmacro %}
