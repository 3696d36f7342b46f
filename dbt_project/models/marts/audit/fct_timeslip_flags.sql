{#-
    Every flag raised by the timeslip audit rules, one row per rule and subject, with the
    rule's severity and the latest auditor decision on it. Each rule is its own model
    (`int_timeslip_flags__<rule_id>`), all with the same columns, declared a rule by its
    YAML (`timeslip_rule_thresholds`): the union takes every declared rule.

    dbt learns a model's inputs while it parses, before it knows any model's meta, so the
    rule models are also named here, for the DAG alone. A rule model missing here stops
    the compile with dbt's own hint line to add; a model named here that declares no rule
    is refused below.
-#}
-- depends_on: {{ ref('int_timeslip_flags__billed_over_worked') }}
-- depends_on: {{ ref('int_timeslip_flags__bulk_backfill') }}
-- depends_on: {{ ref('int_timeslip_flags__duplicate') }}
-- depends_on: {{ ref('int_timeslip_flags__effort_outlier') }}
-- depends_on: {{ ref('int_timeslip_flags__exact_target') }}
-- depends_on: {{ ref('int_timeslip_flags__excessive_day') }}
-- depends_on: {{ ref('int_timeslip_flags__late_entry') }}
-- depends_on: {{ ref('int_timeslip_flags__off_hours_without_ticket') }}
-- depends_on: {{ ref('int_timeslip_flags__outside_ticket_life') }}
-- depends_on: {{ ref('int_timeslip_flags__overlap') }}
-- depends_on: {{ ref('int_timeslip_flags__post_target_slowdown') }}
-- depends_on: {{ ref('int_timeslip_flags__round_heaping') }}
-- depends_on: {{ ref('int_timeslip_flags__vague_note') }}
{%- set rules = timeslip_rule_thresholds() -%}
{%- if execute -%}
    {%- for parent in model.depends_on.nodes -%}
        {%- set name = parent.split('.')[-1] -%}
        {%- set rule_id = name.replace('int_timeslip_flags__', '', 1) -%}
        {%- if rule_id != name and rule_id not in rules -%}
            {{ exceptions.raise_compiler_error(
                name ~ " is named in fct_timeslip_flags but declares no timeslip_rule "
                ~ "(config: meta: timeslip_rule: in its YAML)"
            ) }}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

with

flags as (

    {% for rule_id in rules %}
        select
            rule_id,
            subject_type,
            subject_id,
            engineer_id,
            client_id,
            ticket_id,
            timeslip_id,
            work_date,
            period_start,
            period_end,
            month,
            measure,
            measured_value,
            threshold_value,
            evidence
        from {{ ref('int_timeslip_flags__' ~ rule_id) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

rules as (

    select * from {{ ref('stg_reference__timeslip_rules') }}

),

waivers as (

    select * from {{ ref('stg_reference__timeslip_waivers') }}

),

-- The latest decision wins; of two at the same instant, `confirmed` (the cautious one).
latest_waivers as (

    select *
    from (
        select
            rule_id,
            subject_id,
            decision,
            reviewed_by,
            reviewed_at,
            reason,
            row_number() over (
                partition by rule_id, subject_id
                order by reviewed_at desc nulls last, case when decision = 'confirmed' then 0 else 1 end
            ) as decision_rank
        from waivers
    ) as ranked
    where decision_rank = 1

),

final as (

    select
        {{ dbt.concat(['flags.rule_id', "'|'", 'flags.subject_id']) }} as flag_id,
        flags.rule_id,
        rules.severity,
        flags.subject_type,
        flags.subject_id,
        flags.engineer_id,
        flags.client_id,
        flags.ticket_id,
        flags.timeslip_id,
        flags.work_date,
        flags.period_start,
        flags.period_end,
        flags.month,
        flags.measure,
        flags.measured_value,
        flags.threshold_value,
        flags.evidence,
        rules.description as rule_description,
        latest_waivers.decision as waiver_decision,
        latest_waivers.reviewed_by,
        latest_waivers.reviewed_at,
        latest_waivers.reason as waiver_reason

    from flags
    inner join rules
        on
            flags.rule_id = rules.rule_id
            and {{ is_in_force('rules', 'flags.period_start') }}
    left join latest_waivers
        on
            flags.rule_id = latest_waivers.rule_id
            and flags.subject_id = latest_waivers.subject_id

)

select * from final
