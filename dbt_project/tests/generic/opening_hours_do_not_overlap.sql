{#- Opening windows of one calendar and weekday that overlap: a business minute would count twice. -#}
{% test opening_hours_do_not_overlap(model) %}

    select
        calendar_id,
        weekday,
        opens_at,
        closes_at,
        previous_closes_minute_of_day

    from (
        select
            *,
            max(closes_minute_of_day) over (
                partition by calendar_id, weekday
                order by opens_minute_of_day
                rows between unbounded preceding and 1 preceding
            ) as previous_closes_minute_of_day
        from {{ model }}
    ) as windows
    where previous_closes_minute_of_day > opens_minute_of_day

{% endtest %}
