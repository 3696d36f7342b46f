{#-
    Rule overlap: an entry that starts more than `threshold` minutes before an earlier-
    starting entry of the same engineer ends. Entries are taken in order of start (then
    entry time, then id); an entry overlaps most with the earlier entry that ends last,
    so a running maximum of end times finds every overlap without pairing all entries.
-#}
with

rule as (

    {{ enabled_timeslip_rule('overlap') }}

),

timeslips as (

    select * from {{ ref('int_timeslips__enriched') }}

),

ordered as (

    select
        timeslip_id,
        engineer_id,
        client_id,
        ticket_id,
        work_date,
        month,
        started_at,
        ended_at,
        started_local,
        engineer_timezone,
        row_number() over (
            partition by engineer_id
            order by started_at, entered_at, timeslip_id
        ) as entry_position,
        max(ended_at) over (
            partition by engineer_id
            order by started_at, entered_at, timeslip_id
            rows between unbounded preceding and 1 preceding
        ) as earlier_latest_end

    from timeslips

),

measured as (

    select
        ordered.*,
        rule.threshold,
        {{ dbt.datediff(
            'ordered.started_at',
            'case when ordered.ended_at < ordered.earlier_latest_end then ordered.ended_at '
            ~ 'else ordered.earlier_latest_end end',
            'second'
        ) }} / cast(60 as double) as overlap_minutes

    from ordered
    inner join rule
        on {{ is_in_force('rule', 'ordered.work_date') }}
    where ordered.earlier_latest_end > ordered.started_at

),

overlapping as (

    select * from measured
    where overlap_minutes > threshold

),

-- The earlier entry it runs into: the one whose end is that running maximum.
counterparts as (

    select
        overlapping.timeslip_id,
        earlier.timeslip_id as earlier_timeslip_id,
        row_number() over (
            partition by overlapping.timeslip_id
            order by earlier.entry_position
        ) as counterpart_rank

    from overlapping
    inner join ordered as earlier
        on
            overlapping.engineer_id = earlier.engineer_id
            and overlapping.earlier_latest_end = earlier.ended_at
            and overlapping.entry_position > earlier.entry_position

),

final as (

    select
        cast('overlap' as string) as rule_id,
        cast('timeslip' as string) as subject_type,
        overlapping.timeslip_id as subject_id,
        overlapping.engineer_id,
        overlapping.client_id,
        overlapping.ticket_id,
        overlapping.timeslip_id,
        overlapping.work_date,
        overlapping.work_date as period_start,
        overlapping.work_date as period_end,
        overlapping.month,
        cast('overlap_minutes' as string) as measure,
        cast(overlapping.overlap_minutes as double) as measured_value,
        cast(overlapping.threshold as double) as threshold_value,
        {{ dbt.concat([
            "'starts at '",
            format_time('overlapping.started_local'),
            "' local, '",
            format_number('overlapping.overlap_minutes', 1),
            "' min before '",
            'counterparts.earlier_timeslip_id',
            "' ends ('",
            format_time(to_local_timestamp('overlapping.earlier_latest_end', 'overlapping.engineer_timezone')),
            "'); more than '",
            format_number('overlapping.threshold', 0),
            "' min of overlap is flagged'",
        ]) }} as evidence

    from overlapping
    inner join counterparts
        on
            overlapping.timeslip_id = counterparts.timeslip_id
            and counterparts.counterpart_rank = 1

)

select * from final
