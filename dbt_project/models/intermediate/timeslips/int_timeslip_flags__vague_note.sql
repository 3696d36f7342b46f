{#-
    Rule vague_note: an entry of at least `threshold` hours whose notes, trimmed, are
    shorter than `secondary_threshold` characters: empty, or boilerplate such as "work",
    "misc" or "as above" that tells a client nothing about what was billed.
-#}
with

rule as (

    {{ enabled_timeslip_rule('vague_note') }}

),

timeslips as (

    select * from {{ ref('int_timeslips__enriched') }}

),

measured as (

    select
        timeslips.*,
        {{ dbt.length("trim(coalesce(timeslips.notes, ''))") }} as note_length,
        rule.threshold,
        rule.secondary_threshold

    from timeslips
    inner join rule
        on {{ is_in_force('rule', 'timeslips.work_date') }}

),

vague as (

    select * from measured
    where hours_worked >= threshold and note_length < secondary_threshold

),

final as (

    select
        {{ timeslip_subject_columns('vague_note') }},
        cast('note_characters' as string) as measure,
        cast(note_length as double) as measured_value,
        cast(secondary_threshold as double) as threshold_value,
        {{ dbt.concat([
            "'an entry of '",
            format_number('hours_worked', 2),
            "' h with '",
            "case when note_length = 0 then 'no notes' else "
            ~ dbt.concat(["'notes \"'", "trim(notes)", "'\" ('", "cast(note_length as string)", "' characters)'"])
            ~ " end",
            "'; entries of '",
            format_number('threshold', 2),
            "' h or more need notes of at least '",
            format_number('secondary_threshold', 0),
            "' characters'",
        ]) }} as evidence

    from vague

)

select * from final
