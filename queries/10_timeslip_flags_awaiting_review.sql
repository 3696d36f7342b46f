-- Which flagged timeslips still wait for an auditor?
-- Timeslip-audit flags with no auditor decision yet, error flags first (they hold the
-- reports of the client-months they concern until cleared), with the evidence that
-- tripped the rule.
select
    f.severity,
    f.rule_id,
    f.subject_type,
    f.subject_id,
    e.engineer_name,
    c.client_name,
    f.month,
    f.evidence
from fct_timeslip_flags as f
left join dim_engineers as e on f.engineer_id = e.engineer_id
left join dim_clients as c on f.client_id = c.client_id
where f.waiver_decision is null
order by case f.severity when 'error' then 0 else 1 end, f.rule_id, f.subject_id;
