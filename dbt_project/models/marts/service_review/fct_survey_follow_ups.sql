{#-
    The negative survey answers a client's monthly service review lists, each with how the
    MSP closed the loop: one row per negative response (`fct_survey_responses`), with the
    ticket's subject and the state of its follow-up at `as_of`.
-#}
with

responses as (

    select * from {{ ref('fct_survey_responses') }}

),

tickets as (

    select * from {{ ref('fct_tickets') }}

),

-- One row whatever int_run_parameters holds: the cross join below never drops a response.
run_parameters as (

    select max(as_of) as as_of

    from {{ ref('int_run_parameters') }}

),

final as (

    select
        responses.response_id,
        responses.client_id,
        responses.month,
        responses.ticket_id,
        tickets.subject,
        responses.score,
        responses.responded_at,
        responses.comment,
        responses.follow_up_at,
        responses.follow_up_by,
        responses.follow_up_outcome,
        responses.follow_up_due_at,
        responses.is_followed_up_on_time,
        -- Not followed up, but the deadline is still ahead of as_of: not (yet) missed.
        -- Without a deadline or an as_of, a response is never still due.
        cast(
            case
                when responses.is_followed_up_on_time then 'in_time'
                when responses.follow_up_at is not null then 'late'
                when responses.follow_up_due_at > run_parameters.as_of then 'still_due'
                else 'not_followed_up'
            end as string
        ) as follow_up_state

    from responses
    cross join run_parameters
    left join tickets
        on responses.ticket_id = tickets.ticket_id
    where responses.is_negative

)

select * from final
