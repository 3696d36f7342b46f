{#-
    Per client and client-local month: tickets opened (by `created_month`) and tickets
    resolved (by `resolved_month`), with the first-contact resolutions, reopened tickets
    and median business resolution time among the resolved.
-#}
with

tickets as (

    select * from {{ ref('int_tickets__measured') }}

),

opened as (

    select
        client_id,
        created_month as month,
        count(*) as tickets_opened

    from tickets
    where created_month is not null
    group by client_id, created_month

),

resolved as (

    select
        client_id,
        resolved_month as month,
        count(*) as tickets_resolved,
        sum(case when is_first_contact_resolution then 1 else 0 end) as first_contact_resolutions,
        sum(case when is_reopened then 1 else 0 end) as reopened_tickets,
        {{ median('business_resolution_minutes') }} as median_business_resolution_minutes

    from tickets
    where resolved_month is not null
    group by client_id, resolved_month

),

client_months as (

    select
        client_id,
        month
    from opened

    union

    select
        client_id,
        month
    from resolved

),

final as (

    select
        client_months.client_id,
        client_months.month,
        cast(coalesce(opened.tickets_opened, 0) as bigint) as tickets_opened,
        cast(coalesce(resolved.tickets_resolved, 0) as bigint) as tickets_resolved,
        cast(coalesce(resolved.first_contact_resolutions, 0) as bigint) as first_contact_resolutions,
        cast(coalesce(resolved.reopened_tickets, 0) as bigint) as reopened_tickets,
        cast(resolved.median_business_resolution_minutes as double) as median_business_resolution_minutes

    from client_months
    left join opened
        on
            client_months.client_id = opened.client_id
            and client_months.month = opened.month
    left join resolved
        on
            client_months.client_id = resolved.client_id
            and client_months.month = resolved.month

)

select * from final
