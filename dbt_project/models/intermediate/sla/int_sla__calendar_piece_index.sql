{{ config(materialized='table') }}

{#-
    Day-sized buckets onto the calendar pieces, so a look-up is an equality join plus a
    range filter over the few pieces of one bucket. `instant` buckets cover the minutes
    since the epoch a piece spans; `business_minute` buckets cover the business minutes
    an open piece adds to the calendar's running count.
-#}

with

pieces as (

    select * from {{ ref('int_sla__calendar_pieces') }}

),

instant_buckets as (

    select
        calendar_key,
        'instant' as index_kind,
        {{ integer_range_values(
            'cast(floor(piece_start / 1440) as bigint)',
            'cast(floor((piece_end - 1) / 1440) as bigint)'
        ) }} as bucket,
        piece_no

    from pieces

),

business_minute_buckets as (

    select
        calendar_key,
        'business_minute' as index_kind,
        {{ integer_range_values(
            'cast(floor(cumulative_open_minutes / 1440) as bigint)',
            'cast(floor((cumulative_open_minutes + piece_minutes - 1) / 1440) as bigint)'
        ) }} as bucket,
        piece_no

    from pieces
    where piece_kind = 'open'

)

select
    calendar_key,
    index_kind,
    cast(bucket as bigint) as bucket,
    piece_no
from instant_buckets
union all
select
    calendar_key,
    index_kind,
    cast(bucket as bigint) as bucket,
    piece_no
from business_minute_buckets
