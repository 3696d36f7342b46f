{#-
    Every flag raised by the timeslip audit rules, one row per rule and subject, with the
    rule's severity and the latest auditor decision on it. Each rule is its own model
    (`int_timeslip_flags__<rule_id>`), all with the same columns.
-#}
with

flags as (

    {% for rule_id in timeslip_rule_thresholds() %}
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
        on flags.rule_id = rules.rule_id
    left join latest_waivers
        on
            flags.rule_id = latest_waivers.rule_id
            and flags.subject_id = latest_waivers.subject_id

)

select * from final
