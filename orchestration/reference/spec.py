"""The MSP's reference files (docs/contract.md §3), as data.

Each file lists its columns in the order the warehouse loads them. A column the contract
names is `required`: the file must have it (its values may still be empty where
`nullable`). A column added since is optional: a file without it means its `default`,
which is also what an empty value means. The files the contract names must exist; a
file added since may be left out, and the one shipped in the repository's `seeds/`
applies instead (ServiceNow's standard value map, the default MSP-wide settings).

The validator (`validate.py`), the snapshot the build reads (`snapshot.py`), the tests
and the contract document all read the shapes from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from orchestration.contract import CANONICAL_VALUES, PRIORITIES, RESOLVED_STATUSES
from orchestration.warehouse.timeslip_rules import timeslip_rule_ids

RefType = Literal[
    "id",
    "text",
    "timezone",
    "date",
    "time",
    "integer",
    "number",
    "enum",
    "boolean",
    "instant",
    "statuses",
]

GOAL_PERIODS = ("week", "month", "quarter")
DEFAULT_GOAL_PERIOD = "month"
# Ten years of minutes: far beyond any SLA, and it keeps a due time inside the calendar.
MAX_TARGET_MINUTES = 10 * 366 * 24 * 60
SLA_METRICS = ("first_response", "resolution")
SLA_CLOCKS = ("business", "24x7")
XLA_METRICS = ("happiness", "nps", "avg_lost_time_minutes", "negative_follow_up_pct")
COMPARATORS = (">=", "<=")
SEVERITIES = ("error", "warn")
WAIVER_DECISIONS = ("cleared", "confirmed")
VALUE_MAP_SOURCES = ("psa", "servicenow")

# The range of an XLA target, by metric: scores are -100..100, shares 0..100.
XLA_TARGET_RANGES: dict[str, tuple[float, float]] = {
    "happiness": (-100, 100),
    "nps": (-100, 100),
    "avg_lost_time_minutes": (0, 100_000),
    "negative_follow_up_pct": (0, 100),
}


@dataclass(frozen=True)
class MspSetting:
    """One setting of `msp_settings.csv`: its values (a list, or any date) and default."""

    name: str
    allowed: tuple[str, ...]
    default: str
    description: str
    # `enum` (one of `allowed`), `date` (YYYY-MM-DD), or `integer` / `number` (from
    # `minimum` to `maximum`).
    kind: str = "enum"
    minimum: float | None = None
    maximum: float | None = None


# The earliest instant the MSP's history can hold, unless msp_settings.csv says otherwise:
# a timestamp before it in an extract is a typo (0001-01-01), not history.
DEFAULT_HISTORY_START = "2000-01-01"

MSP_SETTINGS: dict[str, MspSetting] = {
    s.name: s
    for s in (
        MspSetting(
            "billable_goal_period",
            GOAL_PERIODS,
            DEFAULT_GOAL_PERIOD,
            "The period of an engineer's billable goal, for engineers whose own "
            "`billable_goal_period` is empty.",
        ),
        MspSetting(
            "history_start",
            (),
            DEFAULT_HISTORY_START,
            "The first day the MSP's history can hold: an extract's date or timestamp "
            "before it is quarantined as implausible.",
            kind="date",
        ),
        MspSetting(
            "period_close_business_days",
            (),
            "5",
            "A client-month closes this many of the client's business days after it ends: "
            "the first publication after that records its figures as reported, and a later "
            "change to them is a restatement.",
            kind="integer",
            minimum=0,
            maximum=60,
        ),
        MspSetting(
            "restatement_threshold_pct",
            (),
            "1",
            "A restatement is large when a figure moves by more than this percent of the "
            "value reported (or to or from empty); a large restatement fails the "
            "`restatements_within_threshold` check.",
            kind="number",
            minimum=0,
            maximum=1_000_000,
        ),
        MspSetting(
            "restatement_severity",
            SEVERITIES,
            "warn",
            "Severity of the `restatements_within_threshold` check: `warn` publishes a large "
            "restatement for review; `error` holds the publication until an auditor approves "
            "it in restatement_approvals.csv.",
        ),
        MspSetting(
            "low_confidence_response_rate_pct",
            (),
            "20",
            "An XLA target of a client-month whose survey response rate (answered of sent, "
            "by the month sent) is below this percent is marked low confidence.",
            kind="number",
            minimum=0,
            maximum=100,
        ),
        MspSetting(
            "sla_at_risk_pct",
            (),
            "75",
            "A clock still running is `at_risk` once it has used this percent of its target, "
            "and `on_track` before.",
            kind="number",
            minimum=0,
            maximum=100,
        ),
        MspSetting(
            "peer_min_clients",
            (),
            "5",
            "The fewest clients of a contract tier with a figure in a month for the month's "
            "peer percentiles to be given.",
            kind="integer",
            minimum=2,
            maximum=100_000,
        ),
        MspSetting(
            "silent_feed_business_days",
            (),
            "3",
            "A client's extract is silent after this many of the client's business days "
            "without a row, when it usually has rows (`silent_feed_min_daily_rows`).",
            kind="integer",
            minimum=1,
            maximum=60,
        ),
        MspSetting(
            "silent_feed_min_daily_rows",
            (),
            "2",
            "A client's extract is watched for silence only when its trailing baseline "
            "(the 20 business days before the silence) averages more than this many rows "
            "a business day.",
            kind="number",
            minimum=0,
            maximum=1_000_000,
        ),
    )
}


@dataclass(frozen=True)
class RefColumn:
    """One column of a reference file."""

    name: str
    type: RefType
    description: str
    # The contract names the column: a file without it is refused.
    required: bool = True
    # An empty value is allowed (and means `default`).
    nullable: bool = False
    # What an empty value, or a file without the column, means.
    default: str = ""
    allowed: tuple[str, ...] = ()
    # Or the values are another part's to say, read when first needed: the timeslip
    # rules are the dbt project's (`orchestration/warehouse/timeslip_rules.py`).
    allowed_from: Callable[[], tuple[str, ...]] | None = None
    minimum: float | None = None
    maximum: float | None = None
    # The value must be above `minimum`, not equal to it (a target of 0 minutes).
    above_minimum: bool = False
    # (file, column) that must define every value: a calendar_id of clients.csv must be
    # a calendar of business_calendars.csv.
    references: tuple[str, str] | None = None
    # Not read from the MSP's file: the snapshot fills it in.
    derived: bool = False

    def allowed_values(self) -> tuple[str, ...]:
        """The values an `enum` takes."""
        return self.allowed_from() if self.allowed_from is not None else self.allowed


@dataclass(frozen=True)
class ReferenceFile:
    """One reference file: its columns, key and whether it must exist."""

    name: str
    description: str
    columns: tuple[RefColumn, ...]
    # Columns whose values identify a row; a repeat is refused.
    key: tuple[str, ...] = ()
    # The contract names the file: it must exist (it may hold a header only).
    required: bool = True

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        """Every column the warehouse loads, in order."""
        return tuple(c.name for c in self.columns)

    @property
    def file_columns(self) -> tuple[str, ...]:
        """The columns an MSP writes: all but those the snapshot derives."""
        return tuple(c.name for c in self.columns if not c.derived)

    def column(self, name: str) -> RefColumn:
        return next(c for c in self.columns if c.name == name)


def _id(name: str, description: str, **kwargs: object) -> RefColumn:
    return RefColumn(name, "id", description, **kwargs)  # type: ignore[arg-type]


# A row of a date-effective file is in force from `valid_from` to `valid_to`, both local
# dates and both included; without them (or empty), always. Rows of one key may follow
# one another in time; two whose validity overlaps are refused.
VALIDITY = (
    RefColumn(
        "valid_from",
        "date",
        "First local date the row is in force.",
        required=False,
        nullable=True,
        default="in force since always",
    ),
    RefColumn(
        "valid_to",
        "date",
        "Last local date the row is in force.",
        required=False,
        nullable=True,
        default="in force from then on",
    ),
)


CLIENTS = ReferenceFile(
    "clients",
    "The MSP's clients, their time zone, business calendar and contract.",
    key=("client_id",),
    columns=(
        _id("client_id", "Client identifier, as the extracts write it."),
        RefColumn("client_name", "text", "Client's name."),
        RefColumn("timezone", "timezone", "IANA time zone, e.g. `Europe/Amsterdam`."),
        _id(
            "calendar_id",
            "Business calendar of the client's service hours.",
            references=("business_calendars", "calendar_id"),
        ),
        _id(
            "contract_tier",
            "Contract tier; selects the SLA policies and XLA targets.",
            references=("sla_policies", "contract_tier"),
        ),
        RefColumn(
            "contract_start",
            "date",
            "First day of the contract.",
            required=False,
            nullable=True,
            default=(
                "the client is reported from the month of its first ticket or survey "
                "response, or from the extracts' first month if it was seen in it (a client "
                "since before they began); a client not seen yet, not at all"
            ),
        ),
        RefColumn(
            "contract_end",
            "date",
            "Last day of the contract.",
            required=False,
            nullable=True,
            default="the contract runs on",
        ),
        *VALIDITY,
    ),
)

ENGINEERS = ReferenceFile(
    "engineers",
    "The MSP's engineers and their contracted capacity.",
    key=("engineer_id",),
    columns=(
        _id("engineer_id", "Engineer identifier, as the extracts write it."),
        RefColumn("engineer_name", "text", "Engineer's name."),
        RefColumn("team", "text", "Team the engineer belongs to.", nullable=True),
        RefColumn("role", "text", "Engineer's role.", nullable=True),
        _id(
            "calendar_id",
            "Business calendar of the engineer's working hours.",
            references=("business_calendars", "calendar_id"),
        ),
        RefColumn("timezone", "timezone", "IANA time zone of the engineer's working day."),
        RefColumn(
            "weekly_contracted_hours",
            "number",
            "Hours a week the engineer is contracted for.",
            minimum=0,
            maximum=168,
        ),
        RefColumn(
            "billable_target_pct",
            "number",
            "Share of contracted hours to be billed, in percent.",
            minimum=0,
            maximum=100,
        ),
        RefColumn("start_date", "date", "First working day.", nullable=True, default="not known"),
        RefColumn("end_date", "date", "Last working day.", nullable=True, default="still employed"),
        RefColumn(
            "billable_goal_period",
            "enum",
            "The period over which the engineer's billable goal is set and judged.",
            required=False,
            nullable=True,
            allowed=GOAL_PERIODS,
            default="`billable_goal_period` of msp_settings.csv (`month` unless set)",
        ),
        *VALIDITY,
    ),
)

BUSINESS_CALENDARS = ReferenceFile(
    "business_calendars",
    "Opening hours per calendar and weekday; a day may have several rows.",
    columns=(
        _id("calendar_id", "Calendar identifier."),
        RefColumn(
            "weekday", "integer", "ISO weekday, 1 = Monday to 7 = Sunday.", minimum=1, maximum=7
        ),
        RefColumn("opens_at", "time", "Local opening time, `HH:MM`."),
        RefColumn("closes_at", "time", "Local closing time, `HH:MM` (`24:00` is midnight)."),
        *VALIDITY,
    ),
)

HOLIDAYS = ReferenceFile(
    "holidays",
    "Whole local days a calendar is closed.",
    key=("calendar_id", "holiday_date"),
    columns=(
        _id(
            "calendar_id", "Calendar identifier.", references=("business_calendars", "calendar_id")
        ),
        RefColumn("holiday_date", "date", "Local date that is closed all day."),
        RefColumn("holiday_name", "text", "Name of the holiday.", nullable=True),
        *VALIDITY,
    ),
)

ENGINEER_LEAVE = ReferenceFile(
    "engineer_leave",
    "Hours of leave an engineer takes on a date; several rows of one day add up.",
    columns=(
        _id("engineer_id", "Engineer on leave.", references=("engineers", "engineer_id")),
        RefColumn("leave_date", "date", "Date of the leave."),
        RefColumn("hours", "number", "Hours of leave that day.", minimum=0, maximum=24),
    ),
)

SLA_POLICIES = ReferenceFile(
    "sla_policies",
    "SLA targets per contract tier, priority and metric.",
    key=("contract_tier", "priority", "metric"),
    columns=(
        _id("contract_tier", "Contract tier the policy applies to."),
        RefColumn("priority", "enum", "Ticket priority the policy applies to.", allowed=PRIORITIES),
        RefColumn(
            "metric", "enum", "The clock: first response or resolution.", allowed=SLA_METRICS
        ),
        RefColumn(
            "target_minutes",
            "integer",
            "Clock minutes allowed.",
            minimum=0,
            maximum=MAX_TARGET_MINUTES,
            above_minimum=True,
        ),
        RefColumn(
            "clock", "enum", "`business` (the client's calendar) or `24x7`.", allowed=SLA_CLOCKS
        ),
        RefColumn(
            "pause_statuses",
            "statuses",
            "Statuses that pause the resolution clock, `;`-separated: the contract's own "
            "or a PSA's, mapped in value_map.csv.",
            nullable=True,
            default="the clock never pauses",
        ),
        RefColumn(
            "attainment_target_pct",
            "number",
            "Share of a month's stopped clocks that must be met, in percent.",
            minimum=0,
            maximum=100,
        ),
        *VALIDITY,
    ),
)

XLA_TARGETS = ReferenceFile(
    "xla_targets",
    "Experience-level targets per contract tier.",
    key=("contract_tier", "metric"),
    columns=(
        _id(
            "contract_tier",
            "Contract tier the target applies to.",
            references=("sla_policies", "contract_tier"),
        ),
        RefColumn("metric", "enum", "The XLA metric.", allowed=XLA_METRICS),
        RefColumn(
            "comparator",
            "enum",
            "How the metric must compare with the target.",
            allowed=COMPARATORS,
        ),
        RefColumn("target", "number", "Target value, in the metric's unit."),
        RefColumn(
            "min_responses",
            "integer",
            "Responses needed before the target is judged.",
            minimum=1,
            maximum=1_000_000,
        ),
        *VALIDITY,
    ),
)


def _threshold(name: str, description: str) -> RefColumn:
    return RefColumn(
        name,
        "number",
        description,
        required=False,
        nullable=True,
        minimum=0,
        default="none (an enabled rule that needs it is refused)",
    )


TIMESLIP_RULES = ReferenceFile(
    "timeslip_rules",
    "The timeslip audit rules: on or off, severity and thresholds.",
    key=("rule_id",),
    columns=(
        RefColumn("rule_id", "enum", "The rule.", allowed_from=timeslip_rule_ids),
        RefColumn("enabled", "boolean", "Whether the rule runs (`true` or `false`)."),
        RefColumn(
            "severity",
            "enum",
            "`error` holds the client's reports; `warn` does not.",
            allowed=SEVERITIES,
        ),
        _threshold("threshold", "The rule's main threshold."),
        _threshold("secondary_threshold", "The rule's second threshold."),
        _threshold("tertiary_threshold", "The rule's third threshold."),
        RefColumn("description", "text", "What the rule flags.", required=False, nullable=True),
        *VALIDITY,
    ),
)

TIMESLIP_WAIVERS = ReferenceFile(
    "timeslip_waivers",
    "Auditors' decisions on flags.",
    columns=(
        RefColumn("rule_id", "enum", "Rule that raised the flag.", allowed_from=timeslip_rule_ids),
        RefColumn("subject_id", "text", "The flagged subject."),
        RefColumn(
            "decision",
            "enum",
            "`cleared` (legitimate) or `confirmed` (a real problem).",
            allowed=WAIVER_DECISIONS,
        ),
        RefColumn("reviewed_by", "text", "Auditor who decided."),
        RefColumn("reviewed_at", "instant", "When, ISO 8601 (without an offset: UTC)."),
        RefColumn("reason", "text", "The auditor's reason.", nullable=True),
    ),
)

RESTATEMENT_APPROVALS = ReferenceFile(
    "restatement_approvals",
    "Auditors' approvals of restated figures of closed months.",
    key=("client_id", "month", "figure"),
    required=False,
    columns=(
        _id("client_id", "Client whose month was restated.", references=("clients", "client_id")),
        RefColumn("month", "date", "A date of the restated month (its first day, usually)."),
        RefColumn(
            "figure",
            "text",
            "The restated figure, as `restatements.figure` names it: a column of "
            "fct_client_months, or `sla_policy_attainment_pct[<priority> <metric>]`.",
        ),
        RefColumn("approved_by", "text", "Auditor who approved."),
        RefColumn("approved_at", "instant", "When, ISO 8601 (without an offset: UTC)."),
        RefColumn("reason", "text", "The auditor's reason.", nullable=True),
    ),
)

VALUE_MAP = ReferenceFile(
    "value_map",
    "A PSA's own statuses, priorities and channels, mapped onto the contract's.",
    key=("source", "field", "source_value"),
    required=False,
    columns=(
        RefColumn(
            "source",
            "enum",
            "The system whose values are mapped: `psa` or `servicenow`.",
            allowed=VALUE_MAP_SOURCES,
        ),
        RefColumn(
            "field", "enum", "`status`, `priority` or `channel`.", allowed=tuple(CANONICAL_VALUES)
        ),
        RefColumn("source_value", "text", "The value as the source writes it."),
        RefColumn("canonical_value", "text", "The contract's value it means."),
        RefColumn(
            "origin",
            "text",
            "`value_map.csv` for a row of the file; `contract` for a value of the contract "
            "itself, which every source may write as it is unless the file maps it.",
            required=False,
            derived=True,
        ),
    ),
)

MSP_SETTINGS_FILE = ReferenceFile(
    "msp_settings",
    "MSP-wide settings; a setting not in the file has its default.",
    key=("setting",),
    required=False,
    columns=(
        RefColumn("setting", "enum", "The setting's name.", allowed=tuple(MSP_SETTINGS)),
        RefColumn("value", "text", "Its value."),
    ),
)

REFERENCE: dict[str, ReferenceFile] = {
    f.name: f
    for f in (
        CLIENTS,
        ENGINEERS,
        BUSINESS_CALENDARS,
        HOLIDAYS,
        ENGINEER_LEAVE,
        SLA_POLICIES,
        XLA_TARGETS,
        TIMESLIP_RULES,
        TIMESLIP_WAIVERS,
        RESTATEMENT_APPROVALS,
        VALUE_MAP,
        MSP_SETTINGS_FILE,
    )
}

# Each reference file with every column an MSP may write, in order.
REFERENCE_FILES: dict[str, tuple[str, ...]] = {
    name: f.file_columns for name, f in REFERENCE.items()
}

# A pause status that would never let the clock run out: the clock stops in these.
NOT_PAUSABLE = RESOLVED_STATUSES
