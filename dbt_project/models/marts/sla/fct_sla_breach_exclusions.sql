{#-
    The time a breached SLA clock did not count, in detail: its paused minutes per pause
    status, and the holidays it spanned (each date on which a holiday stretch of the
    clock began, on the clock's calendar, in the client's time zone).
-#}
with

breaches as (

    select * from {{ ref('fct_sla_breaches') }}

),

segments as (

    select * from {{ ref('fct_sla_clock_segments') }}

),

holidays as (

    select * from {{ ref('stg_reference__holidays') }}

),

pauses as (

    select
        segments.ticket_id,
        segments.metric,
        coalesce(segments.status, '') as pause_status,
        sum(segments.minutes) as paused_minutes

    from segments
    inner join breaches
        on segments.ticket_id = breaches.ticket_id and segments.metric = breaches.metric
    where segments.state = 'paused'
    group by segments.ticket_id, segments.metric, coalesce(segments.status, '')

),

holiday_dates as (

    select distinct
        segments.ticket_id,
        segments.metric,
        holidays.holiday_date,
        holidays.holiday_name

    from segments
    inner join breaches
        on segments.ticket_id = breaches.ticket_id and segments.metric = breaches.metric
    inner join holidays
        on
            breaches.calendar_id = holidays.calendar_id
            and cast({{ to_local_timestamp('segments.segment_start', 'breaches.timezone') }} as date)
            = holidays.holiday_date
            and {{ is_in_force('holidays', 'holidays.holiday_date') }}
    where segments.state = 'holiday'

),

final as (

    select
        ticket_id,
        metric,
        'pause' as exclusion,
        pause_status,
        cast(paused_minutes as bigint) as paused_minutes,
        cast(null as date) as holiday_date,
        cast(null as {{ dbt.type_string() }}) as holiday_name

    from pauses

    union all

    select
        ticket_id,
        metric,
        'holiday' as exclusion,
        cast(null as {{ dbt.type_string() }}) as pause_status,
        cast(null as bigint) as paused_minutes,
        holiday_date,
        holiday_name

    from holiday_dates

)

select * from final
