{#-
    A timeslip rule switched on without a threshold it needs would compare with null and
    flag nothing, silently. One row per enabled rule and missing threshold.
-#}
{%- set checks = [] -%}
{%- for rule_id, columns in timeslip_rule_thresholds().items() -%}
    {%- for column in columns -%}
        {%- do checks.append((rule_id, column)) -%}
    {%- endfor -%}
{%- endfor -%}

with

rules as (

    select * from {{ ref('stg_reference__timeslip_rules') }}

)

{% for rule_id, column in checks %}
    select
        rule_id,
        '{{ column }}' as missing_threshold
    from rules
    where rule_id = '{{ rule_id }}' and is_enabled and {{ column }} is null
    {% if not loop.last %}union all{% endif %}
{% endfor %}
