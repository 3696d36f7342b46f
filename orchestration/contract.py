"""The extracts of docs/contract.md §2, as data (the reference files of §3 are in
`orchestration/reference/spec.py`).

The ingest validator, the generator and the tests all read the shapes from here, so
there is one definition of what a valid row is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["text", "timestamp", "local_timestamp", "date", "number", "integer", "enum"]

STATUSES = (
    "New",
    "In Progress",
    "Waiting Customer",
    "Waiting Vendor",
    "Scheduled",
    "Resolved",
    "Closed",
)
RESOLVED_STATUSES = ("Resolved", "Closed")
PRIORITIES = ("P1", "P2", "P3", "P4")
CHANNELS = ("phone", "email", "portal", "chat", "walk_in", "monitoring")
EVENT_FIELDS = ("status", "priority", "assignee")
BILLABLE = ("Billable", "Do Not Bill", "No Charge")
SURVEY_TYPES = ("csat", "nps")

# The fields whose values a source may write in its own words, mapped onto the contract's
# in the reference file value_map.csv, with the contract's values of each.
CANONICAL_VALUES: dict[str, tuple[str, ...]] = {
    "status": STATUSES,
    "priority": PRIORITIES,
    "channel": CHANNELS,
}


@dataclass(frozen=True)
class Column:
    """One column of an extract."""

    name: str
    type: ColumnType
    required: bool = False
    allowed: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    # A local_timestamp's strptime format: a wall-clock time without offset, read in the
    # client's time zone by the warehouse.
    format: str = ""
    # The field of value_map.csv its values belong to (`status`, `priority`, `channel`):
    # a value must be the contract's or mapped for the extract's source. `allowed` then
    # lists only the source's own codes that stand for no value.
    vocabulary: str = ""
    # Or the column of the same row that names the field (ticket events' `field`); rows
    # naming a field without a vocabulary (`assignee`) take any value.
    vocabulary_column: str = ""

    @property
    def contract_values(self) -> tuple[str, ...]:
        """The values an enum takes in the contract's words: its vocabulary's and its own."""
        return CANONICAL_VALUES.get(self.vocabulary, ()) + self.allowed


@dataclass(frozen=True)
class Together:
    """Columns whose values come all together or not at all (a survey's answer: when it
    came and its score). Each must be in the file's header. A row with none of them is
    `absent` (an unanswered survey) and then needs the columns of `absent_needs`."""

    columns: tuple[str, ...]
    absent: str = ""
    absent_needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Extract:
    """One extract of the landing zone: its columns, key and versioning column."""

    name: str
    key: str
    columns: tuple[Column, ...]
    version_column: str | None = None
    description: str = ""
    # Pairs (earlier, later) of timestamp columns where later must not precede earlier.
    ordered: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    # The system the extract comes from and its table there: the lake rows are the dbt
    # source `<source>.<table>` and the Dagster asset `<source>/<table>`.
    source: str = "psa"
    table: str = ""
    # Values that mean "empty" in this export (ServiceNow writes `?`).
    null_markers: tuple[str, ...] = ()
    # Every row belongs to the client named in the file name; kept as `_client_id`.
    client_in_file_name: bool = False
    # Groups of optional columns whose values come all together or not at all.
    together: tuple[Together, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def asset_path(self) -> tuple[str, str]:
        """The Dagster asset key's path, equal to the dbt source's (source, table)."""
        return (self.source, self.table or self.name)

    @property
    def asset_key(self) -> str:
        return "/".join(self.asset_path)

    @property
    def lineage_columns(self) -> tuple[str, ...]:
        """The columns the ingest adds to every lake row of this extract."""
        return LINEAGE_COLUMNS + (("_client_id",) if self.client_in_file_name else ())

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def header_required(self) -> tuple[str, ...]:
        """The columns a file's header must carry: the required ones, and every column of
        a `together` group (whose values may all be empty)."""
        grouped = {name for group in self.together for name in group.columns}
        return tuple(c.name for c in self.columns if c.required or c.name in grouped)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


TICKETS = Extract(
    name="tickets",
    key="ticket_id",
    version_column="updated_at",
    description="One row per ticket version; the newest updated_at wins.",
    columns=(
        Column("ticket_id", "text", required=True),
        Column("client_id", "text", required=True),
        Column("contact_id", "text"),
        Column("priority", "enum", required=True, vocabulary="priority"),
        Column("category", "text"),
        Column("channel", "enum", vocabulary="channel"),
        Column("status", "enum", required=True, vocabulary="status"),
        Column("assigned_engineer_id", "text"),
        Column("subject", "text"),
        Column("created_at", "timestamp", required=True),
        Column("first_response_at", "timestamp"),
        Column("resolved_at", "timestamp"),
        Column("closed_at", "timestamp"),
        Column("updated_at", "timestamp", required=True),
    ),
    ordered=(
        ("created_at", "first_response_at"),
        ("created_at", "resolved_at"),
        ("created_at", "closed_at"),
    ),
)

TICKET_EVENTS = Extract(
    name="ticket_events",
    key="event_id",
    description="The status, priority and assignee audit trail of tickets.",
    columns=(
        Column("event_id", "text", required=True),
        Column("ticket_id", "text", required=True),
        Column("occurred_at", "timestamp", required=True),
        Column("field", "enum", required=True, allowed=EVENT_FIELDS),
        Column("old_value", "text", vocabulary_column="field"),
        Column("new_value", "text", vocabulary_column="field"),
        Column("actor_id", "text"),
    ),
)

TIMESLIPS = Extract(
    name="timeslips",
    key="timeslip_id",
    version_column="updated_at",
    description="Engineer time entries as a PSA exports them.",
    columns=(
        Column("timeslip_id", "text", required=True),
        Column("engineer_id", "text", required=True),
        Column("ticket_id", "text"),
        Column("client_id", "text"),
        Column("work_date", "date", required=True),
        Column("started_at", "timestamp", required=True),
        Column("ended_at", "timestamp", required=True),
        Column("hours_worked", "number", required=True, minimum=0, maximum=24),
        Column("hours_billed", "number", required=True, minimum=0, maximum=24),
        Column("billable", "enum", required=True, allowed=BILLABLE),
        Column("work_type", "text"),
        Column("notes", "text"),
        Column("entered_at", "timestamp", required=True),
        Column("updated_at", "timestamp", required=True),
    ),
    ordered=(("started_at", "ended_at"),),
)

SURVEYS = Extract(
    name="surveys",
    key="response_id",
    description="Customer feedback: csat after a ticket, nps relationship surveys; a "
    "survey sent and not answered is a row without responded_at and score.",
    columns=(
        Column("response_id", "text", required=True),
        Column("survey_type", "enum", required=True, allowed=SURVEY_TYPES),
        Column("ticket_id", "text"),
        Column("client_id", "text", required=True),
        Column("contact_id", "text"),
        Column("sent_at", "timestamp"),
        Column("responded_at", "timestamp"),
        Column("score", "integer", minimum=0, maximum=10),
        Column("comment", "text"),
        Column("lost_time_minutes", "number", minimum=0, maximum=100_000),
        Column("follow_up_at", "timestamp"),
        Column("follow_up_by", "text"),
        Column("follow_up_outcome", "text"),
    ),
    ordered=(("sent_at", "responded_at"), ("responded_at", "follow_up_at")),
    together=(
        Together(
            columns=("responded_at", "score"),
            absent="an unanswered survey",
            absent_needs=("sent_at",),
        ),
    ),
)

EXTRACTS: dict[str, Extract] = {e.name: e for e in (TICKETS, TICKET_EVENTS, TIMESLIPS, SURVEYS)}

# A state code the ServiceNow export carries without a name; staging reads it as "state
# not known" (the last known state holds). ServiceNow's named states and priorities are
# mapped onto the contract's in value_map.csv.
SERVICENOW_UNKNOWN_STATE = "-100"
SERVICENOW_TIME_FORMAT = "%d-%m-%Y %H:%M"
# Counters of a ServiceNow record; far above anything an incident reaches.
_COUNTER_MAX = 1_000_000


def _servicenow_time(name: str, required: bool = False) -> Column:
    return Column(name, "local_timestamp", required=required, format=SERVICENOW_TIME_FORMAT)


def _servicenow_counter(name: str, required: bool = False) -> Column:
    return Column(name, "integer", required=required, minimum=0, maximum=_COUNTER_MAX)


SERVICENOW_INCIDENTS = Extract(
    name="servicenow_incidents",
    source="servicenow",
    table="incidents",
    key="number",
    version_column="sys_updated_at",
    description="ServiceNow incident audit log: one row per update of an incident, in the "
    "local time of the client named in the file name.",
    null_markers=("?",),
    client_in_file_name=True,
    columns=(
        Column("number", "text", required=True),
        Column(
            "incident_state",
            "enum",
            required=True,
            allowed=(SERVICENOW_UNKNOWN_STATE,),
            vocabulary="status",
        ),
        Column("active", "text"),
        _servicenow_counter("reassignment_count"),
        _servicenow_counter("reopen_count"),
        _servicenow_counter("sys_mod_count", required=True),
        Column("made_sla", "text"),
        Column("caller_id", "text"),
        Column("opened_by", "text"),
        _servicenow_time("opened_at", required=True),
        Column("sys_created_by", "text"),
        _servicenow_time("sys_created_at"),
        Column("sys_updated_by", "text"),
        _servicenow_time("sys_updated_at", required=True),
        Column("contact_type", "text"),
        Column("location", "text"),
        Column("category", "text"),
        Column("subcategory", "text"),
        Column("u_symptom", "text"),
        Column("cmdb_ci", "text"),
        Column("impact", "text"),
        Column("urgency", "text"),
        Column("priority", "enum", required=True, vocabulary="priority"),
        Column("assignment_group", "text"),
        Column("assigned_to", "text"),
        Column("knowledge", "text"),
        Column("u_priority_confirmation", "text"),
        Column("notify", "text"),
        Column("problem_id", "text"),
        Column("rfc", "text"),
        Column("vendor", "text"),
        Column("caused_by", "text"),
        Column("closed_code", "text"),
        Column("resolved_by", "text"),
        _servicenow_time("resolved_at"),
        _servicenow_time("closed_at"),
    ),
    ordered=(("opened_at", "resolved_at"), ("opened_at", "closed_at")),
)

# Exports of other systems that source adapters map onto the extracts (docs/contract.md §2).
ADAPTER_EXTRACTS: dict[str, Extract] = {e.name: e for e in (SERVICENOW_INCIDENTS,)}

# Everything the landing zone takes: the PSA's extracts and the adapters' exports.
LANDING_EXTRACTS: dict[str, Extract] = {**EXTRACTS, **ADAPTER_EXTRACTS}

# Lineage columns the ingest adds to every lake row.
LINEAGE_COLUMNS = (
    "_source_file",
    "_source_line",
    "_extract_date",
    "_file_sha256",
    "_ingest_seq",
)

# landing/<extract>_<YYYYMMDD>[_<anything>].csv; for an extract whose rows belong to the
# client named in the file, <anything> is that client's id.
LANDING_FILE = re.compile(
    r"^(?P<extract>" + "|".join(sorted(LANDING_EXTRACTS, key=len, reverse=True)) + r")"
    r"_(?P<date>\d{8})(?:_(?P<suffix>[^/\\]*))?\.csv$"
)
