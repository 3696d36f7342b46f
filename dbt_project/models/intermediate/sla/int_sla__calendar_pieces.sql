{{ config(materialized='table') }}

{#-
    Every business calendar, read in every time zone a client uses it in, cut into
    pieces that tile time from just before the first ticket to a horizon after `as_of`:
    `open` (inside opening hours), `holiday` (a whole local day closed) and
    `closed_hours` (the rest). Each piece carries the open minutes of all pieces before
    it, so the business minutes between two instants are two look-ups
    (`macros/sla_calendar.sql`). The pseudo-calendar `24x7` is open every minute. Each
    local date takes the opening hours in force on it, and a holiday counts only on a
    date within its row's validity (`valid_from` / `valid_to`). Every calendar and time
    zone any version of a client names is read.
-#}

{%- set horizon_days = var('sla_calendar_horizon_days', 400) %}

with

clients as (

    select * from {{ ref('stg_reference__client_versions') }}

),

opening_hours as (

    select * from {{ ref('stg_reference__business_calendars') }}

),

holidays as (

    select * from {{ ref('stg_reference__holidays') }}

),

tickets as (

    select * from {{ ref('int_tickets__unioned') }}

),

events as (

    select * from {{ ref('int_ticket_events__unioned') }}

),

run_parameters as (

    select * from {{ ref('int_run_parameters') }}

),

-- The same opening hours in Chicago and in Los Angeles are different instants, so a
-- calendar is keyed by its id and the time zone it is read in.
calendars as (

    select distinct
        {{ dbt.concat(['calendar_id', "'|'", 'timezone']) }} as calendar_key,
        calendar_id,
        timezone

    from clients

    union all

    select
        '24x7' as calendar_key,
        cast(null as string) as calendar_id,
        'UTC' as timezone

),

instants as (

    select
        min(created_at) as earliest,
        max(updated_at) as latest
    from tickets
    union all
    select
        min(occurred_at) as earliest,
        max(occurred_at) as latest
    from events
    union all
    select
        as_of as earliest,
        as_of as latest
    from run_parameters

),

-- A margin of two days before the first ticket covers every time zone's local date;
-- the horizon after the last instant leaves room to project when open clocks fall due.
bounds as (

    select
        cast({{ dbt.dateadd('day', -2, 'min(earliest)') }} as date) as first_date,
        cast({{ dbt.dateadd('day', horizon_days, 'max(latest)') }} as date) as last_date

    from instants

),

day_numbers as (

    select {{ integer_range_values('0', dbt.datediff('first_date', 'last_date', 'day')) }} as day_number
    from bounds
    where first_date is not null

),

calendar_days as (

    select
        calendars.calendar_key,
        calendars.calendar_id,
        calendars.timezone,
        cast({{ dbt.dateadd('day', 'day_numbers.day_number', 'bounds.first_date') }} as date) as local_date

    from calendars
    cross join day_numbers
    cross join bounds

),

calendar_ranges as (

    select
        calendars.calendar_key,
        {{ epoch_minute(from_local_timestamp('cast(bounds.first_date as timestamp)', 'calendars.timezone')) }}
            as range_start,
        {{ epoch_minute(from_local_timestamp(
            'cast(' ~ dbt.dateadd('day', 1, 'bounds.last_date') ~ ' as timestamp)',
            'calendars.timezone'
        )) }} as range_end

    from calendars
    cross join bounds
    where bounds.first_date is not null

),

holiday_days as (

    select
        calendar_days.calendar_key,
        calendar_days.timezone,
        calendar_days.local_date

    from calendar_days
    inner join holidays
        on
            calendar_days.calendar_id = holidays.calendar_id
            and calendar_days.local_date = holidays.holiday_date
            and {{ is_in_force('holidays', 'calendar_days.local_date') }}

),

opening_intervals as (

    select
        calendar_days.calendar_key,
        calendar_days.timezone,
        calendar_days.local_date,
        opening_hours.opens_minute_of_day,
        opening_hours.closes_minute_of_day

    from calendar_days
    inner join opening_hours
        on
            calendar_days.calendar_id = opening_hours.calendar_id
            and {{ iso_day_of_week('calendar_days.local_date') }} = opening_hours.weekday
            and {{ is_in_force('opening_hours', 'calendar_days.local_date') }}
    left join holiday_days
        on
            calendar_days.calendar_key = holiday_days.calendar_key
            and calendar_days.local_date = holiday_days.local_date
    where holiday_days.local_date is null

    union all

    select
        calendar_key,
        timezone,
        local_date,
        0 as opens_minute_of_day,
        1440 as closes_minute_of_day

    from calendar_days
    where calendar_key = '24x7'

),

open_pieces as (

    select
        calendar_key,
        'open' as piece_kind,
        {{ epoch_minute(from_local_timestamp(
            dbt.dateadd('minute', 'opens_minute_of_day', 'cast(local_date as timestamp)'), 'timezone'
        )) }} as piece_start,
        {{ epoch_minute(from_local_timestamp(
            dbt.dateadd('minute', 'closes_minute_of_day', 'cast(local_date as timestamp)'), 'timezone'
        )) }} as piece_end

    from opening_intervals

),

holiday_pieces as (

    select
        calendar_key,
        'holiday' as piece_kind,
        {{ epoch_minute(from_local_timestamp('cast(local_date as timestamp)', 'timezone')) }} as piece_start,
        {{ epoch_minute(from_local_timestamp(
            'cast(' ~ dbt.dateadd('day', 1, 'local_date') ~ ' as timestamp)', 'timezone'
        )) }} as piece_end

    from holiday_days

),

-- An opening interval that ends in the hour skipped in spring can come out empty;
-- one that reaches into the next piece (the hour repeated in autumn) is cut short, so
-- the pieces never overlap.
marked as (

    select
        calendar_key,
        piece_kind,
        piece_start,
        piece_end,
        max(piece_end) over (
            partition by calendar_key
            order by piece_start, piece_end
            rows between unbounded preceding and 1 preceding
        ) as earlier_end

    from (
        select * from open_pieces
        union all
        select * from holiday_pieces
    ) as known_pieces

),

known as (

    select
        calendar_key,
        piece_kind,
        piece_end,
        case
            when earlier_end > piece_start then earlier_end else piece_start
        end as piece_start

    from marked
    where earlier_end is null or piece_end > earlier_end

),

known_with_previous as (

    select
        known.calendar_key,
        known.piece_kind,
        known.piece_start,
        known.piece_end,
        coalesce(
            lag(known.piece_end) over (partition by known.calendar_key order by known.piece_start),
            calendar_ranges.range_start
        ) as previous_end

    from known
    inner join calendar_ranges
        on known.calendar_key = calendar_ranges.calendar_key
    where known.piece_end > known.piece_start

),

-- What lies between the known pieces is closed: nights, weekends, lunch breaks.
closed_pieces as (

    select
        calendar_key,
        'closed_hours' as piece_kind,
        previous_end as piece_start,
        piece_start as piece_end

    from known_with_previous
    where piece_start > previous_end

    union all

    select
        calendar_ranges.calendar_key,
        'closed_hours' as piece_kind,
        coalesce(max(known.piece_end), calendar_ranges.range_start) as piece_start,
        calendar_ranges.range_end as piece_end

    from calendar_ranges
    left join known
        on calendar_ranges.calendar_key = known.calendar_key
    group by calendar_ranges.calendar_key, calendar_ranges.range_start, calendar_ranges.range_end
    having coalesce(max(known.piece_end), calendar_ranges.range_start) < calendar_ranges.range_end

),

all_pieces as (

    select
        calendar_key,
        piece_kind,
        piece_start,
        piece_end
    from known_with_previous
    union all
    select
        calendar_key,
        piece_kind,
        piece_start,
        piece_end
    from closed_pieces

),

numbered as (

    select
        calendar_key,
        cast(row_number() over (partition by calendar_key order by piece_start) as bigint) as piece_no,
        piece_kind,
        piece_start,
        piece_end,
        piece_end - piece_start as piece_minutes,
        coalesce(
            sum(case when piece_kind = 'open' then piece_end - piece_start else 0 end) over (
                partition by calendar_key
                order by piece_start
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as cumulative_open_minutes

    from all_pieces

)

select
    calendar_key,
    piece_no,
    piece_kind,
    piece_start,
    piece_end,
    cast(piece_minutes as bigint) as piece_minutes,
    cast(cumulative_open_minutes as bigint) as cumulative_open_minutes

from numbered
