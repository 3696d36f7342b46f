-- How busy is each engineer, against target?
-- Billable utilization per engineer and month (the engineer's local dates): hours billed
-- over hours available, summed over the month's days (never the mean of daily
-- percentages), beside the engineer's target. The latest month runs to through_date.
select
    d.engineer_id,
    e.engineer_name,
    e.team,
    cast(date_trunc('month', d.work_date) as date) as month,
    max(d.work_date) as through_date,
    round(sum(d.available_hours), 1) as available_hours,
    round(sum(d.hours_worked), 1) as hours_worked,
    round(sum(d.hours_billed), 1) as hours_billed,
    round(
        100.0 * sum(d.hours_billed) / nullif(sum(d.available_hours), 0), 1
    ) as billable_utilization_pct,
    e.billable_target_pct
from fct_engineer_days as d
inner join dim_engineers as e on d.engineer_id = e.engineer_id
group by d.engineer_id, e.engineer_name, e.team, month, e.billable_target_pct
order by month desc, billable_utilization_pct asc nulls last, d.engineer_id asc;
