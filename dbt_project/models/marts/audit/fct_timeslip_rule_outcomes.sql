{#-
    What each timeslip rule found in this build: its flags, those an auditor cleared,
    those still open, and the client-months its `error` flags hold. One row per rule with
    a flag or a hold; a rule that found nothing has no row.
-#}
with

flags as (

    select * from {{ ref('fct_timeslip_flags') }}

),

holds as (

    select * from {{ ref('publication_holds') }}

),

flag_counts as (

    select
        rule_id,
        count(*) as flags,
        sum(case when coalesce(waiver_decision, '') = 'cleared' then 1 else 0 end) as cleared_flags,
        max(severity) as severity

    from flags
    group by rule_id

),

hold_counts as (

    select
        rule_id,
        count(*) as held_client_months

    from holds
    group by rule_id

),

rules as (

    select rule_id from flag_counts
    union
    select rule_id from hold_counts

),

final as (

    select
        rules.rule_id,
        flag_counts.severity,
        cast(coalesce(flag_counts.flags, 0) as bigint) as flags,
        cast(coalesce(flag_counts.cleared_flags, 0) as bigint) as cleared_flags,
        cast(coalesce(flag_counts.flags, 0) - coalesce(flag_counts.cleared_flags, 0) as bigint) as open_flags,
        cast(coalesce(hold_counts.held_client_months, 0) as bigint) as held_client_months

    from rules
    left join flag_counts
        on rules.rule_id = flag_counts.rule_id
    left join hold_counts
        on rules.rule_id = hold_counts.rule_id

)

select * from final
