with

source as (

    select * from {{ ref('timeslip_waivers') }}

),

renamed as (

    select
        cast(rule_id as varchar) as rule_id,
        cast(subject_id as varchar) as subject_id,
        cast(decision as varchar) as decision,
        cast(reviewed_by as varchar) as reviewed_by,
        cast(reviewed_at as timestamp with time zone) as reviewed_at,
        cast(reason as varchar) as reason

    from source

)

select * from renamed
