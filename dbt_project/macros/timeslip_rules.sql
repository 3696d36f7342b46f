{#-
    The timeslip audit rules the warehouse implements, each with the threshold columns of
    `timeslip_rules.csv` it needs, in rule_id order. A rule is a model
    `int_timeslip_flags__<rule_id>` whose YAML declares it, the one list of the rules:

        config:
          meta:
            timeslip_rule:
              thresholds: [threshold, tertiary_threshold]  # needed when enabled
              shares: [threshold]  # of those, the shares from 0 to 1

    Read from dbt's graph, which dbt fills only when it executes: while parsing, no rules.
    The Python side reads the same declarations from the manifest
    (orchestration/warehouse/timeslip_rules.py).
-#}
{% macro timeslip_rule_thresholds() -%}
    {%- set rules = {} -%}
    {%- if execute -%}
        {%- set prefix = 'int_timeslip_flags__' -%}
        {%- set columns = ['threshold', 'secondary_threshold', 'tertiary_threshold'] -%}
        {%- set models = graph.nodes.values()
            | selectattr('resource_type', 'equalto', 'model')
            | selectattr('package_name', 'equalto', project_name)
            | sort(attribute='name') -%}
        {%- for node in models if 'timeslip_rule' in node.config.meta -%}
            {%- set declared = node.config.meta['timeslip_rule'] or {} -%}
            {%- set thresholds = declared.get('thresholds') or [] -%}
            {%- if not node.name.startswith(prefix) -%}
                {{ exceptions.raise_compiler_error(
                    node.name ~ " declares a timeslip_rule, but a rule model is named "
                    ~ prefix ~ "<rule_id>"
                ) }}
            {%- endif -%}
            {%- for column in thresholds if column not in columns -%}
                {{ exceptions.raise_compiler_error(
                    node.name ~ ": threshold " ~ column ~ " is not a column of timeslip_rules.csv ("
                    ~ columns | join(', ') ~ ")"
                ) }}
            {%- endfor -%}
            {%- do rules.update({node.name[(prefix | length):]: thresholds | list}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(rules) }}
{%- endmacro %}

{#-
    The seed rows of one rule while it is switched on: zero rows when it is off or missing,
    so a rule model that joins it emits nothing. A rule may have several rows, one after
    another in time (`valid_from` / `valid_to`, local dates, both included; empty =
    always): a rule model joins the row in force on its subject's date
    (`is_in_force('rule', <date>)`: the work date, or the first day of the period).
-#}
{% macro enabled_timeslip_rule(rule_id) -%}
    select
        rule_id,
        threshold,
        secondary_threshold,
        tertiary_threshold,
        valid_from,
        valid_to
    from {{ ref('stg_reference__timeslip_rules') }}
    where rule_id = '{{ rule_id }}' and is_enabled
{%- endmacro %}

{#-
    The identifying columns of a flag whose subject is one timeslip, in the order every
    rule model emits them (rule, subject, engineer, client, ticket, timeslip, dates,
    month); the rule's measure and evidence follow.
-#}
{% macro timeslip_subject_columns(rule_id) -%}
    cast('{{ rule_id }}' as string) as rule_id,
    cast('timeslip' as string) as subject_type,
    timeslip_id as subject_id,
    engineer_id,
    client_id,
    ticket_id,
    timeslip_id,
    work_date,
    work_date as period_start,
    work_date as period_end,
    month
{%- endmacro %}

{#-
    The identifying columns of a flag whose subject is an engineer's billable-goal period
    (`period_start`, `period_end` and `period_label` of int_engineer_goal_periods), in the
    order every rule model emits them; the client, ticket, timeslip and client month stay
    empty, as a period can span several of each.
-#}
{% macro engineer_period_subject_columns(rule_id) -%}
    cast('{{ rule_id }}' as string) as rule_id,
    cast('engineer_period' as string) as subject_type,
    {{ dbt.concat(['engineer_id', "'|'", 'period_label']) }} as subject_id,
    engineer_id,
    cast(null as string) as client_id,
    cast(null as string) as ticket_id,
    cast(null as string) as timeslip_id,
    cast(null as date) as work_date,
    period_start,
    period_end,
    cast(null as date) as month
{%- endmacro %}

{#-
    The identifying columns of a flag whose subject is an engineer's month (`work_month`,
    its first day), in the order every rule model emits them; the client, ticket,
    timeslip and client month stay empty, as a month can span several of each.
-#}
{% macro engineer_month_subject_columns(rule_id) -%}
    cast('{{ rule_id }}' as string) as rule_id,
    cast('engineer_period' as string) as subject_type,
    {{ dbt.concat(['engineer_id', "'|'", format_month('work_month')]) }} as subject_id,
    engineer_id,
    cast(null as string) as client_id,
    cast(null as string) as ticket_id,
    cast(null as string) as timeslip_id,
    cast(null as date) as work_date,
    work_month as period_start,
    cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'work_month')) }} as date) as period_end,
    cast(null as date) as month
{%- endmacro %}
