{#-
    Rule bulk_backfill: at least `threshold` entries of one engineer, each for a work date
    at least `secondary_threshold` calendar days before the (engineer-local) day it was
    entered, entered within one sitting of `tertiary_threshold` minutes. Every entry of
    such a sitting is flagged.

    A sitting is any window of that length that starts at one of these old entries. Only
    entries already that old are paired with each other, so the pairing stays small: a
    few late entries per engineer, not every entry.
-#}
with

rule as (

    {{ enabled_timeslip_rule('bulk_backfill') }}

),

timeslips as (

    select * from {{ ref('int_timeslips__enriched') }}

),

old_entries as (

    select
        timeslips.*,
        rule.threshold,
        rule.secondary_threshold,
        rule.tertiary_threshold

    from timeslips
    inner join rule
        on {{ is_in_force('rule', 'timeslips.work_date') }}
    where timeslips.days_to_entry >= rule.secondary_threshold

),

-- Each old entry opens a window; the windows holding enough old entries are sittings.
sittings as (

    select
        opener.engineer_id,
        opener.timeslip_id as opener_timeslip_id,
        opener.entered_at as sitting_start,
        max(member.entered_at) as sitting_end,
        count(*) as entry_count

    from old_entries as opener
    inner join old_entries as member
        on
            opener.engineer_id = member.engineer_id
            and opener.entered_at <= member.entered_at
            and opener.tertiary_threshold * 60
            >= {{ dbt.datediff('opener.entered_at', 'member.entered_at', 'second') }}
    group by opener.engineer_id, opener.timeslip_id, opener.entered_at, opener.threshold
    having count(*) >= opener.threshold

),

-- Each entry of a sitting, with the largest sitting it belongs to.
members as (

    select
        member.timeslip_id,
        sittings.sitting_start,
        sittings.sitting_end,
        sittings.entry_count,
        row_number() over (
            partition by member.timeslip_id
            order by sittings.entry_count desc, sittings.sitting_start asc
        ) as sitting_rank

    from sittings
    inner join old_entries as member
        on
            sittings.engineer_id = member.engineer_id
            and sittings.sitting_start <= member.entered_at
            and sittings.sitting_end >= member.entered_at

),

backfilled as (

    select
        old_entries.*,
        members.sitting_start,
        members.sitting_end,
        members.entry_count,
        {{ dbt.datediff('members.sitting_start', 'members.sitting_end', 'second') }}
        / cast(60 as double) as sitting_minutes

    from old_entries
    inner join members
        on
            old_entries.timeslip_id = members.timeslip_id
            and members.sitting_rank = 1

),

final as (

    select
        {{ timeslip_subject_columns('bulk_backfill') }},
        cast('entries_in_sitting' as string) as measure,
        cast(entry_count as double) as measured_value,
        cast(threshold as double) as threshold_value,
        {{ dbt.concat([
            "'one of '",
            'cast(entry_count as string)',
            "' entries for work at least '",
            format_number('secondary_threshold', 0),
            "' days old entered within '",
            format_number('sitting_minutes', 0),
            "' min from '",
            format_timestamp(to_local_timestamp('sitting_start', 'engineer_timezone')),
            "' local; this one for '",
            format_date('work_date'),
            "', '",
            'cast(days_to_entry as string)',
            "' days earlier; '",
            format_number('threshold', 0),
            "' or more in '",
            format_number('tertiary_threshold', 0),
            "' min are flagged'",
        ]) }} as evidence

    from backfilled

)

select * from final
