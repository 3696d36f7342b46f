-- Every hour booked on a timeslip is in exactly one engineer day: per engineer, the hours
-- worked of fct_engineer_days add up to those of the timeslips.
with

days as (

    select
        engineer_id,
        sum(hours_worked) as hours_worked

    from {{ ref('fct_engineer_days') }}
    group by engineer_id

),

timeslips as (

    select
        engineer_id,
        sum(hours_worked) as hours_worked

    from {{ ref('stg_psa__timeslips') }}
    group by engineer_id

)

select
    timeslips.engineer_id,
    timeslips.hours_worked as timeslip_hours,
    days.hours_worked as engineer_day_hours

from timeslips
left join days
    on timeslips.engineer_id = days.engineer_id
where
    days.engineer_id is null
    or abs(timeslips.hours_worked - days.hours_worked) > 0.001
