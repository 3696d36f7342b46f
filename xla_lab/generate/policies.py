"""The MSP's fixed policies, written as reference files: SLA targets and clocks per
contract tier and priority, XLA targets, the timeslip rules and their thresholds,
ServiceNow's value map and the MSP-wide settings. Nothing here is drawn: every scale
and seed gets the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.contract import PRIORITIES

TIERS = ("gold", "silver", "bronze")

# SLA targets in minutes: tier -> priority -> (first response, resolution).
SLA_TARGETS: dict[str, dict[str, tuple[int, int]]] = {
    "gold": {"P1": (15, 240), "P2": (30, 480), "P3": (120, 960), "P4": (240, 1920)},
    "silver": {"P1": (30, 360), "P2": (60, 720), "P3": (240, 1440), "P4": (480, 2880)},
    "bronze": {"P1": (60, 480), "P2": (120, 960), "P3": (480, 2400), "P4": (960, 4800)},
}
TWENTY_FOUR_SEVEN = {("gold", "P1"), ("silver", "P1")}
PAUSE_STATUSES = {
    "gold": ("Waiting Customer", "Waiting Vendor"),
    "silver": ("Waiting Customer", "Waiting Vendor"),
    "bronze": ("Waiting Customer", "Waiting Vendor", "Scheduled"),
}
ATTAINMENT_TARGET = {"gold": 95, "silver": 90, "bronze": 85}

XLA_TARGETS: dict[str, dict[str, float]] = {
    "gold": {"happiness": 60, "nps": 40, "avg_lost_time_minutes": 30, "negative_follow_up_pct": 90},
    "silver": {
        "happiness": 50,
        "nps": 30,
        "avg_lost_time_minutes": 45,
        "negative_follow_up_pct": 85,
    },
    "bronze": {
        "happiness": 40,
        "nps": 20,
        "avg_lost_time_minutes": 60,
        "negative_follow_up_pct": 80,
    },
}
XLA_COMPARATORS = {
    "happiness": ">=",
    "nps": ">=",
    "avg_lost_time_minutes": "<=",
    "negative_follow_up_pct": ">=",
}
XLA_MIN_RESPONSES = {
    "happiness": 10,
    "nps": 5,
    "avg_lost_time_minutes": 10,
    "negative_follow_up_pct": 3,
}

# rule_id, enabled, severity, threshold, secondary_threshold, tertiary_threshold,
# description. The thresholds' meaning is per rule, in its description.
TIMESLIP_RULES: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    (
        "overlap",
        "true",
        "error",
        "5",
        "",
        "",
        "Two entries of one engineer overlap in time by more than threshold minutes; the "
        "later-starting entry is flagged. No other thresholds.",
    ),
    (
        "excessive_day",
        "true",
        "warn",
        "12",
        "",
        "",
        "An engineer's hours_worked on one work_date add up to more than threshold hours. "
        "No other thresholds.",
    ),
    (
        "billed_over_worked",
        "true",
        "error",
        "0",
        "",
        "",
        "An entry's hours_billed exceeds its hours_worked by more than threshold hours "
        "(0 = no tolerance). No other thresholds.",
    ),
    (
        "duplicate",
        "true",
        "error",
        "",
        "",
        "",
        "Two entries of one engineer with the same ticket, work_date, started_at, ended_at "
        "and hours_worked; the later copy is flagged. No thresholds.",
    ),
    (
        "outside_ticket_life",
        "true",
        "error",
        "24",
        "",
        "",
        "An entry on a ticket starts before the minute the ticket was created or ends more "
        "than threshold hours after it was closed. No other thresholds.",
    ),
    (
        "late_entry",
        "true",
        "warn",
        "5",
        "",
        "",
        "An entry was entered more than threshold business days (open days of the "
        "engineer's calendar, holidays excluded) after its work_date. No other thresholds.",
    ),
    (
        "bulk_backfill",
        "true",
        "warn",
        "10",
        "7",
        "60",
        "At least threshold entries of one engineer were entered within one sitting of "
        "tertiary_threshold minutes, each for a work_date at least secondary_threshold "
        "calendar days before the day it was entered; every such entry is flagged.",
    ),
    (
        "round_heaping",
        "true",
        "warn",
        "0.8",
        "3.0",
        "20",
        "In a month with at least tertiary_threshold entries, the share (0-1) of an "
        "engineer's entries whose hours_worked are whole or half hours is at least "
        "threshold, and at least secondary_threshold times the same share over the rest "
        "of the engineer's team.",
    ),
    (
        "exact_target",
        "true",
        "warn",
        "0.6",
        "",
        "5",
        "In a billable-goal period (the engineer's week, month or quarter) with at least "
        "tertiary_threshold days worked, the engineer's billed hours of a day equal the "
        "day's share of the goal (its available hours x billable_target_pct / 100) exactly "
        "on at least threshold (share 0-1) of the days worked.",
    ),
    (
        "effort_outlier",
        "true",
        "warn",
        "5",
        "4",
        "",
        "An engineer's total hours_worked on one ticket is more than threshold times the "
        "median of all engineers' per-ticket totals for the same category and priority, "
        "and at least secondary_threshold hours.",
    ),
    (
        "post_target_slowdown",
        "true",
        "warn",
        "0.4",
        "2",
        "4",
        "In a billable-goal period (the engineer's week, month or quarter), billed hours per "
        "hour worked after the engineer reached the period's goal (its available hours x "
        "billable_target_pct / 100) fall by at least threshold (share 0-1) against before, "
        "with at least tertiary_threshold hours worked after it; flagged where such periods "
        "follow one another for at least secondary_threshold weeks (a month or a quarter "
        "is long enough alone).",
    ),
    (
        "off_hours_without_ticket",
        "true",
        "warn",
        "15",
        "",
        "",
        "More than threshold minutes of an entry lie outside the engineer's business "
        "calendar (closed hours, weekends, holidays), and the entry has no ticket or lies "
        "wholly before its ticket was created or after it was closed. No other thresholds.",
    ),
    (
        "vague_note",
        "true",
        "warn",
        "2",
        "15",
        "",
        "An entry of at least threshold hours has notes shorter than secondary_threshold "
        "characters (empty or boilerplate such as 'work', 'support', 'misc').",
    ),
)
# ServiceNow's own states, priorities and contact types, mapped onto the contract's
# (value_map.csv): the ServiceNow adapter reads its exports through these rows.
SERVICENOW_VALUE_MAP: tuple[tuple[str, str, str], ...] = (
    ("status", "New", "New"),
    ("status", "Active", "In Progress"),
    ("status", "Awaiting User Info", "Waiting Customer"),
    ("status", "Awaiting Evidence", "Waiting Customer"),
    ("status", "Awaiting Vendor", "Waiting Vendor"),
    ("status", "Awaiting Problem", "Scheduled"),
    ("status", "Resolved", "Resolved"),
    ("status", "Closed", "Closed"),
    ("priority", "1 - Critical", "P1"),
    ("priority", "2 - High", "P2"),
    ("priority", "3 - Moderate", "P3"),
    ("priority", "4 - Low", "P4"),
    ("channel", "Phone", "phone"),
    ("channel", "IVR", "phone"),
    ("channel", "Email", "email"),
    ("channel", "Self service", "portal"),
    ("channel", "Self-service", "portal"),
    ("channel", "Chat", "chat"),
    ("channel", "Virtual Agent", "chat"),
    ("channel", "Walk-in", "walk_in"),
    ("channel", "Direct opsys", "monitoring"),
)
# The MSP-wide settings of msp_settings.csv.
MSP_SETTINGS = (("billable_goal_period", "month"), ("history_start", "2000-01-01"))


@dataclass(frozen=True)
class SlaPolicy:
    """One row of sla_policies.csv."""

    contract_tier: str
    priority: str
    metric: str
    target_minutes: int
    clock: str
    pause_statuses: tuple[str, ...]
    attainment_target_pct: int


def sla_policies() -> dict[tuple[str, str, str], SlaPolicy]:
    """The SLA policy of every contract tier, priority and metric."""
    policies: dict[tuple[str, str, str], SlaPolicy] = {}
    for tier in TIERS:
        for priority in PRIORITIES:
            for metric, target in zip(
                ("first_response", "resolution"), SLA_TARGETS[tier][priority], strict=True
            ):
                policies[(tier, priority, metric)] = SlaPolicy(
                    contract_tier=tier,
                    priority=priority,
                    metric=metric,
                    target_minutes=target,
                    clock="24x7" if (tier, priority) in TWENTY_FOUR_SEVEN else "business",
                    pause_statuses=PAUSE_STATUSES[tier],
                    attainment_target_pct=ATTAINMENT_TARGET[tier],
                )
    return policies
