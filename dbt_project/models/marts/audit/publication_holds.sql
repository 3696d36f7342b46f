{#-
    The client-months whose monthly reports are held: one row per client, client-local
    month and rule with at least one `error` timeslip flag that no auditor has `cleared`
    (`timeslip_waivers.csv`). A `confirmed` flag keeps the hold: the problem is real and
    the month's figures rest on it. `warn` flags never hold anything.
-#}
with

flag_client_months as (

    select * from {{ ref('fct_timeslip_flag_client_months') }}

),

holding as (

    select
        client_id,
        month,
        rule_id,
        subject_id,
        waiver_decision

    from flag_client_months
    where
        severity = 'error'
        and coalesce(waiver_decision, '') <> 'cleared'

),

held as (

    select
        client_id,
        month,
        rule_id,
        count(*) as flag_count,
        sum(case when waiver_decision = 'confirmed' then 1 else 0 end) as confirmed_count,
        min(subject_id) as first_subject_id

    from holding
    group by client_id, month, rule_id

)

select
    {{ dbt.concat(['client_id', "'|'", format_date('month'), "'|'", 'rule_id']) }} as hold_id,
    client_id,
    month,
    rule_id,
    cast(flag_count as bigint) as flag_count,
    cast(confirmed_count as bigint) as confirmed_count,
    -- A sentence an account manager can forward: how many flags of which rule, whether
    -- an auditor confirmed any as a real problem, and the first flag's subject.
    case
        when confirmed_count = 0
            then {{ dbt.concat([
                "'Held for an auditor''s review of '",
                count_phrase('flag_count', 'timeslip flag', 'timeslip flags'),
                "' for '",
                "replace(rule_id, '_', ' ')",
                "' (first: '",
                'first_subject_id',
                "').'"
            ]) }}
        else {{ dbt.concat([
            "'Held: an auditor confirmed '",
            dbt.cast('confirmed_count', api.Column.translate_type('string')),
            "' of '",
            count_phrase('flag_count', 'timeslip flag', 'timeslip flags'),
            "' for '",
            "replace(rule_id, '_', ' ')",
            "' as a real problem, to be corrected before the review is sent (first: '",
            'first_subject_id',
            "').'"
        ]) }}
    end as reason

from held
