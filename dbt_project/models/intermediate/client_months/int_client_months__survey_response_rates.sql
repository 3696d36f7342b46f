{#-
    Per client and client-local month of `sent_at`: the surveys sent, how many of them
    were answered (whenever the answer came), and the response rate, for csat, nps and
    both. A survey without `sent_at` is in no rate.
-#}
with

surveys as (

    select * from {{ ref('stg_psa__surveys') }}
    where sent_at is not null

),

clients as (

    select * from {{ ref('stg_reference__clients') }}

),

-- A survey belongs to the month it was sent in the client's time zone.
localised as (

    select
        surveys.client_id,
        surveys.survey_type,
        surveys.responded_at is not null as is_answered,
        cast(
            {{ dbt.date_trunc(
                'month',
                to_local_timestamp('surveys.sent_at', "coalesce(clients.timezone, 'UTC')")
            ) }}
            as date
        ) as month

    from surveys
    left join clients
        on surveys.client_id = clients.client_id

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

    from localised
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
        case
            when csat_surveys_sent > 0
                then 100 * cast(csat_surveys_answered as double) / csat_surveys_sent
        end as csat_response_rate_pct,
        case
            when nps_surveys_sent > 0
                then 100 * cast(nps_surveys_answered as double) / nps_surveys_sent
        end as nps_response_rate_pct,
        case
            when surveys_sent > 0
                then 100 * cast(surveys_answered as double) / surveys_sent
        end as response_rate_pct

    from counted

)

select * from final
