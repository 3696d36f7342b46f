"""Free text in the BI file: survey comments, timeslip notes and ticket subjects.

They are written by people about people (a customer's complaint, what an engineer did at
someone's desk) and so are personal data, read by everyone who opens the BI file. No
published figure needs them, so unless `XLA_PUBLISH_FREE_TEXT=true` the columns stay
in the file (BI reports and the contract keep their shape) but hold NULL, and a timeslip
flag's evidence no longer quotes the notes. The monthly reviews and the auditors' site
read the build, not the BI file, and keep the text. See
docs/published-tables.md#free-text-in-the-bi-file.
"""

from __future__ import annotations

import os

import duckdb

from orchestration.config import ConfigError

SETTING = "XLA_PUBLISH_FREE_TEXT"

# The columns that hold what people wrote, in whichever published table carries them (a
# ticket's subject, a survey comment, the outcome of a follow-up): set to NULL.
FREE_TEXT_COLUMNS = ("subject", "comment", "follow_up_outcome")
# A rejected row of these extracts holds a subject, note or comment in its raw text.
RAW_LINES = ("quarantine_rows", "raw_line", "extract in ('tickets', 'timeslips', 'surveys')")


def withheld_rows(table: str, column: str) -> str | None:
    """The rows of `table` whose `column` is withheld (a SQL predicate), or None."""
    if column in FREE_TEXT_COLUMNS:
        return "true"
    if (table, column) == RAW_LINES[:2]:
        return RAW_LINES[2]
    return None


# The vague_note rule quotes the notes it found wanting: `... notes "..." (12 characters)`.
_QUOTED_NOTES = r'notes ".*" \((\d+ characters)\)'


def publish_free_text() -> bool:
    """Whether the BI file carries free text, from `XLA_PUBLISH_FREE_TEXT` (default false)."""
    value = os.environ.get(SETTING, "false").strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no", ""):
        return False
    raise ConfigError(f"{SETTING} must be true or false, not {value!r}")


def withhold_free_text(con: duckdb.DuckDBPyConnection) -> None:
    """Set the free-text columns of the tables being published to NULL (in place)."""
    present = {
        (table, column)
        for table, column in con.execute(
            "select table_name, column_name from duckdb_columns() "
            "where database_name = current_database() and schema_name = 'main'"
        ).fetchall()
    }
    for table, column in sorted(present):
        rows = withheld_rows(table, column)
        if rows is not None:
            con.execute(f'update main."{table}" set "{column}" = null where {rows}')
    if ("fct_timeslip_flags", "evidence") in present:
        con.execute(
            "update main.fct_timeslip_flags "
            "set evidence = regexp_replace(evidence, ?, 'notes withheld (\\1)') "
            "where rule_id = 'vague_note'",
            [_QUOTED_NOTES],
        )


def withheld_select(table: str, columns: list[str]) -> str:
    """The select list that copies a `main` table with its free text withheld, for an
    engine whose published tables are written once (Spark): the same columns and rows
    as `withhold_free_text`, as expressions instead of updates."""
    notes = _QUOTED_NOTES.replace("\\", "\\\\").replace("'", "\\'")
    found = []
    for column in columns:
        quoted = "`" + column.replace("`", "``") + "`"
        rows = withheld_rows(table, column)
        if rows is not None:
            found.append(f"case when {rows} then null else {quoted} end as {quoted}")
        elif (table, column) == ("fct_timeslip_flags", "evidence"):
            found.append(
                f"case when rule_id = 'vague_note' then regexp_replace({quoted}, '{notes}', "
                f"'notes withheld ($1)') else {quoted} end as {quoted}"
            )
        else:
            found.append(quoted)
    return ", ".join(found)
