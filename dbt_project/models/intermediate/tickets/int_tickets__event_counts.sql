with

events as (

    select * from {{ ref('int_ticket_events__unioned') }}

),

classified as (

    select
        ticket_id,

        -- A move out of Resolved/Closed into any open status; Resolved -> Closed and
        -- Closed -> Resolved stay resolved and are not reopens.
        case
            when
                field = 'status'
                and old_value in ({{ resolved_statuses() }})
                and new_value not in ({{ resolved_statuses() }})
                then 1
            else 0
        end as is_reopen,

        -- A change of hands: there was an assignee and now there is another (or none).
        -- The first assignment of an unassigned ticket is not a reassignment.
        case
            when
                field = 'assignee'
                and old_value is not null
                and coalesce(new_value, '') <> old_value
                then 1
            else 0
        end as is_reassignment,

        case
            when
                field = 'priority'
                and old_value is not null
                and coalesce(new_value, '') <> old_value
                then 1
            else 0
        end as is_priority_change

    from events

),

counted as (

    select
        ticket_id,
        cast(sum(is_reopen) as bigint) as reopen_count,
        cast(sum(is_reassignment) as bigint) as reassignment_count,
        cast(sum(is_priority_change) as bigint) as priority_change_count

    from classified
    group by ticket_id

)

select * from counted
