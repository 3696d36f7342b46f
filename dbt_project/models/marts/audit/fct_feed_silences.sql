{#-
    One row per client under contract at as_of and PSA extract (`tickets`,
    `ticket_events`, `timeslips`, `surveys`): the client-local date of the extract's last
    row for the client, the client's business days since then that passed without a row,
    the trailing baseline before the silence, and whether the feed is silent
    (docs/metrics/ingest.md#silent-feeds).

    A row's date is the client-local date of what it records: a ticket's creation, an
    event's occurrence (the event's ticket gives the client), a timeslip's work date (its
    client, else its ticket's), a csat survey's sending (its response when it has no
    `sent_at`); nps surveys, sent in waves, are not watched. The
    business days counted are the client's calendar's, strictly after the last row's
    date and before the local date of as_of (that day is not over yet). The baseline is
    the rows of the 20 business days that end on the last row's date (with the non-business
    days among them), per business day. A feed is silent when at least
    `silent_feed_business_days` (msp_settings.csv, default 3) business days passed
    without a row while its baseline is above `silent_feed_min_daily_rows` (default 2).
-#}

{%- set baseline_business_days = 20 -%}

with

clients as (

    select * from {{ ref('stg_reference__clients') }}

),

tickets as (

    select * from {{ ref('stg_psa__tickets') }}

),

ticket_events as (

    select * from {{ ref('stg_psa__ticket_events') }}

),

timeslips as (

    select * from {{ ref('stg_psa__timeslips') }}

),

surveys as (

    select * from {{ ref('stg_psa__surveys') }}

),

calendar_days as (

    select * from {{ ref('int_calendar_days') }}

),

msp_settings as (

    select * from {{ ref('stg_reference__msp_settings') }}

),

run_parameters as (

    select * from {{ ref('int_run_parameters') }}

),

settings as (

    {{ msp_setting_values('msp_settings', [
        ('silent_feed_business_days', 'integer', 'silent_business_days_setting'),
        ('silent_feed_min_daily_rows', 'double', 'min_daily_rows_setting'),
    ]) }}

),

-- The clients under contract on the local date of as_of, with that date.
client_dates as (

    select
        clients.client_id,
        clients.timezone,
        clients.calendar_id,
        clients.contract_start,
        clients.contract_end,
        cast({{ to_local_timestamp('run_parameters.as_of', 'clients.timezone') }} as date)
            as as_of_date

    from clients
    cross join run_parameters

),

in_contract as (

    select
        client_id,
        timezone,
        calendar_id,
        as_of_date

    from client_dates
    -- A client without a contract start is under contract from its first record.
    where
        (contract_start is null or contract_start <= as_of_date)
        and (contract_end is null or contract_end >= as_of_date)

),

extracts as (

    select 'tickets' as extract
    union all
    select 'ticket_events' as extract
    union all
    select 'timeslips' as extract
    union all
    select 'surveys' as extract

),

-- Every row of the four extracts as (client, extract, instant or local date).
row_instants as (

    select
        client_id,
        'tickets' as extract,
        created_at as happened_at
    from tickets

    union all

    select
        tickets.client_id,
        'ticket_events' as extract,
        ticket_events.occurred_at as happened_at
    from ticket_events
    inner join tickets
        on ticket_events.ticket_id = tickets.ticket_id

    union all

    -- A csat survey follows a closed ticket, day by day; nps surveys go out in waves a
    -- quarter apart, so a quiet month between waves says nothing of the feed.
    select
        client_id,
        'surveys' as extract,
        coalesce(sent_at, responded_at) as happened_at
    from surveys
    where survey_type = 'csat'

),

row_dates as (

    select
        row_instants.client_id,
        row_instants.extract,
        cast({{ to_local_timestamp('row_instants.happened_at', 'in_contract.timezone') }} as date)
            as row_date
    from row_instants
    inner join in_contract
        on row_instants.client_id = in_contract.client_id

    union all

    select
        coalesce(timeslips.client_id, tickets.client_id) as client_id,
        'timeslips' as extract,
        timeslips.work_date as row_date
    from timeslips
    left join tickets
        on timeslips.ticket_id = tickets.ticket_id

),

daily as (

    select
        row_dates.client_id,
        row_dates.extract,
        row_dates.row_date,
        count(*) as row_count

    from row_dates
    inner join in_contract
        on row_dates.client_id = in_contract.client_id
    -- A row dated after as_of is no evidence of the feed at as_of.
    where row_dates.row_date <= in_contract.as_of_date
    group by row_dates.client_id, row_dates.extract, row_dates.row_date

),

last_rows as (

    select
        client_id,
        extract,
        max(row_date) as last_row_date

    from daily
    group by client_id, extract

),

feeds as (

    select
        in_contract.client_id,
        in_contract.calendar_id,
        in_contract.as_of_date,
        extracts.extract,
        last_rows.last_row_date

    from in_contract
    cross join extracts
    left join last_rows
        on
            in_contract.client_id = last_rows.client_id
            and extracts.extract = last_rows.extract

),

-- The business days of the client's calendar after the last row's date, up to the day
-- before as_of's local date.
numbered as (

    select
        feeds.*,
        last_day.business_day_number as last_business_day_number,
        -- A row on as_of's own local day leaves no day silent.
        case
            when feeds.last_row_date >= feeds.as_of_date then 0
            else as_of_eve.business_day_number - last_day.business_day_number
        end as silent_business_days

    from feeds
    left join calendar_days as last_day
        on
            feeds.calendar_id = last_day.calendar_id
            and feeds.last_row_date = last_day.date_day
    left join calendar_days as as_of_eve
        on
            feeds.calendar_id = as_of_eve.calendar_id
            and cast({{ dbt.dateadd('day', -1, 'feeds.as_of_date') }} as date) = as_of_eve.date_day

),

-- The rows of the 20 business days ending on the last row's date.
baselines as (

    select
        numbered.client_id,
        numbered.extract,
        sum(daily.row_count) as baseline_rows

    from numbered
    inner join calendar_days as window_days
        on
            numbered.calendar_id = window_days.calendar_id
            and window_days.date_day <= numbered.last_row_date
            and window_days.business_day_number
            > numbered.last_business_day_number - {{ baseline_business_days }}
    inner join daily
        on
            numbered.client_id = daily.client_id
            and numbered.extract = daily.extract
            and window_days.date_day = daily.row_date
    group by numbered.client_id, numbered.extract

),

final as (

    select
        numbered.client_id,
        numbered.extract,
        numbered.last_row_date,
        numbered.as_of_date,
        cast(numbered.silent_business_days as integer) as silent_business_days,
        cast(coalesce(baselines.baseline_rows, 0) as bigint) as baseline_rows,
        cast(coalesce(baselines.baseline_rows, 0) as double) / {{ baseline_business_days }}
            as baseline_daily_rows,
        cast(settings.silent_business_days_setting as integer) as silent_after_business_days,
        cast(settings.min_daily_rows_setting as double) as min_baseline_daily_rows,
        coalesce(
            numbered.silent_business_days >= settings.silent_business_days_setting
            and cast(coalesce(baselines.baseline_rows, 0) as double) / {{ baseline_business_days }}
            > settings.min_daily_rows_setting,
            false
        ) as is_silent

    from numbered
    cross join settings
    left join baselines
        on
            numbered.client_id = baselines.client_id
            and numbered.extract = baselines.extract

)

select * from final
