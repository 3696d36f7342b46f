{#-
    Every SLA clock is explained minute by minute by its segments: they start at the
    clock's start, follow each other without gap or overlap, end at its reading, and
    their `running` and `paused` minutes sum to its elapsed and paused minutes. Returns
    the clocks where any of that fails.
-#}
{% test clock_segments_explain_the_clock(model, segments) %}

    with

    clocks as (

        select * from {{ model }}
        where policy is not null

    ),

    ordered as (

        select
            ticket_id,
            metric,
            segment_start,
            segment_end,
            state,
            minutes,
            lag(segment_end) over (partition by ticket_id, metric order by segment_number)
                as previous_end

        from {{ segments }}

    ),

    summed as (

        select
            ticket_id,
            metric,
            min(segment_start) as first_start,
            max(segment_end) as last_end,
            sum(minutes) as total_minutes,
            sum(case when state = 'running' then minutes else 0 end) as running_minutes,
            sum(case when state = 'paused' then minutes else 0 end) as paused_minutes,
            sum(case when previous_end is not null and previous_end <> segment_start then 1 else 0 end)
                as gaps_or_overlaps

        from ordered
        group by ticket_id, metric

    )

    select
        clocks.ticket_id,
        clocks.metric,
        clocks.elapsed_minutes,
        summed.running_minutes,
        clocks.paused_minutes,
        summed.paused_minutes as paused_segment_minutes,
        summed.gaps_or_overlaps

    from clocks
    left join summed
        on
            clocks.ticket_id = summed.ticket_id
            and clocks.metric = summed.metric
    where
        coalesce(summed.running_minutes, 0) <> clocks.elapsed_minutes
        or coalesce(summed.paused_minutes, 0) <> clocks.paused_minutes
        or coalesce(summed.gaps_or_overlaps, 0) <> 0
        or (
            summed.ticket_id is not null
            and (
                summed.first_start <> clocks.started_at
                or summed.last_end <> clocks.measured_at
                or summed.total_minutes
                <> {{ dbt.datediff('clocks.started_at', 'clocks.measured_at', 'minute') }}
            )
        )
        or (summed.ticket_id is null and clocks.measured_at <> clocks.started_at)

{% endtest %}
