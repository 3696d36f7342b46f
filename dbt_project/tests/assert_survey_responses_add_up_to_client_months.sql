-- The responses a client's review lists are the ones its XLA figures count: per
-- client-month, csat and nps responses, negatives and negatives followed up on time
-- equal `fct_client_months`. Rows returned are client-months where they differ.
with

client_months as (

    select * from {{ ref('fct_client_months') }}

),

responses as (

    select * from {{ ref('fct_survey_responses') }}

),

counted as (

    select
        client_id,
        month,
        sum(case when survey_type = 'csat' then 1 else 0 end) as csat_responses,
        sum(case when survey_type = 'nps' then 1 else 0 end) as nps_responses,
        sum(case when is_negative then 1 else 0 end) as negative_responses,
        sum(case when is_followed_up_on_time then 1 else 0 end) as negatives_followed_up_on_time

    from responses
    group by client_id, month

)

select
    client_months.client_id,
    client_months.month

from client_months
left join counted
    on
        client_months.client_id = counted.client_id
        and client_months.month = counted.month
where
    coalesce(counted.csat_responses, 0) <> client_months.csat_responses
    or coalesce(counted.nps_responses, 0) <> client_months.nps_responses
    or coalesce(counted.negative_responses, 0) <> client_months.negative_responses
    or coalesce(counted.negatives_followed_up_on_time, 0) <> client_months.negatives_followed_up_on_time
