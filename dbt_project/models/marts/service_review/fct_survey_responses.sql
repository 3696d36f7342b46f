{#-
    Every survey response as the XLA counts it (`int_survey_responses__classified`),
    with what a client's review shows beside it: the comment, who followed it up, how,
    and the follow-up deadline as an instant. What closes the loop on a negative answer.
-#}
with

classified as (

    select * from {{ ref('int_survey_responses__classified') }}

),

responses as (

    select * from {{ ref('stg_psa__surveys') }}

),

clients as (

    select * from {{ ref('stg_reference__clients') }}

),

final as (

    select
        classified.response_id,
        classified.survey_type,
        classified.client_id,
        classified.ticket_id,
        responses.contact_id,
        classified.score,
        classified.is_promoter,
        classified.is_detractor,
        classified.is_negative,
        classified.responded_at,
        classified.month,
        classified.lost_time_minutes,
        responses.comment,
        classified.follow_up_at,
        responses.follow_up_by,
        responses.follow_up_outcome,
        -- The deadline is a wall-clock time of the client; published as the instant.
        {{ from_local_timestamp('classified.follow_up_due_local', "coalesce(clients.timezone, 'UTC')") }}
            as follow_up_due_at,
        classified.is_followed_up_on_time

    from classified
    inner join responses
        on classified.response_id = responses.response_id
    left join clients
        on classified.client_id = clients.client_id

)

select * from final
