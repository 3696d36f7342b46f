{#-
    Which client-months each timeslip flag concerns: the clients and client-local months
    of the timeslips behind it (the flagged entry; the engineer's entries of the flagged
    day, month or week; the engineer's entries on the flagged ticket), and the flag's own
    client and month. Internal work for no client concerns no client.
-#}
with

flags as (

    select * from {{ ref('fct_timeslip_flags') }}

),

timeslips as (

    select * from {{ ref('int_timeslips__enriched') }}

),

behind_flags as (

    select
        flags.flag_id,
        timeslips.client_id,
        timeslips.month,
        timeslips.timeslip_id,
        timeslips.hours_worked,
        timeslips.hours_billed

    from flags
    inner join timeslips
        on
            flags.engineer_id = timeslips.engineer_id
            and flags.period_start <= timeslips.work_date
            and flags.period_end >= timeslips.work_date
            and (flags.timeslip_id is null or flags.timeslip_id = timeslips.timeslip_id)
            and (flags.ticket_id is null or flags.ticket_id = timeslips.ticket_id)
    where timeslips.client_id is not null and timeslips.month is not null

),

client_months as (

    select
        flag_id,
        client_id,
        month,
        count(*) as timeslip_count,
        round(sum(hours_worked), 2) as hours_worked,
        round(sum(hours_billed), 2) as hours_billed

    from behind_flags
    group by flag_id, client_id, month

    union all

    -- A ticket's flag also concerns the ticket's own month, when no entry fell in it.
    select
        flags.flag_id,
        flags.client_id,
        flags.month,
        0 as timeslip_count,
        0 as hours_worked,
        0 as hours_billed

    from flags
    where
        flags.client_id is not null
        and flags.month is not null
        and not exists (
            select 1
            from behind_flags
            where
                behind_flags.flag_id = flags.flag_id
                and behind_flags.client_id = flags.client_id
                and behind_flags.month = flags.month
        )

),

final as (

    select
        {{ dbt.concat([
            'flags.flag_id', "'|'", 'client_months.client_id', "'|'", format_month('client_months.month')
        ]) }} as flag_client_month_id,
        flags.flag_id,
        flags.rule_id,
        flags.severity,
        flags.subject_type,
        flags.subject_id,
        client_months.client_id,
        client_months.month,
        cast(client_months.timeslip_count as bigint) as timeslip_count,
        cast(client_months.hours_worked as double) as hours_worked,
        cast(client_months.hours_billed as double) as hours_billed,
        flags.waiver_decision

    from client_months
    inner join flags
        on client_months.flag_id = flags.flag_id

)

select * from final
