with

spine as (

    select * from {{ ref('int_date_spine') }}

),

final as (

    select
        date_day,
        year,
        quarter,
        month,
        iso_year,
        iso_week,
        day_of_week,
        is_weekend

    from spine
    where is_dimension_date

)

select * from final
