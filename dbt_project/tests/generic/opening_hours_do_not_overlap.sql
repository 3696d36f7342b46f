{#-
    Opening windows of one calendar and weekday that overlap while both are in force: a
    business minute would count twice. Windows of rows whose validity (valid_from to
    valid_to, both included, empty = open) does not overlap may cover the same hours.
-#}
{% test opening_hours_do_not_overlap(model) %}

    select
        windows.calendar_id,
        windows.weekday,
        windows.opens_at,
        windows.closes_at,
        later.opens_at as overlapping_opens_at,
        later.closes_at as overlapping_closes_at

    from {{ model }} as windows
    inner join {{ model }} as later
        on
            windows.calendar_id = later.calendar_id
            and windows.weekday = later.weekday
            and windows.opens_minute_of_day < later.closes_minute_of_day
            and later.opens_minute_of_day < windows.closes_minute_of_day
            and (windows.valid_from is null or later.valid_to is null or windows.valid_from <= later.valid_to)
            and (later.valid_from is null or windows.valid_to is null or later.valid_from <= windows.valid_to)
    where
        windows.opens_minute_of_day < later.opens_minute_of_day
        or (
            windows.opens_minute_of_day = later.opens_minute_of_day
            and coalesce(windows.valid_from, cast('0001-01-01' as date))
            < coalesce(later.valid_from, cast('0001-01-01' as date))
        )

{% endtest %}
