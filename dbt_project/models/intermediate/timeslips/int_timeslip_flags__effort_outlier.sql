{#-
    Rule effort_outlier: an engineer's total hours_worked on one ticket is more than
    `threshold` times the median of every engineer's total per ticket of the same
    category and priority (the ticket's latest), and at least `secondary_threshold`
    hours. The median includes the engineer's own total, so one outlier cannot move it
    much. The flag's month is the ticket's month (created, in the client's time zone).
-#}
with

rule as (

    {{ enabled_timeslip_rule('effort_outlier') }}

),

timeslips as (

    select * from {{ ref('int_timeslips__enriched') }}

),

engineer_tickets as (

    select
        engineer_id,
        ticket_id,
        max(client_id) as client_id,
        max(ticket_category) as ticket_category,
        max(ticket_priority) as ticket_priority,
        max(ticket_created_at) as ticket_created_at,
        max(client_timezone) as client_timezone,
        round(sum(hours_worked), 2) as hours_worked,
        count(*) as entry_count,
        min(work_date) as first_work_date,
        max(work_date) as last_work_date

    from timeslips
    where is_known_ticket
    group by engineer_id, ticket_id

),

peer_groups as (

    select
        ticket_category,
        ticket_priority,
        {{ median('hours_worked') }} as median_hours,
        count(*) as engineer_ticket_count

    from engineer_tickets
    group by ticket_category, ticket_priority

),

measured as (

    select
        engineer_tickets.*,
        peer_groups.median_hours,
        peer_groups.engineer_ticket_count,
        rule.threshold,
        rule.secondary_threshold

    from engineer_tickets
    inner join rule
        on {{ is_in_force('rule', 'engineer_tickets.first_work_date') }}
    inner join peer_groups
        on
            coalesce(engineer_tickets.ticket_category, '') = coalesce(peer_groups.ticket_category, '')
            and engineer_tickets.ticket_priority = peer_groups.ticket_priority

),

outliers as (

    select * from measured
    where
        hours_worked >= secondary_threshold
        and hours_worked > threshold * median_hours

),

final as (

    select
        cast('effort_outlier' as string) as rule_id,
        cast('ticket' as string) as subject_type,
        {{ dbt.concat(['engineer_id', "'|'", 'ticket_id']) }} as subject_id,
        engineer_id,
        client_id,
        ticket_id,
        cast(null as string) as timeslip_id,
        cast(null as date) as work_date,
        first_work_date as period_start,
        last_work_date as period_end,
        cast(
            {{ dbt.date_trunc('month', to_local_timestamp('ticket_created_at', 'client_timezone')) }}
            as date
        ) as month,
        cast('hours_worked' as string) as measure,
        cast(hours_worked as double) as measured_value,
        cast(threshold * median_hours as double) as threshold_value,
        {{ dbt.concat([
            format_number('hours_worked', 2),
            "' h in '",
            'cast(entry_count as string)',
            "' entries on '",
            'ticket_id',
            "' ('",
            'ticket_priority',
            "' '",
            "coalesce(ticket_category, 'uncategorised')",
            "') from '",
            format_date('first_work_date'),
            "' to '",
            format_date('last_work_date'),
            "'; the median of '",
            'cast(engineer_ticket_count as string)',
            "' engineer totals on such tickets is '",
            format_number('median_hours', 2),
            "' h; flagged above '",
            format_number('threshold', 1),
            "' times the median and from '",
            format_number('secondary_threshold', 2),
            "' h'",
        ]) }} as evidence

    from outliers

)

select * from final
