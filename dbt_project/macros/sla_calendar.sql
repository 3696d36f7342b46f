{#-
    Look-ups on the business-minute calendar (`int_sla__calendar_pieces`): every calendar
    is cut into pieces (open, closed_hours, holiday) that tile time, and each piece knows
    how many business minutes came before it. Each look-up is an equality join on a
    day-sized bucket (`int_sla__calendar_piece_index`) plus a range filter that keeps
    exactly one piece: no calendar spine is joined to the tickets.
-#}

{#-
    Business minutes before an instant. `points` is a relation with `calendar_key` and
    `at_minute` (minutes since the epoch); the result has all its columns, the piece
    holding the instant (`piece_no`, `piece_start`) and `business_minute`, the business
    minutes of the calendar before `at_minute`. Subtract two of them to count the
    business minutes between two instants.
-#}
{% macro business_minute_at(points, pieces, piece_index) -%}
    select
        {{ points }}.*,
        {{ pieces }}.piece_no,
        {{ pieces }}.piece_start,
        {{ pieces }}.cumulative_open_minutes
        + case
            when {{ pieces }}.piece_kind = 'open' then {{ points }}.at_minute - {{ pieces }}.piece_start
            else 0
        end as business_minute

    from {{ points }}
    inner join {{ piece_index }}
        on
            {{ points }}.calendar_key = {{ piece_index }}.calendar_key
            and {{ piece_index }}.index_kind = 'instant'
            and {{ piece_index }}.bucket = cast(floor({{ points }}.at_minute / 1440) as bigint)
    inner join {{ pieces }}
        on
            {{ piece_index }}.calendar_key = {{ pieces }}.calendar_key
            and {{ piece_index }}.piece_no = {{ pieces }}.piece_no
    where
        {{ points }}.at_minute >= {{ pieces }}.piece_start
        and {{ points }}.at_minute < {{ pieces }}.piece_end
{%- endmacro %}

{#-
    The instant a business minute starts. `points` has `calendar_key` and
    `business_minute` (0 = the calendar's first business minute); the result has all
    its columns and `at_minute`. A business minute beyond the calendar's horizon has no
    row.
-#}
{% macro instant_of_business_minute(points, pieces, piece_index) -%}
    select
        {{ points }}.*,
        {{ pieces }}.piece_start
        + ({{ points }}.business_minute - {{ pieces }}.cumulative_open_minutes) as at_minute

    from {{ points }}
    inner join {{ piece_index }}
        on
            {{ points }}.calendar_key = {{ piece_index }}.calendar_key
            and {{ piece_index }}.index_kind = 'business_minute'
            and {{ piece_index }}.bucket = cast(floor({{ points }}.business_minute / 1440) as bigint)
    inner join {{ pieces }}
        on
            {{ piece_index }}.calendar_key = {{ pieces }}.calendar_key
            and {{ piece_index }}.piece_no = {{ pieces }}.piece_no
    where
        {{ pieces }}.piece_kind = 'open'
        and {{ points }}.business_minute >= {{ pieces }}.cumulative_open_minutes
        and {{ points }}.business_minute
        < {{ pieces }}.cumulative_open_minutes + {{ pieces }}.piece_minutes
{%- endmacro %}
