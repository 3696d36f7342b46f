"""The auditors' site: a static, self-contained HTML site of one run.

Pages: `index.html` (the run's checks, failures first), `history.html` (every run and
each check's pass/fail over the latest runs), `flags.html` (the flags by rule with each
rule's meaning, then every flagged timeslip with its evidence and waiver, filtered by
rule, engineer and client with radio buttons and CSS alone, and the client-months
held), `quarantine.html` (every rejected landing row, and the tickets held for want of
their client), `clocks.html` (the SLA clocks still running at as_of that are at risk or
breached, by client), `flags.csv` (every column of every flag), and `gx/` (the Great
Expectations Data Docs). The index also names the silent feeds. No JavaScript, no
request to anything outside the folder; every piece of text from data is escaped by
Jinja's autoescape, and every id, attribute value and CSS selector made from data is a
slug.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from orchestration import engine
from orchestration.audit_site.gx_docs import DocsPage, copy_data_docs
from orchestration.config import Settings
from orchestration.publish import closed_months
from orchestration.publish.publisher import Publication, publications
from orchestration.quality import results
from orchestration.static_html import CONTENT_SECURITY_POLICY, jinja_environment
from orchestration.static_html.text import as_text, csv_cell

TEMPLATES_DIR = Path(__file__).parent / "templates"
STAGES = ("reference", "ingest", "dbt", "gate")
# Runs shown as columns of the per-check history; the run list itself has every run.
HISTORY_RUNS = 20
# Rows shown on a page; the published warehouse (and flags.csv) hold them all.
MAX_ROWS = 5000
FLAGS_TABLE = "fct_timeslip_flags"
HOLDS_TABLE = "publication_holds"
QUARANTINE_TABLE = "quarantine_rows"
QUARANTINE_COLUMNS = ("file_name", "line_number", "reason", "raw_line", "extract", "run_id")
HELD_TABLE = "held_tickets"
# The reference seed of the timeslip rules: each rule's meaning (`description`).
RULES_TABLE = "timeslip_rules"
# The SLA clocks, and the feeds of each client and extract (`is_silent`).
SLA_TABLE = "fct_ticket_sla"
FEEDS_TABLE = "fct_feed_silences"
# Clocks at risk shown per client, least time left first; the page counts the rest.
CLOCKS_PER_CLIENT = 50
# Flag columns the page leaves to flags.csv and the published warehouse (the evidence
# states the measure and its threshold in words); the page shows those it lays out (see
# `FlagRow`) and lists any other with the evidence.
FLAG_CSV_ONLY = ("flag_id", "timeslip_id", "measure", "measured_value", "threshold_value")
FLAG_LAID_OUT = (
    "rule_id", "severity", "evidence", "rule_description", "waiver_decision", "reviewed_by",
    "reviewed_at", "waiver_reason", "engineer_id", "client_id", "month", "subject_type",
    "subject_id", "ticket_id", "work_date", "period_start", "period_end",
)  # fmt: skip
# The filters of the flags page: the flag column each one chooses by, and its label.
FLAG_FILTERS = (
    ("rule", "rule_id", "Rule"),
    ("engineer", "engineer_id", "Engineer"),
    ("client", "client_id", "Client"),
)
# Column headers in words, for the tables shown as they are.
HEADERS = {
    "hold_id": "Hold",
    "client_id": "Client",
    "month": "Month",
    "rule_id": "Rule",
    "flag_count": "Flags",
    "confirmed_count": "Confirmed",
    "reason": "Reason",
    "file_name": "File",
    "line_number": "Line",
    "raw_line": "Raw line as delivered",
    "extract": "Extract",
    "run_id": "Run",
    "quarantine_row_id": "Row",
    "file_sha256": "File SHA-256",
    "ticket_id": "Ticket",
    "source_system": "Source",
    "source_file": "File",
    "source_line": "Line",
    "updated_at": "Updated at (UTC)",
}
# Identifiers, shown whole on one line.
ID_COLUMNS = (
    "hold_id",
    "client_id",
    "month",
    "rule_id",
    "file_name",
    "run_id",
    "quarantine_row_id",
    "file_sha256",
    "ticket_id",
    "source_file",
)
# What a slug of a filter value keeps: it is used as an element id, in an attribute and
# in CSS, so nothing in it needs escaping anywhere.
_SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@dataclass(frozen=True)
class Check:
    """One check result as the site shows it."""

    run_id: str
    stage: str
    check_name: str
    target: str
    severity: str
    passed: bool
    failing_count: int
    sample_keys: tuple[str, ...]
    detail: str
    checked_at: str

    @property
    def outcome(self) -> str:
        """`passed`, `failed`, `not run`, or the check's own word for failing where it
        has one (`stale`, a failed freshness check: `results.FAILED_WORDS`)."""
        if self.passed:
            return "passed"
        if self.detail == results.NOT_RUN:
            return "not run"
        return results.FAILED_WORDS.get(self.check_name, "failed")

    @property
    def badge(self) -> str:
        """The class of the outcome's badge."""
        if self.passed:
            return "passed"
        return "warn" if self.check_name in results.FAILED_WORDS else "failed"

    @property
    def failing(self) -> str:
        """The count of failing rows; nothing for a failed check that counts no rows."""
        return "" if not self.passed and self.failing_count == 0 else str(self.failing_count)

    @property
    def mark(self) -> str:
        """The outcome in a cell of the history: ✓, ✗ and the failing rows, or a word."""
        if self.passed:
            return "✓"
        if self.outcome != "failed":
            return self.outcome
        return f"✗ {self.failing_count}" if self.failing_count else "✗"

    @property
    def group(self) -> str:
        if self.passed:
            return "passed"
        return "blocking" if self.severity == "error" else "warning"


@dataclass(frozen=True)
class Run:
    """One run in the history: its checks summed up."""

    run_id: str
    checked_at: str
    checks: int
    failed_errors: int
    failed_warnings: int
    published: bool

    @property
    def started(self) -> datetime:
        """When the run recorded its first check, in UTC."""
        at = datetime.fromisoformat(self.checked_at)
        return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)

    @property
    def time(self) -> str:
        """The run's time as the run list shows it: `2026-01-31 02:00:00` (UTC)."""
        return self.started.strftime("%Y-%m-%d %H:%M:%S")

    @property
    def short_time(self) -> str:
        """The run's time as a column header: `01-31 02:00` (UTC)."""
        return self.started.strftime("%m-%d %H:%M")

    @property
    def short_id(self) -> str:
        """The first 8 characters of the run id."""
        return self.run_id[:8]


@dataclass
class WarehouseTable:
    """Rows of a warehouse table as text, or why there are none."""

    name: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    total: int = 0
    missing: str = ""  # why the table could not be read


def _checks(settings: Settings) -> list[Check]:
    found = []
    for row in results.history(settings).to_pylist():
        found.append(
            Check(
                run_id=row["run_id"],
                stage=row["stage"],
                check_name=row["check_name"],
                target=row["target"],
                severity=row["severity"],
                passed=bool(row["passed"]),
                failing_count=int(row["failing_count"] or 0),
                sample_keys=tuple(as_text(key) for key in json.loads(row["sample_keys"] or "[]")),
                detail=row["detail"] or "",
                checked_at=row["checked_at"].isoformat(),
            )
        )
    return found


def _stage_order(stage: str) -> int:
    return STAGES.index(stage) if stage in STAGES else len(STAGES)


def _runs(checks: list[Check], published: set[str]) -> list[Run]:
    """Every run that recorded a check, newest first."""
    by_run: dict[str, list[Check]] = {}
    for check in checks:
        by_run.setdefault(check.run_id, []).append(check)
    runs = [
        Run(
            run_id=run_id,
            checked_at=min(c.checked_at for c in items),
            checks=len(items),
            failed_errors=sum(1 for c in items if c.group == "blocking"),
            failed_warnings=sum(1 for c in items if c.group == "warning"),
            published=run_id in published,
        )
        for run_id, items in by_run.items()
    ]
    return sorted(runs, key=lambda r: (r.checked_at, r.run_id), reverse=True)


def _latest_checks(checks: list[Check], run_id: str) -> dict[str, list[Check]]:
    """The run's checks by group (blocking, warning, passed), each in pipeline order."""
    groups: dict[str, list[Check]] = {"blocking": [], "warning": [], "passed": []}
    for check in checks:
        if check.run_id == run_id:
            groups[check.group].append(check)
    for items in groups.values():
        items.sort(key=lambda c: (_stage_order(c.stage), c.target, c.check_name))
    return groups


def _check_history(checks: list[Check], runs: list[Run]) -> list[dict[str, Any]]:
    """Each check's outcome in the latest runs (oldest column first), failing checks first."""
    shown = [r.run_id for r in reversed(runs[:HISTORY_RUNS])]
    cells: dict[tuple[str, str, str], dict[str, Check]] = {}
    for check in checks:
        if check.run_id in shown:
            key = (check.stage, check.target, check.check_name)
            cells.setdefault(key, {})[check.run_id] = check
    rows = [
        {
            "stage": stage,
            "target": target,
            "check_name": name,
            "cells": [by_run.get(run_id) for run_id in shown],
            "failures": sum(1 for c in by_run.values() if not c.passed),
        }
        for (stage, target, name), by_run in cells.items()
    ]
    rows.sort(
        key=lambda r: (r["failures"] == 0, _stage_order(r["stage"]), r["target"], r["check_name"])
    )
    return rows


def _read_tables(
    warehouse: Path | None, wanted: dict[str, tuple[tuple[str, ...], int | None]]
) -> dict[str, WarehouseTable]:
    """Tables of the built warehouse, read-only; a missing one says why.

    `wanted` maps a table to the columns to order it by (those it has) and the most
    rows to read (None: all). Without a warehouse, the run built nothing.
    """
    found = {name: WarehouseTable(name) for name in wanted}
    unbuilt = _unbuilt(warehouse)
    if warehouse is None or unbuilt:
        for table in found.values():
            table.missing = unbuilt
        return found
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        relations = _relations(con)
        for name, (order, limit) in wanted.items():
            table = found[name]
            if name not in relations:
                table.missing = f"there is no table {name} in this build"
                continue
            relation = relations[name]
            table.total = con.execute(f"select count(*) from {relation}").fetchone()[0]
            cursor = con.execute(f"select * from {relation} limit 0")
            table.columns = [column[0] for column in cursor.description]
            ordering = ", ".join(f'"{c}"' for c in order if c in table.columns)
            sql = f"select * from {relation}"
            sql += f" order by {ordering}" if ordering else ""
            sql += f" limit {limit}" if limit is not None else ""
            table.rows = [list(record) for record in con.execute(sql).fetchall()]
    finally:
        con.close()
    return found


def _unbuilt(warehouse: Path | None) -> str:
    """Why there is no warehouse to read, or "" when there is one."""
    if warehouse is None:
        return "not built: the run was refused for its reference data"
    if not warehouse.exists():
        return f"no warehouse was built ({warehouse.name} does not exist)"
    return ""


def _relations(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each table of the build as its quoted `schema.table`, the default schema first."""
    found: dict[str, str] = {}
    for schema, name in con.execute(
        "select table_schema, table_name from information_schema.tables"
        " where table_catalog = current_database()"
        " order by table_schema <> 'main', table_schema"
    ).fetchall():
        found.setdefault(name, f'"{schema}"."{name}"')
    return found


def _flags_first(table: WarehouseTable) -> None:
    """Unreviewed error flags first, keeping the rule and subject order within each."""
    columns = table.columns

    def rank(row: list[Any]) -> tuple[bool, bool]:
        severity = row[columns.index("severity")] if "severity" in columns else None
        decision = row[columns.index("waiver_decision")] if "waiver_decision" in columns else None
        return (severity != "error", decision is not None)

    table.rows.sort(key=rank)


@dataclass(frozen=True)
class Choice:
    """One value of a filter of the flags page, and the flags shown that have it."""

    value: str
    slug: str  # the value as an id: `[a-z0-9-]`, nothing to escape anywhere
    flags: int

    @property
    def label(self) -> str:
        """The value as the filter shows it; `(none)` for the flags without one."""
        return self.value or "(none)"


@dataclass(frozen=True)
class FlagFilter:
    """A group of radio buttons that shows only the flags of one rule, engineer or client.

    `name` is the group's name, the prefix of its inputs' ids and the `data-` attribute of
    the rows it filters; the page's CSS hides the other rows while a choice is checked.
    """

    name: str
    label: str
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class FlagRow:
    """One flag as the page lays it out: its evidence first, then what an auditor needs."""

    evidence: str
    meaning: str
    rule: str
    severity: str
    decision: str  # the waiver decision; empty while no auditor has reviewed the flag
    reviewed_by: str
    reviewed_at: str
    waiver_reason: str
    engineer: str
    client: str
    month: str
    subject_type: str
    subject: str
    ticket: str
    dates: tuple[str, ...]  # the work date, or the first and last day of the period
    others: tuple[tuple[str, str], ...]  # the columns the page does not lay out
    keys: dict[str, str]  # the row's choice (slug) in each filter


@dataclass(frozen=True)
class RuleSummary:
    """A rule's flags, counted by waiver decision, with the rule's meaning."""

    rule: str
    severity: str
    meaning: str
    flags: int
    decisions: tuple[tuple[str, int], ...]  # "not reviewed" first
    enabled: bool = True


def _slugs(values: Iterable[str]) -> dict[str, str]:
    """A distinct slug of each value: lower-case letters, digits and single dashes."""
    found: dict[str, str] = {}
    used: set[str] = set()
    for value in sorted(set(values)):
        base = _SLUG_UNSAFE.sub("-", value.lower()).strip("-")[:40].strip("-") or "none"
        slug, n = base, 1
        while slug in used:
            n += 1
            slug = f"{base}-{n}"
        assert _SLUG.fullmatch(slug), slug
        found[value] = slug
        used.add(slug)
    return found


def _records(table: WarehouseTable, rows: list[list[Any]]) -> list[dict[str, Any]]:
    """Rows of the table as dicts by column."""
    return [dict(zip(table.columns, row, strict=True)) for row in rows]


def _enabled(value: Any) -> bool:
    """Whether a rule of the seed is enabled: `true` (or no `enabled` column)."""
    return value is None or as_text(value).strip().lower() in ("true", "t", "1", "yes")


def _meanings(rules: WarehouseTable, flags: WarehouseTable) -> dict[str, str]:
    """Each rule's meaning: its `description` in the rules seed, else the one its flags carry."""
    found = {
        as_text(record.get("rule_id")): as_text(record.get("description"))
        for record in _records(rules, rules.rows)
    }
    for record in _records(flags, flags.rows):
        rule = as_text(record.get("rule_id"))
        if not found.get(rule) and record.get("rule_description"):
            found[rule] = as_text(record["rule_description"])
    return found


def _rule_summary(
    flags: WarehouseTable, rules: WarehouseTable, meanings: dict[str, str]
) -> tuple[list[RuleSummary], list[RuleSummary]]:
    """The rules that flagged (error rules first), and the seed's rules that flagged nothing."""
    severities: dict[str, Counter[str]] = {}
    decisions: dict[str, Counter[str]] = {}
    for record in _records(flags, flags.rows if "rule_id" in flags.columns else []):
        rule = as_text(record.get("rule_id"))
        severities.setdefault(rule, Counter())[as_text(record.get("severity"))] += 1
        decision = as_text(record.get("waiver_decision")) or "not reviewed"
        decisions.setdefault(rule, Counter())[decision] += 1
    flagged = [
        RuleSummary(
            rule=rule,
            severity=severities[rule].most_common(1)[0][0],
            meaning=meanings.get(rule, ""),
            flags=counts.total(),
            decisions=tuple(
                sorted(counts.items(), key=lambda item: (item[0] != "not reviewed", item[0]))
            ),
        )
        for rule, counts in decisions.items()
    ]
    flagged.sort(key=lambda r: (r.severity != "error", r.rule))
    quiet = [
        RuleSummary(
            rule=as_text(record.get("rule_id")),
            severity=as_text(record.get("severity")),
            meaning=as_text(record.get("description")),
            flags=0,
            decisions=(),
            enabled=_enabled(record.get("enabled")),
        )
        for record in _records(rules, rules.rows)
        if as_text(record.get("rule_id")) not in decisions
    ]
    quiet.sort(key=lambda r: (not r.enabled, r.severity != "error", r.rule))
    return flagged, quiet


def _month(value: Any) -> str:
    """A month as `2026-01` when it is the first day of it, else as it is."""
    text = as_text(value)
    return text[:7] if re.fullmatch(r"\d{4}-\d{2}-01", text) else text


def _moment(value: Any) -> str:
    """A timestamp to the minute, in UTC: `2026-02-01 09:00 UTC`."""
    if isinstance(value, datetime):
        at = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return at.strftime("%Y-%m-%d %H:%M UTC")
    return as_text(value)


def _flag_row(
    record: dict[str, Any], meanings: dict[str, str], others: list[str], keys: dict[str, str]
) -> FlagRow:
    def text(name: str) -> str:
        return as_text(record.get(name))

    if record.get("work_date") is not None:
        dates: tuple[str, ...] = (text("work_date"),)
    else:
        dates = tuple(dict.fromkeys(d for d in (text("period_start"), text("period_end")) if d))
    return FlagRow(
        evidence=text("evidence"),
        meaning=meanings.get(text("rule_id"), ""),
        rule=text("rule_id"),
        severity=text("severity"),
        decision=text("waiver_decision"),
        reviewed_by=text("reviewed_by"),
        reviewed_at=_moment(record.get("reviewed_at")),
        waiver_reason=text("waiver_reason"),
        engineer=text("engineer_id"),
        client=text("client_id"),
        month=_month(record.get("month")),
        subject_type=text("subject_type").replace("_", " "),
        subject=text("subject_id"),
        ticket=text("ticket_id"),
        dates=dates,
        others=tuple((name, text(name)) for name in others),
        keys=keys,
    )


def _flags_page(flags: WarehouseTable, rules: WarehouseTable) -> dict[str, Any]:
    """What the flags page shows: the summary by rule, the filters and the first flags."""
    meanings = _meanings(rules, flags)
    flagged, quiet = _rule_summary(flags, rules, meanings)
    shown = _records(flags, flags.rows[:MAX_ROWS])
    filters: list[FlagFilter] = []
    slugs: dict[str, tuple[str, dict[str, str]]] = {}
    for name, column, label in FLAG_FILTERS:
        if column not in flags.columns:
            continue
        counts = Counter(as_text(record[column]) for record in shown)
        slugs[name] = (column, _slugs(counts))
        choices = tuple(Choice(v, slugs[name][1][v], counts[v]) for v in sorted(counts))
        filters.append(FlagFilter(name, label, choices))
    others = [c for c in flags.columns if c not in FLAG_LAID_OUT and c not in FLAG_CSV_ONLY]
    rows = [
        _flag_row(
            record,
            meanings,
            others,
            {name: by_value[as_text(record[column])] for name, (column, by_value) in slugs.items()},
        )
        for record in shown
    ]
    return {
        "flag_rows": rows,
        "flag_filters": filters,
        "rule_summary": flagged,
        "quiet_rules": quiet,
        "rules_missing": rules.missing if any(not r.meaning for r in flagged) else "",
    }


def _header(column: str) -> str:
    """A column's header in words: `Client` for `client_id`."""
    return HEADERS.get(column) or column.replace("_", " ").capitalize()


def _as_page_rows(table: WarehouseTable) -> list[list[str]]:
    return [[as_text(value) for value in row] for row in table.rows[:MAX_ROWS]]


def flags_csv(table: WarehouseTable) -> str:
    """Every flag as CSV, each text cell safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()


def _quarantine(table: WarehouseTable) -> WarehouseTable:
    """The quarantine with the columns an auditor reads first."""
    if table.missing:
        return table
    order = [c for c in QUARANTINE_COLUMNS if c in table.columns]
    order += [c for c in table.columns if c not in order]
    positions = [table.columns.index(c) for c in order]
    table.rows = [[row[i] for i in positions] for row in table.rows]
    table.columns = order
    return table


RESTATEMENT_COLUMNS = (
    "client_id",
    "month",
    "figure",
    "reported_value",
    "new_value",
    "change_pct",
    "large",
    "approved",
    "reported_by",
    "restated_by",
    "cause",
)


def _restatement_row(r: closed_months.Restatement) -> list[str]:
    return [
        r.client_id,
        r.month[:7],
        r.figure,
        r.reported_value or "",
        r.new_value or "",
        "" if r.change_pct is None else f"{r.change_pct:.2f}",
        "large" if r.is_large else "",
        "approved" if r.is_approved else "",
        r.reported_run_id[:8],
        r.run_id[:8],
        r.cause,
    ]


def _restatements_page(
    settings: Settings,
    publishing: Publication | None,
    run_id: str,
    *,
    pending: bool,
    refused: bool,
) -> dict[str, Any]:
    """The closed months reported and their restatements; for a blocked run, also those
    its build would make (what an auditor is asked to approve)."""
    from orchestration.reference import snapshot

    found = closed_months.history(
        settings,
        also=publishing.run_id if publishing else None,
        also_at=publishing.published_at if publishing else "",
    )
    # A run refused for its reference data has no snapshot to read the settings from.
    reference = None if refused else snapshot.for_run(settings, run_id).folder
    rules = closed_months.rules(reference)
    waiting: list[closed_months.Restatement] = []
    if pending:
        try:
            with engine.current(settings).reader() as build:
                current = closed_months.closed_figures(build)
            waiting = closed_months.compare(current, found, rules).restatements
        except Exception:  # the build may be broken: the check says why
            waiting = []
    restated = found.restatements()
    return {
        "columns": RESTATEMENT_COLUMNS,
        "restatements": [_restatement_row(r) for r in reversed(restated)],
        "pending": [_restatement_row(r) for r in waiting],
        "large": sum(1 for r in restated if r.is_large),
        "reported_months": len(found.reported),
        "threshold": f"{rules.threshold_pct:g}",
        "severity": rules.severity,
        "close_days": rules.close_business_days,
    }


@dataclass(frozen=True)
class RiskClock:
    """A running SLA clock at risk or breached, as the clocks page shows it."""

    ticket: str
    metric: str
    priority: str
    band: str  # `breached` or `at_risk`
    target: str  # minutes
    used: str  # percent of the target, one decimal
    left: str  # minutes; negative once over target
    due: str  # in the client's time zone


@dataclass(frozen=True)
class ClientClocks:
    """One client's running clocks at risk or breached: counted all, the first shown."""

    client: str
    timezone: str
    anchor: str  # a slug of the client id
    breached: int
    at_risk: int
    clocks: tuple[RiskClock, ...]

    @property
    def total(self) -> int:
        return self.breached + self.at_risk

    @property
    def hidden(self) -> int:
        """The client's clocks at risk or breached that the page does not list."""
        return self.total - len(self.clocks)


@dataclass
class ClocksAtRisk:
    """The running clocks at risk or breached, by client, or why there are none."""

    clients: list[ClientClocks] = field(default_factory=list)
    missing: str = ""  # why the clocks could not be read

    @property
    def breached(self) -> int:
        return sum(c.breached for c in self.clients)

    @property
    def at_risk(self) -> int:
        return sum(c.at_risk for c in self.clients)


def _local_moment(value: Any, zone: str) -> str:
    """An instant to the minute in an IANA time zone: `2026-01-30 14:00 GMT`; in UTC
    when the zone is unknown."""
    if not isinstance(value, datetime):
        return as_text(value)
    at = value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        return at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")
    except (ZoneInfoNotFoundError, ValueError):
        return _moment(at)


_RISK_COUNTS = """
    select
        client_id,
        max(timezone) as timezone,
        count(*) filter (where risk_band = 'breached') as breached,
        count(*) filter (where risk_band = 'at_risk') as at_risk
    from {relation}
    where risk_band in ('at_risk', 'breached')
    group by client_id
    order by client_id
"""
_RISK_CLOCKS = """
    select client_id, ticket_id, metric, priority, risk_band, target_minutes,
        target_used_pct, minutes_left, due_at, timezone
    from (
        select
            *,
            row_number() over (
                partition by client_id order by minutes_left, ticket_id, metric
            ) as n
        from {relation}
        where risk_band in ('at_risk', 'breached')
    ) as ranked
    where n <= {limit}
    order by client_id, n
"""


def _clocks_at_risk(warehouse: Path | None) -> ClocksAtRisk:
    """The running clocks at risk or breached of the built warehouse, read-only: every
    client's counts and its first `CLOCKS_PER_CLIENT`, least time left first."""
    found = ClocksAtRisk(missing=_unbuilt(warehouse))
    if warehouse is None or found.missing:
        return found
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        relation = _relations(con).get(SLA_TABLE)
        columns = _columns(con, relation) if relation else set()
        if relation is None or "risk_band" not in columns:
            found.missing = f"there is no table {SLA_TABLE} with risk bands in this build"
            return found
        counts = con.execute(_RISK_COUNTS.format(relation=relation)).fetchall()
        rows = con.execute(
            _RISK_CLOCKS.format(relation=relation, limit=int(CLOCKS_PER_CLIENT))
        ).fetchall()
    finally:
        con.close()
    by_client: dict[str, list[RiskClock]] = {}
    for client, ticket, metric, priority, band, target, used, left, due, zone in rows:
        by_client.setdefault(as_text(client), []).append(
            RiskClock(
                ticket=as_text(ticket),
                metric=as_text(metric).replace("_", " "),
                priority=as_text(priority),
                band=as_text(band),
                target=as_text(target),
                used="" if used is None else f"{used:.1f}",
                left=as_text(left),
                due=_local_moment(due, as_text(zone)),
            )
        )
    anchors = _slugs(as_text(client) for client, *_ in counts)
    found.clients = [
        ClientClocks(
            client=as_text(client),
            timezone=as_text(zone),
            anchor=anchors[as_text(client)],
            breached=int(breached),
            at_risk=int(at_risk),
            clocks=tuple(by_client.get(as_text(client), [])),
        )
        for client, zone, breached, at_risk in counts
    ]
    return found


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> set[str]:
    cursor = con.execute(f"select * from {relation} limit 0")
    return {column[0] for column in cursor.description}


@dataclass(frozen=True)
class SilentFeed:
    """A client's extract without rows for longer than its baseline allows."""

    client: str
    extract: str
    last_row_date: str
    silent_business_days: str
    baseline_daily_rows: str
    as_of_date: str


def _silent_feeds(feeds: WarehouseTable) -> list[SilentFeed]:
    """The silent feeds of `fct_feed_silences`, by client and extract."""
    found = []
    for record in _records(feeds, feeds.rows):
        if record.get("is_silent") is not True:
            continue
        baseline = record.get("baseline_daily_rows")
        found.append(
            SilentFeed(
                client=as_text(record.get("client_id")),
                extract=as_text(record.get("extract")),
                last_row_date=as_text(record.get("last_row_date")),
                silent_business_days=as_text(record.get("silent_business_days")),
                baseline_daily_rows=(
                    f"{baseline:.2f}" if isinstance(baseline, int | float) else as_text(baseline)
                ),
                as_of_date=as_text(record.get("as_of_date")),
            )
        )
    return found


def build_site(
    out_dir: Path,
    *,
    settings: Settings,
    warehouse: Path,
    run_id: str,
    gx_docs: Path | None,
    blocked: bool = False,
    refused: bool = False,
    publishing: Publication | None = None,
) -> None:
    """Write the auditors' site of run `run_id` into `out_dir` (which must be empty or new).

    `warehouse` is the DuckDB file the run built, opened read-only and closed before
    returning; `gx_docs` the Great Expectations Data Docs folder, if any; `blocked` that
    the quality gate stopped the run's publication; `refused` that the run stopped at its
    reference data, before anything was built (the build's tables are then not shown).
    `publishing` is the publication of the release the site is written into: it is not
    recorded yet, but the site states it, as of that publication.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    checks = _checks(settings)
    history: list[Publication] = publications(settings)
    if publishing is not None:
        history = [p for p in history if p.run_id != publishing.run_id] + [publishing]
    runs = _runs(checks, {p.run_id for p in history})
    latest = _latest_checks(checks, run_id)
    tables = _read_tables(
        None if refused else warehouse,
        {
            # Every flag: the CSV holds them all.
            FLAGS_TABLE: (("rule_id", "subject_type", "subject_id", "flag_id"), None),
            HOLDS_TABLE: (("month", "client_id", "rule_id"), None),
            QUARANTINE_TABLE: (("file_name", "line_number"), MAX_ROWS),
            HELD_TABLE: (("client_id", "ticket_id"), MAX_ROWS),
            RULES_TABLE: (("rule_id",), None),
            FEEDS_TABLE: (("client_id", "extract"), None),
        },
    )
    clocks = _clocks_at_risk(None if refused else warehouse)
    feeds = tables[FEEDS_TABLE]
    flags = tables[FLAGS_TABLE]
    _flags_first(flags)
    holds = tables[HOLDS_TABLE]
    quarantine = _quarantine(tables[QUARANTINE_TABLE])
    held = tables[HELD_TABLE]

    docs_pages: list[DocsPage] = []
    docs_about: dict[str, str] = {}
    if gx_docs is not None and (gx_docs / "index.html").exists():
        docs_pages, docs_about = copy_data_docs(gx_docs, out_dir / "gx")

    run_publication = next((p for p in history if p.run_id == run_id), None)
    common = {
        "csp": CONTENT_SECURITY_POLICY,
        "run_id": run_id,
        "blocked": blocked or refused,
        "refused": refused,
        "run_publication": run_publication,
        "last_publication": history[-1] if history else None,
        "has_docs": bool(docs_pages),
    }
    env = jinja_environment(TEMPLATES_DIR)
    pages: dict[str, tuple[str, dict[str, Any]]] = {
        "index.html": (
            "index.html.j2",
            {
                "groups": latest,
                "total": sum(len(items) for items in latest.values()),
                "run": next((r for r in runs if r.run_id == run_id), None),
                "flags": flags,
                "holds": holds,
                "quarantine": quarantine,
                "held": held,
                "docs_about": docs_about,
                "clocks": clocks,
                "feeds": feeds,
                "silent_feeds": _silent_feeds(feeds),
            },
        ),
        "history.html": (
            "history.html.j2",
            {
                "runs": runs,
                "shown_runs": list(reversed(runs[:HISTORY_RUNS])),
                "check_rows": _check_history(checks, runs),
                "history_runs": HISTORY_RUNS,
            },
        ),
        "flags.html": (
            "flags.html.j2",
            {
                "flags": flags,
                **_flags_page(flags, tables[RULES_TABLE]),
                "csv_only": [c for c in FLAG_CSV_ONLY if c in flags.columns],
                "holds": holds,
                "hold_rows": _as_page_rows(holds),
                "hold_headers": [_header(c) for c in holds.columns],
                "max_rows": MAX_ROWS,
            },
        ),
        "quarantine.html": (
            "quarantine.html.j2",
            {
                "quarantine": quarantine,
                "quarantine_rows": _as_page_rows(quarantine),
                "quarantine_headers": [_header(c) for c in quarantine.columns],
                "held": held,
                "held_rows": _as_page_rows(held),
                "held_headers": [_header(c) for c in held.columns],
                "id_columns": ID_COLUMNS,
                "max_rows": MAX_ROWS,
            },
        ),
    }
    pages["clocks.html"] = (
        "clocks.html.j2",
        {"clocks": clocks, "per_client": CLOCKS_PER_CLIENT},
    )
    pages["restatements.html"] = (
        "restatements.html.j2",
        _restatements_page(
            settings, publishing, run_id, pending=blocked and not refused, refused=refused
        ),
    )
    if docs_pages:
        pages["gx/index.html"] = (
            "gx_index.html.j2",
            {"docs_pages": docs_pages, "docs_about": docs_about, "root": "../"},
        )
    for name, (template, context) in pages.items():
        html = env.get_template(template).render(
            **common, root=context.pop("root", ""), page=name, **context
        )
        (out_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (out_dir / name).write_text(html, encoding="utf-8")
    if not flags.missing:
        (out_dir / "flags.csv").write_text(flags_csv(flags), encoding="utf-8-sig")
