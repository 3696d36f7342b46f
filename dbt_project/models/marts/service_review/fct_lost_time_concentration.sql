{#-
    How concentrated a month's lost time is: the share of it that the worst 10 % of the
    answered tickets carry (HappySignals reports 80 % from 12.6 % of tickets). One row
    per client-month of `fct_client_months` (`scope` = `client`) and one per month for
    the MSP over every client's tickets of that month (`scope` = `msp`, no client). A
    ticket counts once a month, by its latest csat answer of the month that gave a
    lost-time figure.
-#}
with

responses as (

    select * from {{ ref('int_survey_responses__classified') }}

),

client_months as (

    select * from {{ ref('int_client_months') }}

),

-- Each ticket's latest answer of the month with a lost-time figure (ties: the highest
-- response id), so a ticket answered twice is one ticket with one figure.
answers as (

    select
        client_id,
        month,
        ticket_id,
        lost_time_minutes,
        row_number() over (
            partition by client_id, month, ticket_id
            order by responded_at desc, response_id desc
        ) as answer_rank

    from responses
    where
        survey_type = 'csat'
        and ticket_id is not null
        and lost_time_minutes is not null
        and month is not null

),

ticket_figures as (

    select
        client_id,
        month,
        ticket_id,
        lost_time_minutes

    from answers
    where answer_rank = 1

),

-- The tickets by lost time, most first (ties: by ticket id), within the client-month
-- and within the MSP's month: the MSP's worst tickets are its worst over every client,
-- not the sum of each client's worst.
ordered as (

    select
        ticket_figures.client_id,
        ticket_figures.month,
        ticket_figures.lost_time_minutes,
        row_number() over (
            partition by ticket_figures.client_id, ticket_figures.month
            order by ticket_figures.lost_time_minutes desc, ticket_figures.ticket_id asc
        ) as client_position,
        row_number() over (
            partition by ticket_figures.month
            order by
                ticket_figures.lost_time_minutes desc,
                ticket_figures.ticket_id asc,
                ticket_figures.client_id asc
        ) as msp_position,
        count(*) over (
            partition by ticket_figures.client_id, ticket_figures.month
        ) as client_tickets,
        count(*) over (partition by ticket_figures.month) as msp_tickets

    -- The MSP's pool is its clients' months: an answer of a client the reference data
    -- does not hold, or of a month outside the client's contract, is in neither.
    from ticket_figures
    inner join client_months
        on
            ticket_figures.client_id = client_months.client_id
            and ticket_figures.month = client_months.month

),

-- The worst 10 %, rounded up: 1 of 1 to 10 tickets, 2 of 11 to 20.
client_sums as (

    select
        client_id,
        month,
        count(*) as answered_tickets,
        sum(lost_time_minutes) as lost_minutes,
        sum(
            case when client_position <= ceil(client_tickets / 10.0) then lost_time_minutes else 0 end
        ) as worst_lost_minutes

    from ordered
    group by client_id, month

),

msp_sums as (

    select
        month,
        count(*) as answered_tickets,
        sum(lost_time_minutes) as lost_minutes,
        sum(
            case when msp_position <= ceil(msp_tickets / 10.0) then lost_time_minutes else 0 end
        ) as worst_lost_minutes

    from ordered
    group by month

),

client_rows as (

    select
        'client' as scope,
        client_months.client_id,
        client_months.month,
        coalesce(client_sums.answered_tickets, 0) as answered_tickets,
        coalesce(client_sums.lost_minutes, 0) as lost_minutes,
        coalesce(client_sums.worst_lost_minutes, 0) as worst_lost_minutes

    from client_months
    left join client_sums
        on
            client_months.client_id = client_sums.client_id
            and client_months.month = client_sums.month

),

msp_months as (

    select distinct month
    from client_months

),

msp_rows as (

    select
        'msp' as scope,
        cast(null as string) as client_id,
        msp_months.month,
        coalesce(msp_sums.answered_tickets, 0) as answered_tickets,
        coalesce(msp_sums.lost_minutes, 0) as lost_minutes,
        coalesce(msp_sums.worst_lost_minutes, 0) as worst_lost_minutes

    from msp_months
    left join msp_sums
        on msp_months.month = msp_sums.month

),

unioned as (

    select * from client_rows
    union all
    select * from msp_rows

),

final as (

    select
        {{ dbt.concat([
            'scope', "'|'", "coalesce(client_id, '')", "'|'", format_month('month')
        ]) }} as concentration_id,
        cast(scope as string) as scope,
        client_id,
        month,
        cast(answered_tickets as bigint) as answered_tickets,
        cast(ceil(answered_tickets / 10.0) as bigint) as worst_tickets,
        cast(lost_minutes as double) as lost_minutes,
        cast(worst_lost_minutes as double) as worst_lost_minutes,
        {{ percent_of('worst_lost_minutes', 'lost_minutes') }} as worst_share_pct

    from unioned

)

select * from final
