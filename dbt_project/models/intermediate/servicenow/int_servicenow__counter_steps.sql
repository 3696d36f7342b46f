{#-
    Each step of a ServiceNow incident's logged history (an update and the one before
    it): what the warehouse counts there, what ServiceNow's own counters counted since
    the previous logged update, and, where the two part ways, why. The warehouse's counts
    themselves come from `int_tickets__event_counts`; the test
    `assert_servicenow_counter_steps_count_as_the_warehouse_does` keeps the per-step view
    in line with them. The disagreement classes are explained in
    docs/metrics/servicenow.md#counter-agreement.
-#}
with

updates as (

    select * from {{ ref('stg_servicenow__incident_updates') }}

),

versions as (

    select
        *,
        count(*) over (partition by ticket_id, sys_mod_count) as updates_with_this_version

    from updates

),

counted as (

    select
        *,
        -- The warehouse's rules (docs/metrics/kpi.md#reopen, #reassignment) applied to
        -- the events this update gives rise to.
        case
            when
                previous_status in ({{ resolved_statuses() }})
                and status not in ({{ resolved_statuses() }})
                then 1
            else 0
        end as reopens_counted,
        case
            when
                previous_assignment_group is not null
                and coalesce(assignment_group, '') <> previous_assignment_group
                then 1
            else 0
        end as reassignments_counted,
        -- Before the first logged update, the counters count from zero.
        source_reopen_count - coalesce(previous_source_reopen_count, 0) as reopens_by_source,
        source_reassignment_count
        - coalesce(previous_source_reassignment_count, 0) as reassignments_by_source,
        sys_mod_count > coalesce(previous_sys_mod_count, -1) + 1 as follows_missing_updates,
        updates_with_this_version > 1 as repeats_a_version,
        history_rank > 1
        and previous_assignment_group is null
        and assignment_group is not null as assigns_a_first_group

    from versions

),

classified as (

    select
        *,
        case
            when reopens_by_source = reopens_counted then null
            when reopens_by_source is null then 'source_counter_missing'
            when repeats_a_version then 'repeated_version'
            when reopens_by_source > reopens_counted and follows_missing_updates
                then 'updates_missing_from_log'
            when reopens_by_source > reopens_counted then 'counted_without_visible_change'
            else 'not_counted_by_source'
        end as reopen_disagreement,
        case
            when reassignments_by_source = reassignments_counted then null
            when reassignments_by_source is null then 'source_counter_missing'
            when repeats_a_version then 'repeated_version'
            when reassignments_by_source > reassignments_counted and assigns_a_first_group
                then 'first_group_assignment'
            when reassignments_by_source > reassignments_counted and follows_missing_updates
                then 'updates_missing_from_log'
            when reassignments_by_source > reassignments_counted
                then 'counted_without_visible_change'
            else 'not_counted_by_source'
        end as reassignment_disagreement

    from counted

)

select
    ticket_id,
    client_id,
    incident_number,
    update_id,
    history_rank,
    is_latest_update,
    sys_mod_count,
    source_reopen_count,
    source_reassignment_count,
    cast(reopens_counted as bigint) as reopens_counted,
    cast(reopens_by_source as bigint) as reopens_by_source,
    cast(reassignments_counted as bigint) as reassignments_counted,
    cast(reassignments_by_source as bigint) as reassignments_by_source,
    follows_missing_updates,
    repeats_a_version,
    assigns_a_first_group,
    reopen_disagreement,
    reassignment_disagreement

from classified
