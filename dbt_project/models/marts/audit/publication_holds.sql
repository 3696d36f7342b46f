-- STUB
{#-
    The client-months whose reports are held, one row per client-month and rule: an
    `error` timeslip flag on them that no auditor has `cleared`.
-#}
{{ config(contract={'enforced': false}) }}

with

flag_client_months as (

    select * from {{ ref('fct_timeslip_flag_client_months') }}

),

flags as (

    select * from {{ ref('fct_timeslip_flags') }}

),

held as (

    select
        flag_client_months.client_id,
        flag_client_months.month,
        flag_client_months.rule_id,
        count(*) as flag_count

    from flag_client_months
    inner join flags
        on flag_client_months.flag_id = flags.flag_id
    where flags.severity = 'error' and coalesce(flags.waiver_decision, '') <> 'cleared'
    group by flag_client_months.client_id, flag_client_months.month, flag_client_months.rule_id

)

select
    cast(client_id as varchar) as client_id,
    cast(month as date) as month,
    cast(rule_id as varchar) as rule_id,
    cast(
        {{ dbt.concat([
            'cast(flag_count as varchar)', "' error flag(s) of rule '", 'rule_id',
            "' not cleared by an auditor'"
        ]) }} as varchar
    ) as reason

from held
