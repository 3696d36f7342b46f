{#-
    Per ticket with a csat response, its latest response (by `responded_at`, then
    `response_id`): the score `fct_tickets` shows. Surveys sent and not answered are left out.
-#}
with

responses as (

    select * from {{ ref('stg_psa__surveys') }}
    -- A survey sent and not answered gives the ticket no score.
    where responded_at is not null

),

ranked as (

    select
        ticket_id,
        response_id,
        score,
        responded_at,
        row_number() over (
            partition by ticket_id
            order by responded_at desc, response_id desc
        ) as response_rank

    from responses
    where survey_type = 'csat' and ticket_id is not null

),

latest as (

    select
        ticket_id,
        response_id as csat_response_id,
        score as csat_score,
        responded_at as csat_responded_at

    from ranked
    where response_rank = 1

)

select * from latest
