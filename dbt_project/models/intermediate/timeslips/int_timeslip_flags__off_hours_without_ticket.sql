{#-
    Rule off_hours_without_ticket: more than `threshold` minutes of an entry lie outside
    the engineer's business calendar (before opening, after closing, on a closed weekday
    or a holiday, on the engineer's wall clock), and no ticket was open for it: it has
    no ticket, or its ticket was created after the entry ended or closed before it
    started (a resolved ticket awaiting closure still takes follow-up work, as in
    outside_ticket_life). Work out of hours on an open ticket is on-call work; out of
    hours with nothing to show for it needs a reason. Engineers without a known calendar
    are not judged.

    Minutes inside opening hours are measured on the local wall clock, one calendar
    window at a time (the windows in force on the day); the entry's length comes from its UTC instants, so a night of a
    DST change counts its real minutes.
-#}
with

rule as (

    {{ enabled_timeslip_rule('off_hours_without_ticket') }}

),

timeslips as (

    select * from {{ ref('int_timeslips__enriched') }}

),

opening_hours as (

    select * from {{ ref('stg_reference__business_calendars') }}

),

business_days as (

    select * from {{ ref('int_business_days__numbered') }}

),

without_open_ticket as (

    select
        timeslips.*,
        cast(timeslips.started_local as date) as start_day,
        cast(timeslips.ended_local as date) as end_day,
        rule.threshold

    from timeslips
    inner join rule
        on {{ is_in_force('rule', 'timeslips.work_date') }}
    where
        timeslips.ticket_id is null
        or (
            timeslips.is_known_ticket
            and (
                timeslips.ended_at <= timeslips.ticket_created_at
                or timeslips.started_at >= timeslips.ticket_closed_at
            )
        )

),

-- An entry is shorter than a day, so it touches its start day and at most the next.
entry_days as (

    select
        without_open_ticket.timeslip_id,
        without_open_ticket.calendar_id,
        without_open_ticket.started_local,
        without_open_ticket.ended_local,
        business_days.date_day

    from without_open_ticket
    inner join business_days
        on
            without_open_ticket.calendar_id = business_days.calendar_id
            and without_open_ticket.start_day <= business_days.date_day
            and without_open_ticket.end_day >= business_days.date_day
            and business_days.is_open_day

),

windows as (

    select
        entry_days.timeslip_id,
        entry_days.started_local,
        entry_days.ended_local,
        {{ dbt.dateadd('minute', 'opening_hours.opens_minute_of_day', 'cast(entry_days.date_day as timestamp)') }}
            as opens_local,
        {{ dbt.dateadd('minute', 'opening_hours.closes_minute_of_day', 'cast(entry_days.date_day as timestamp)') }}
            as closes_local

    from entry_days
    inner join opening_hours
        on
            entry_days.calendar_id = opening_hours.calendar_id
            and {{ iso_day_of_week('entry_days.date_day') }} = opening_hours.weekday
            and {{ is_in_force('opening_hours', 'entry_days.date_day') }}

),

inside as (

    select
        timeslip_id,
        sum(
            case
                when
                    greatest(started_local, opens_local) < least(ended_local, closes_local)
                    then {{ dbt.datediff(
                        'greatest(started_local, opens_local)',
                        'least(ended_local, closes_local)',
                        'second'
                    ) }}
                else 0
            end
        ) as inside_seconds

    from windows
    group by timeslip_id

),

measured as (

    select
        without_open_ticket.*,
        start_days.is_open_day as is_open_start_day,
        start_days.holiday_name,
        (without_open_ticket.duration_seconds - coalesce(inside.inside_seconds, 0)) / cast(60 as double)
            as outside_minutes

    from without_open_ticket
    inner join business_days as start_days
        on
            without_open_ticket.calendar_id = start_days.calendar_id
            and without_open_ticket.start_day = start_days.date_day
    left join inside
        on without_open_ticket.timeslip_id = inside.timeslip_id

),

off_hours as (

    select * from measured
    where outside_minutes > threshold

),

final as (

    select
        {{ timeslip_subject_columns('off_hours_without_ticket') }},
        cast('outside_minutes' as string) as measure,
        cast(outside_minutes as double) as measured_value,
        cast(threshold as double) as threshold_value,
        {{ dbt.concat([
            "case when ticket_id is null then 'internal work (no ticket)' "
            ~ "when ended_at <= ticket_created_at then "
            ~ dbt.concat(["'work on '", 'ticket_id', "' before it was created ('", format_timestamp(to_local_timestamp('ticket_created_at', "'UTC'")), "' UTC)'"])
            ~ " else "
            ~ dbt.concat(["'work on '", 'ticket_id', "' after it was closed ('", format_timestamp(to_local_timestamp('ticket_closed_at', "'UTC'")), "' UTC)'"])
            ~ " end",
            "', '",
            format_time('started_local'),
            "'-'",
            format_time('ended_local'),
            "' local on '",
            format_date('start_day'),
            "case when holiday_name is not null then "
            ~ dbt.concat(["' (holiday: '", 'holiday_name', "')'"])
            ~ " when not is_open_start_day then ' (calendar closed that day)' else '' end",
            "': '",
            format_number('outside_minutes', 0),
            "' of '",
            format_number('duration_seconds / cast(60 as double)', 0),
            "' min outside the opening hours of '",
            'calendar_id',
            "'; more than '",
            format_number('threshold', 0),
            "' min is flagged'",
        ]) }} as evidence

    from off_hours

)

select * from final
