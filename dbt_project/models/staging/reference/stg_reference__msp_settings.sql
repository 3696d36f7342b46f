with

source as (

    select * from {{ ref('msp_settings') }}

),

renamed as (

    select
        cast(setting as string) as setting,
        cast(value as string) as setting_value

    from source

)

select * from renamed
