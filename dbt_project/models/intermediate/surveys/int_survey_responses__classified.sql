{#-
    One row per survey response (a survey answered), classified the way the XLA counts
    it: the client-local month it belongs to, promoter or detractor, negative, and for a
    negative csat answer whether the follow-up came by the end of the next business day
    of the client's calendar. Surveys sent and not answered are not responses: they count
    only in the response rates (`int_client_months__survey_response_rates`).
-#}
with

responses as (

    select * from {{ ref('stg_psa__surveys') }}
    where responded_at is not null

),

clients as (

    select * from {{ ref('stg_reference__clients') }}

),

calendar_days as (

    select * from {{ ref('int_calendar_days') }}

),

-- Deadlines are a client's wall-clock times (the end of its business day), so the
-- response and its follow-up are read in the client's time zone.
localised as (

    select
        responses.response_id,
        responses.survey_type,
        responses.client_id,
        responses.ticket_id,
        responses.responded_at,
        responses.score,
        responses.lost_time_minutes,
        responses.comment,
        responses.follow_up_at,
        clients.calendar_id,
        {{ to_local_timestamp('responses.responded_at', "coalesce(clients.timezone, 'UTC')") }}
            as responded_local,
        {{ to_local_timestamp('responses.follow_up_at', "coalesce(clients.timezone, 'UTC')") }}
            as follow_up_local

    from responses
    left join clients
        on responses.client_id = clients.client_id

),

classified as (

    select
        response_id,
        survey_type,
        client_id,
        ticket_id,
        responded_at,
        cast({{ dbt.date_trunc('month', 'responded_local') }} as date) as month,
        cast(responded_local as date) as responded_local_date,
        score,
        score >= 9 as is_promoter,
        score <= 6 as is_detractor,
        survey_type = 'csat' and score <= 6 as is_negative,
        lost_time_minutes,
        comment is not null as has_comment,
        follow_up_at,
        follow_up_local,
        calendar_id

    from localised

),

-- The first business day of the client's calendar after the local date of a negative
-- response: a Friday answer is due on Monday, one on the eve of a holiday on the day
-- after it. A month ahead covers the longest closures.
next_business_days as (

    select
        classified.response_id,
        min(calendar_days.date_day) as next_business_day

    from classified
    inner join calendar_days
        on
            classified.calendar_id = calendar_days.calendar_id
            and classified.responded_local_date < calendar_days.date_day
            and {{ dbt.dateadd('day', 31, 'classified.responded_local_date') }} >= calendar_days.date_day
    where classified.is_negative and calendar_days.is_business_day
    group by classified.response_id

),

-- Due by the closing time of that day.
with_deadline as (

    select
        classified.*,
        {{ dbt.dateadd(
            'minute', 'calendar_days.closes_minute_of_day', 'cast(next_business_days.next_business_day as timestamp)'
        ) }} as follow_up_due_local

    from classified
    left join next_business_days
        on classified.response_id = next_business_days.response_id
    left join calendar_days
        on
            classified.calendar_id = calendar_days.calendar_id
            and next_business_days.next_business_day = calendar_days.date_day

),

final as (

    select
        response_id,
        survey_type,
        client_id,
        ticket_id,
        responded_at,
        month,
        score,
        is_promoter,
        is_detractor,
        is_negative,
        lost_time_minutes,
        has_comment,
        follow_up_at,
        cast(follow_up_due_local as timestamp) as follow_up_due_local,
        case
            when is_negative
                then coalesce(follow_up_local <= follow_up_due_local, false)
        end as is_followed_up_on_time

    from with_deadline

)

select * from final
