"""The BI file: one DuckDB file of the published marts and seeds, plus the audit tables.

Written the same way whichever engine built the warehouse: from the DuckDB build file
attached read-only, or from Arrow tables the engine hands over (Spark). The readers of
the release (BI tools, the monthly reports' and auditors' checks) see one format.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.config import sql_literal
from orchestration.publish.free_text import publish_free_text, withhold_free_text

# The audit tables are written here rather than by dbt; their documentation travels
# with them into the published file, where BI tools show it.
AUDIT_DOCS: dict[str, tuple[str, dict[str, str]]] = {
    "audit_check_results": (
        "Every check of every run, append-only: ingest checks, Great Expectations suites, "
        "dbt tests and the gate's reconciliations.",
        {
            "run_id": "The run that evaluated the check.",
            "stage": "Where it ran: reference, ingest, dbt or gate.",
            "check_name": "The check: a dbt test name, row_conservation, ...",
            "target": "The asset or table the check guards.",
            "severity": "error blocks publication; warn is published for review.",
            "passed": "Whether the check passed.",
            "failing_count": "Failing rows (or files, or models) found by the check.",
            "sample_keys": "JSON list of up to five keys of failing rows (file:line for ingest).",
            "detail": "What was counted, or why the check failed.",
            "checked_at": "When the result was recorded (UTC).",
        },
    ),
    "audit_publications": (
        "Every publication of the warehouse: what went in and what the checks said.",
        {
            "run_id": "The run that published.",
            "published_at": "When the file was replaced (UTC).",
            "as_of": "The instant 'now' of the build (UTC): --as-of or the latest updated_at.",
            "input_files": "Number of landing files ingested so far.",
            "inputs": "JSON list of the ingested files: name, SHA-256, rows.",
            "seeds": "JSON object: each reference file's SHA-256.",
            "code_version": "Package version and a digest of the code and dbt project.",
            "fingerprint": "Digest of inputs, seeds, code and as_of; equal inputs, equal marts.",
            "checks_total": "Checks evaluated in the publishing run.",
            "checks_warned": "warn checks that did not pass in the publishing run.",
        },
    ),
    "reported_client_months": (
        "The figures of each closed client-month as first reported, append-only and kept "
        "across full refreshes and backfills: every column of fct_client_months and the "
        "SLA attainment of each policy, one row per figure, with the publication that "
        "reported them. A later change to a figure is a row of restatements.",
        {
            "client_id": "The client.",
            "month": "First day of the client-local month.",
            "figure": (
                "A column of fct_client_months, or sla_policy_attainment_pct[<priority> "
                "<metric>] for fct_client_month_sla_policies.attainment_pct."
            ),
            "value": "The figure as reported, exactly (numbers in full); null when empty.",
            "value_number": "The figure as a number, when it is one.",
            "run_id": "The publication that reported it.",
            "reported_at": "When that publication was made (UTC).",
        },
    ),
    "restatements": (
        "Every change to a figure of a closed, reported client-month: the value it stood "
        "at, the new value, the publication of each and what changed in between. "
        "Append-only; the restated month's review stays as it was sent.",
        {
            "client_id": "The client.",
            "month": "First day of the client-local month.",
            "figure": "The figure, as reported_client_months names it.",
            "reported_value": "The value the month stood at: as reported, or as last restated.",
            "reported_run_id": "The publication that stated reported_value.",
            "reported_at": "When that publication was made (UTC).",
            "new_value": "The value now published.",
            "run_id": "The publication that restated it.",
            "restated_at": "When that publication was made (UTC).",
            "change_pct": (
                "The change in percent of reported_value; null when either is not a number "
                "or reported_value is 0."
            ),
            "is_large": (
                "Whether the change is beyond restatement_threshold_pct (msp_settings.csv), "
                "or a value that is not a number changed."
            ),
            "is_approved": "Whether an auditor approved the figure in restatement_approvals.csv.",
            "cause": (
                "What changed between the two publications, as far as the warehouse can "
                "tell: landing files that arrived, reference files changed, the code."
            ),
            "statement": "The restatement in words, as the client's next review says it.",
        },
    ),
    "audit_ingested_files": (
        "Every landing file ingested: where its rows went. rows_in = rows_loaded + "
        "rows_quarantined for every file.",
        {
            "file_name": "The landing file's name.",
            "extract": "tickets, ticket_events, timeslips, surveys or servicenow_incidents.",
            "extract_date": "The date in the file name.",
            "sha256": (
                "The delivery's identity: SHA-256 of its bytes (for a ServiceNow export, "
                "of its client and bytes); the same delivery again is a no-op."
            ),
            "rows_in": "Data rows read from the file.",
            "rows_loaded": "Rows written to the lake.",
            "rows_quarantined": "Rows written to quarantine_rows with a reason.",
            "archive_file": "Where the original file is kept, under the data folder.",
            "run_id": "The run that ingested it.",
            "ingested_at": "When it was ingested (UTC).",
        },
    ),
}


def _describe(con: duckdb.DuckDBPyConnection, table: str) -> None:
    description, columns = AUDIT_DOCS[table]
    con.execute(f"comment on table {table} is {sql_literal(description)}")
    for column, text in columns.items():
        con.execute(f"comment on column {table}.{column} is {sql_literal(text)}")


@dataclass(frozen=True)
class PublishedRelation:
    """A table of the build that BI tools read, with its dbt documentation."""

    schema: str
    name: str
    description: str = ""
    columns: tuple[tuple[str, str], ...] = ()


# The BI file is written in a storage format that DuckDB 1.0 and later can read: BI tools
# reach it through drivers (JDBC, ODBC, SQLAlchemy) that often lag DuckDB releases, and
# a file in DuckDB 2.0's own format cannot be opened by any 1.x driver or CLI.
PUBLISHED_STORAGE_VERSION = "v1.0.0"


def identifier(*parts: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in parts)


def _comment(con: duckdb.DuckDBPyConnection, relation: PublishedRelation) -> None:
    """Carry the dbt descriptions into the published file (`CREATE TABLE AS` drops them),
    so a BI tool shows what each table and column means."""
    table = identifier(relation.schema, relation.name)
    if relation.description:
        con.execute(f"comment on table {table} is {sql_literal(relation.description)}")
    present = {
        str(name).lower(): str(name)
        for (name,) in con.execute(
            "select column_name from duckdb_columns() "
            "where database_name = current_database() and schema_name = ? and table_name = ?",
            [relation.schema, relation.name],
        ).fetchall()
    }
    for name, text in relation.columns:
        column = present.get(name.lower())
        if column is not None:
            con.execute(f"comment on column {table}.{identifier(column)} is {sql_literal(text)}")


def write(
    path: Path,
    relations: Sequence[PublishedRelation],
    audit_tables: Mapping[str, pa.Table],
    *,
    build_db: Path | None = None,
    arrow: Callable[[PublishedRelation], pa.Table] | None = None,
    keep_free_text: bool = False,
) -> None:
    """Write the BI file at `path`: each relation with its descriptions, then the audit
    tables. A relation is copied from `build_db` (a DuckDB build, attached read-only) or
    is the Arrow table `arrow` gives for it; Arrow timestamps with a time zone become
    TIMESTAMPTZ, so instants stay instants. Free text is withheld unless
    `XLA_PUBLISH_FREE_TEXT` or `keep_free_text` (a private copy) says otherwise."""
    if (build_db is None) == (arrow is None):
        raise ValueError("the BI file is written from a DuckDB build or from Arrow, not both")
    con = duckdb.connect(
        str(path), config={"storage_compatibility_version": PUBLISHED_STORAGE_VERSION}
    )
    try:
        if build_db is not None:
            con.execute(f"attach {sql_literal(build_db)} as build (read_only)")
        for relation in relations:
            table = identifier(relation.schema, relation.name)
            con.execute(f"create schema if not exists {identifier(relation.schema)}")
            if arrow is None:
                con.execute(f"create table {table} as select * from build.{table}")
            else:
                _create_from_arrow(con, table, arrow(relation))
            _comment(con, relation)
        if build_db is not None:
            con.execute("detach build")
        if not (keep_free_text or publish_free_text()):
            withhold_free_text(con)
        for name, audit in audit_tables.items():
            _create_from_arrow(con, name, audit)
            _describe(con, name)
        con.execute("checkpoint")
    finally:
        con.close()


def _create_from_arrow(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> None:
    con.register("incoming", data)
    try:
        con.execute(f"create table {table} as select * from incoming")
    finally:
        con.unregister("incoming")
