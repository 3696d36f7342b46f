{{
    config(
        materialized=scoped_incremental(),
        incremental_strategy='replace_scope',
        incremental_scope='sla_segment_scope',
        on_schema_change='fail',
    )
}}

{#-
    Why a clock reads what it reads: the time from a clock's start to its reading (its
    stop, or `as_of`) cut into segments of one state. `running` minutes make up
    `elapsed_minutes`, `paused` minutes make up `paused_minutes`; `closed_hours` and
    `holiday` are the minutes a business clock does not count, `stopped` the time between
    a resolution and a reopen. Business-clock stretches are cut at the edges of the
    calendar's pieces; `24x7` stretches and stopped time are one segment each.
-#}

with

intervals as (

    select * from {{ ref('int_sla__clock_intervals') }}
    where {{ incremental_scope_predicate('sla_segment_scope') }}

),

pieces as (

    select * from {{ ref('int_sla__calendar_pieces') }}

),

on_calendar as (

    select
        ticket_id,
        metric,
        calendar_key,
        status,
        clock_state,
        interval_start,
        interval_end,
        {{ integer_range_values('first_piece_no', 'last_piece_no') }} as piece_no

    from intervals
    where clock_state <> 'stopped' and calendar_key <> '24x7'

),

cut as (

    select
        on_calendar.ticket_id,
        on_calendar.metric,
        on_calendar.status,
        case pieces.piece_kind
            when 'holiday' then 'holiday'
            when 'closed_hours' then 'closed_hours'
            else on_calendar.clock_state
        end as state,
        case
            when pieces.piece_start > on_calendar.interval_start then pieces.piece_start
            else on_calendar.interval_start
        end as segment_start,
        case
            when pieces.piece_end < on_calendar.interval_end then pieces.piece_end
            else on_calendar.interval_end
        end as segment_end

    from on_calendar
    inner join pieces
        on
            on_calendar.calendar_key = pieces.calendar_key
            and on_calendar.piece_no = pieces.piece_no

),

whole as (

    select
        ticket_id,
        metric,
        status,
        clock_state as state,
        interval_start as segment_start,
        interval_end as segment_end

    from intervals
    where clock_state = 'stopped' or calendar_key = '24x7'

),

segments as (

    select * from cut
    union all
    select * from whole

),

numbered as (

    select
        ticket_id,
        metric,
        cast(row_number() over (partition by ticket_id, metric order by segment_start) as integer)
            as segment_number,
        state,
        status,
        segment_start,
        segment_end

    from segments

)

select
    {%- set segment_number_text = dbt.cast('segment_number', api.Column.translate_type('string')) %}
    {{ dbt.concat(['ticket_id', "'|'", 'metric', "'|'", segment_number_text]) }} as segment_id,
    ticket_id,
    metric,
    segment_number,
    state,
    status,
    {{ minute_to_timestamp('segment_start') }} as segment_start,
    {{ minute_to_timestamp('segment_end') }} as segment_end,
    cast(segment_end - segment_start as bigint) as minutes

from numbered
