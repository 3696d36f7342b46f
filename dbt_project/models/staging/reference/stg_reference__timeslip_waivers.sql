with

source as (

    select * from {{ ref('timeslip_waivers') }}

),

renamed as (

    select
        cast(rule_id as string) as rule_id,
        cast(subject_id as string) as subject_id,
        cast(decision as string) as decision,
        cast(reviewed_by as string) as reviewed_by,
        cast(reviewed_at as {{ type_instant() }}) as reviewed_at,
        cast(reason as string) as reason

    from source

)

select * from renamed
