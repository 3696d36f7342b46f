{#-
    Rule duplicate: entries of one engineer with the same ticket (or both internal), work
    date, start, end and hours worked. The first entered is the original; every later
    copy is flagged.
-#}
with

rule as (

    {{ enabled_timeslip_rule('duplicate') }}

),

timeslips as (

    select * from {{ ref('int_timeslips__enriched') }}

),

numbered as (

    select
        timeslip_id,
        engineer_id,
        client_id,
        ticket_id,
        work_date,
        month,
        hours_worked,
        started_local,
        ended_local,
        row_number() over (
            partition by engineer_id, ticket_id, work_date, started_at, ended_at, hours_worked
            order by entered_at, timeslip_id
        ) as copy_number,
        first_value(timeslip_id) over (
            partition by engineer_id, ticket_id, work_date, started_at, ended_at, hours_worked
            order by entered_at, timeslip_id
            rows between unbounded preceding and current row
        ) as original_timeslip_id

    from timeslips

),

copies as (

    select numbered.*
    from numbered
    inner join rule
        on {{ is_in_force('rule', 'numbered.work_date') }}
    where numbered.copy_number > 1

),

final as (

    select
        {{ timeslip_subject_columns('duplicate') }},
        cast('copy_number' as string) as measure,
        cast(copy_number as double) as measured_value,
        cast(null as double) as threshold_value,
        {{ dbt.concat([
            "'copy '",
            'cast(copy_number as string)',
            "' of '",
            'original_timeslip_id',
            "': same engineer, '",
            "coalesce(" ~ dbt.concat(["'ticket '", 'ticket_id']) ~ ", 'no ticket')",
            "', '",
            format_date('work_date'),
            "' '",
            format_time('started_local'),
            "'-'",
            format_time('ended_local'),
            "' local, '",
            format_number('hours_worked', 2),
            "' h'",
        ]) }} as evidence

    from copies

)

select * from final
