{#-
    Per client and client-local month of `sent_at`: the surveys sent, how many of them
    were answered by the day the month closes (`int_client_months__closes`; to date
    while it is open, or when the month has no close), and the response rate, for
    csat, nps and both. A survey without `sent_at` is in no rate. An answer after the
    close does not count, so a closed month's rate stays as reported.
-#}
with

surveys as (

    select * from {{ ref('stg_psa__surveys') }}
    where sent_at is not null

),

clients as (

    select * from {{ ref('stg_reference__clients') }}

),

closes as (

    select * from {{ ref('int_client_months__closes') }}

),

-- A survey belongs to the month it was sent in the client's time zone.
localised as (

    select
        surveys.client_id,
        surveys.survey_type,
        cast(
            {{ dbt.date_trunc(
                'month',
                to_local_timestamp('surveys.sent_at', "coalesce(clients.timezone, 'UTC')")
            ) }}
            as date
        ) as month,
        cast(
            {{ to_local_timestamp('surveys.responded_at', "coalesce(clients.timezone, 'UTC')") }}
            as date
        ) as responded_local_date

    from surveys
    left join clients
        on surveys.client_id = clients.client_id

),

-- Answered by the close: on or before the local day the sent month closes.
answered as (

    select
        localised.client_id,
        localised.survey_type,
        localised.month,
        coalesce(
            localised.responded_local_date <= coalesce(closes.closes_on, localised.responded_local_date),
            false
        ) as is_answered

    from localised
    left join closes
        on
            localised.client_id = closes.client_id
            and localised.month = closes.month

),

counted as (

    select
        client_id,
        month,
        sum(case when survey_type = 'csat' then 1 else 0 end) as csat_surveys_sent,
        sum(case when survey_type = 'csat' and is_answered then 1 else 0 end) as csat_surveys_answered,
        sum(case when survey_type = 'nps' then 1 else 0 end) as nps_surveys_sent,
        sum(case when survey_type = 'nps' and is_answered then 1 else 0 end) as nps_surveys_answered,
        count(*) as surveys_sent,
        sum(case when is_answered then 1 else 0 end) as surveys_answered

    from answered
    group by client_id, month

),

final as (

    select
        client_id,
        month,
        cast(csat_surveys_sent as bigint) as csat_surveys_sent,
        cast(csat_surveys_answered as bigint) as csat_surveys_answered,
        cast(nps_surveys_sent as bigint) as nps_surveys_sent,
        cast(nps_surveys_answered as bigint) as nps_surveys_answered,
        cast(surveys_sent as bigint) as surveys_sent,
        cast(surveys_answered as bigint) as surveys_answered,
        {{ percent_of('csat_surveys_answered', 'csat_surveys_sent') }} as csat_response_rate_pct,
        {{ percent_of('nps_surveys_answered', 'nps_surveys_sent') }} as nps_response_rate_pct,
        {{ percent_of('surveys_answered', 'surveys_sent') }} as response_rate_pct

    from counted

)

select * from final
