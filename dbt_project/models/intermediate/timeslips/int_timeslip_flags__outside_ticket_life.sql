{#-
    Rule outside_ticket_life: an entry on a ticket that starts before the ticket was
    created (compared to the minute, as the SLA clocks are), or ends more than
    `threshold` hours after it was closed. The ticket's latest version decides: a ticket
    reopened after closing has no closing time until it closes again. Entries on tickets
    not (yet) in the extracts are not judged.
-#}
with

rule as (

    {{ enabled_timeslip_rule('outside_ticket_life') }}

),

timeslips as (

    select * from {{ ref('int_timeslips__enriched') }}

),

on_tickets as (

    select
        timeslips.*,
        rule.threshold,
        {{ dbt.date_trunc('minute', 'timeslips.ticket_created_at') }} as created_minute

    from timeslips
    inner join rule
        on {{ is_in_force('rule', 'timeslips.work_date') }}
    where timeslips.is_known_ticket

),

measured as (

    select
        *,
        {{ dbt.datediff('started_at', 'created_minute', 'second') }}
        / cast(3600 as double) as hours_before_creation,
        {{ dbt.datediff('ticket_closed_at', 'ended_at', 'second') }}
        / cast(3600 as double) as hours_after_closing

    from on_tickets

),

outside as (

    select
        *,
        case when hours_before_creation > 0 then 'before_creation' else 'after_closing' end as side

    from measured
    where hours_before_creation > 0 or hours_after_closing > threshold

),

final as (

    select
        {{ timeslip_subject_columns('outside_ticket_life') }},
        cast(
            case when side = 'before_creation' then 'hours_before_creation' else 'hours_after_closing' end
            as string
        ) as measure,
        cast(
            case when side = 'before_creation' then hours_before_creation else hours_after_closing end
            as double
        ) as measured_value,
        cast(case when side = 'before_creation' then 0 else threshold end as double) as threshold_value,
        case
            when side = 'before_creation'
                then {{ dbt.concat([
                    "'started '",
                    format_number('hours_before_creation', 1),
                    "' h before '",
                    'ticket_id',
                    "' was created ('",
                    format_timestamp(to_local_timestamp('created_minute', "'UTC'")),
                    "' UTC)'",
                ]) }}
            else {{ dbt.concat([
                "'ended '",
                format_number('hours_after_closing', 1),
                "' h after '",
                'ticket_id',
                "' was closed ('",
                format_timestamp(to_local_timestamp('ticket_closed_at', "'UTC'")),
                "' UTC); more than '",
                format_number('threshold', 1),
                "' h after closing is flagged'",
            ]) }}
        end as evidence

    from outside

)

select * from final
