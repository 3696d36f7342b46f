{#-
    One row of MSP-wide settings (msp_settings.csv) as typed columns: `settings` lists
    (setting, type, column). A setting the relation lacks is null; the build's
    msp_settings carries every setting, its default filled in.
-#}
{% macro msp_setting_values(relation, settings) -%}
    select
    {%- for setting, type, column in settings %}
        cast(
            max(case when setting = '{{ setting }}' then setting_value end) as {{ type }}
        ) as {{ column }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ relation }}
{%- endmacro %}
