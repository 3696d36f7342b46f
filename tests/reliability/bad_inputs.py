"""A corpus of bad landing files, and what ingest makes of each.

Every case is one delivery into an empty landing folder (a few need a setup: a symbolic
link, a folder, a file that grows after a first run). `try_input` ingests it with the
product's own `ingest_landing` and reports rows in, loaded and quarantined, read back
from the Parquet files, and the console lines. A case is `ok` when nothing was lost
(rows in = lake + quarantine, every quarantined row with a line and a reason) and the
console says, in one line naming the file, what happened: every quarantined row's line
and reason, or why the file was left in landing/, or that it had no rows.

`expected` of each case is worked out by hand from its bytes.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from orchestration.config import Settings
from orchestration.ingest.landing import (
    QUARANTINE_DIR,
    SAMPLE_REASONS,
    SCHEMA_FILE,
    ingest_landing,
)
from orchestration.ingest.reader import shown_name

TICKETS = "ticket_id,client_id,priority,status,created_at,updated_at,subject"
TIMESLIPS = (
    "timeslip_id,engineer_id,work_date,started_at,ended_at,hours_worked,hours_billed,"
    "billable,entered_at,updated_at,notes"
)
SURVEYS = "response_id,survey_type,client_id,responded_at,score,comment,lost_time_minutes"
AT = "2026-01-05T09:00:00Z"


def ticket(ticket_id: str, subject: str = "printer jammed", **values: str) -> str:
    row = {
        "ticket_id": ticket_id,
        "client_id": "C001",
        "priority": "P2",
        "status": "New",
        "created_at": AT,
        "updated_at": AT,
        "subject": subject,
        **values,
    }
    return ",".join(row.values())


def timeslip(timeslip_id: str, **values: str) -> str:
    row = {
        "timeslip_id": timeslip_id,
        "engineer_id": "E001",
        "work_date": "2026-01-05",
        "started_at": "2026-01-05T09:00:00Z",
        "ended_at": "2026-01-05T10:00:00Z",
        "hours_worked": "1",
        "hours_billed": "1",
        "billable": "Billable",
        "entered_at": "2026-01-05T18:00:00Z",
        "updated_at": "2026-01-05T18:00:00Z",
        "notes": "fixed printer",
        **values,
    }
    return ",".join(row.values())


def survey(response_id: str, **values: str) -> str:
    row = {
        "response_id": response_id,
        "survey_type": "csat",
        "client_id": "C001",
        "responded_at": AT,
        "score": "9",
        "comment": "quick fix",
        "lost_time_minutes": "10",
        **values,
    }
    return ",".join(row.values())


def lines(*rows: str, end: str = "\n") -> bytes:
    return (end.join(rows) + end).encode()


@dataclass(frozen=True)
class Expected:
    """Rows in, loaded and quarantined; whether the file stays in landing/; a console text."""

    rows_in: int
    loaded: int
    quarantined: int
    message: str
    refused: bool = False


@dataclass(frozen=True)
class Case:
    """One bad delivery: a file name and its bytes, or a setup that lands something odd."""

    name: str
    file_name: str
    data: bytes
    expected: Expected
    # Lands the entry instead of writing `data` (a link, a folder, ...).
    setup: Callable[[Path, Path], None] | None = None
    # Bytes the file holds when a second run looks at it (a file still being written).
    later: bytes | None = None


@dataclass
class InputOutcome:
    """What ingest made of one case."""

    name: str
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    messages: list[str] = field(default_factory=list)
    ok: bool = False
    refused: bool = False


def _symlink_outside(landing: Path, root: Path) -> None:
    secret = root / "secret.csv"
    secret.write_text(f"{TICKETS}\n{ticket('T1', 'password=hunter2')}\n")
    (landing / "tickets_20260105.csv").symlink_to(secret)


def _folder(landing: Path, root: Path) -> None:
    (landing / "tickets_20260105.csv").mkdir()


MEGABYTE = "x" * 1_000_000

CASES: list[Case] = [
    Case(
        "latin-1 file",
        "tickets_20260105.csv",
        f"{TICKETS}\n{ticket('T1', 'café au lait')}\n{ticket('T2')}\n".encode("latin-1"),
        Expected(2, 1, 1, "tickets_20260105.csv line 2: row is not valid UTF-8"),
    ),
    Case(
        "UTF-16 with a BOM",
        "tickets_20260105.csv",
        f"{TICKETS}\n{ticket('T1', 'café')}\n{ticket('T2')}\n".encode("utf-16"),
        Expected(2, 2, 0, "tickets_20260105.csv: 2 rows, 2 loaded, 0 quarantined"),
    ),
    Case(
        "UTF-16 little-endian without a BOM",
        "tickets_20260105.csv",
        f"{TICKETS}\n{ticket('T1', 'café')}\n{ticket('T2')}\n".encode("utf-16-le"),
        Expected(2, 2, 0, "tickets_20260105.csv: 2 rows, 2 loaded, 0 quarantined"),
    ),
    Case(
        "UTF-16 big-endian without a BOM",
        "tickets_20260105.csv",
        f"{TICKETS}\n{ticket('T1')}\n".encode("utf-16-be"),
        Expected(1, 1, 0, "tickets_20260105.csv: 1 rows, 1 loaded, 0 quarantined"),
    ),
    Case(
        "UTF-8 with a BOM",
        "tickets_20260105.csv",
        b"\xef\xbb\xbf" + lines(TICKETS, ticket("T1")),
        Expected(1, 1, 0, "tickets_20260105.csv: 1 rows, 1 loaded, 0 quarantined"),
    ),
    Case(
        "CRLF line ends",
        "tickets_20260105.csv",
        lines(TICKETS, ticket("T1"), ticket("T2"), end="\r\n"),
        Expected(2, 2, 0, "tickets_20260105.csv: 2 rows, 2 loaded, 0 quarantined"),
    ),
    Case(
        "lone CR line ends throughout",
        "tickets_20260105.csv",
        lines(TICKETS, ticket("T1"), ticket("T2"), end="\r"),
        Expected(2, 2, 0, "tickets_20260105.csv: 2 rows, 2 loaded, 0 quarantined"),
    ),
    Case(
        # An unquoted CR ends the line: both halves are short rows, neither is loaded.
        "lone CR inside a row",
        "tickets_20260105.csv",
        lines(TICKETS, f"T1,C001,P2\rNew,{AT},{AT},printer"),
        Expected(2, 0, 2, "tickets_20260105.csv line 2: row has 3 fields; the header has 7"),
    ),
    Case(
        "empty file (0 bytes)",
        "tickets_20260105.csv",
        b"",
        Expected(0, 0, 0, "tickets_20260105.csv: not ingested: the file is empty", refused=True),
    ),
    Case(
        "0-byte file that grows before the next run",
        "tickets_20260105.csv",
        b"",
        Expected(1, 1, 0, "tickets_20260105.csv: 1 rows, 1 loaded, 0 quarantined"),
        later=lines(TICKETS, ticket("T1")),
    ),
    Case(
        "blank lines only",
        "tickets_20260105.csv",
        b"\n\n\n",
        Expected(0, 0, 0, "tickets_20260105.csv no rows: the header lacks required column(s)"),
    ),
    Case(
        "header only",
        "tickets_20260105.csv",
        lines(TICKETS),
        Expected(0, 0, 0, "tickets_20260105.csv no rows: the file has a header only"),
    ),
    Case(
        "required column missing",
        "tickets_20260105.csv",
        lines(
            "ticket_id,client_id,status,created_at,updated_at,subject",
            f"T1,C001,New,{AT},{AT},printer",
            f"T2,C001,New,{AT},{AT},printer",
        ),
        Expected(
            2,
            0,
            2,
            "tickets_20260105.csv line 2: the header lacks required column(s) priority",
        ),
    ),
    Case(
        "required column renamed",
        "tickets_20260105.csv",
        lines(TICKETS.replace("created_at", "created_on"), ticket("T1")),
        Expected(
            1,
            0,
            1,
            "tickets_20260105.csv line 2: the header lacks required column(s) created_at",
        ),
    ),
    Case(
        "a column named twice",
        "tickets_20260105.csv",
        lines(f"{TICKETS},subject", f"{ticket('T1')},again"),
        Expected(1, 0, 1, "line 2: the header repeats column(s) subject"),
    ),
    Case(
        "extra columns",
        "tickets_20260105.csv",
        lines(f"{TICKETS},colour,Ticket_ID", f"{ticket('T1')},blue,x"),
        Expected(1, 1, 0, "tickets_20260105.csv: 1 rows, 1 loaded, 0 quarantined"),
    ),
    Case(
        "too many fields in a row",
        "tickets_20260105.csv",
        lines(TICKETS, f"{ticket('T1')},surplus", ticket("T2")),
        Expected(2, 1, 1, "tickets_20260105.csv line 2: row has 8 fields; the header has 7"),
    ),
    Case(
        "unterminated quote",
        "tickets_20260105.csv",
        lines(TICKETS, ticket("T1"), ticket("T2", '"never closed'), ticket("T3")),
        Expected(
            2,
            1,
            1,
            "tickets_20260105.csv line 3: unterminated quoted field runs to the end of the file",
        ),
    ),
    Case(
        "embedded newlines in a quoted field",
        "tickets_20260105.csv",
        lines(TICKETS, ticket("T1", '"line one\nline two\r\nline three"'), ticket("T2")),
        Expected(2, 2, 0, "tickets_20260105.csv: 2 rows, 2 loaded, 0 quarantined"),
    ),
    Case(
        "a 1 MB field",
        "tickets_20260105.csv",
        lines(TICKETS, ticket("T1", f'"{MEGABYTE}"')),
        Expected(1, 1, 0, "tickets_20260105.csv: 1 rows, 1 loaded, 0 quarantined"),
    ),
    Case(
        "the same id twice in one file",
        "tickets_20260105.csv",
        lines(TICKETS, ticket("T1", "first"), ticket("T1", "second")),
        Expected(
            2,
            2,
            0,
            "tickets_20260105.csv line 3: ticket_id 'T1' repeats line 2 and updated_at; "
            "the later line wins",
        ),
    ),
    Case(
        "timestamp without offset",
        "tickets_20260105.csv",
        lines(TICKETS, ticket("T1", created_at="2026-01-05T09:00:00")),
        Expected(
            1,
            0,
            1,
            "tickets_20260105.csv line 2: created_at '2026-01-05T09:00:00' has no UTC offset",
        ),
    ),
    Case(
        "impossible timestamp (30 February)",
        "tickets_20260105.csv",
        lines(TICKETS, ticket("T1", created_at="2026-02-30T09:00:00Z")),
        Expected(
            1,
            0,
            1,
            "line 2: created_at '2026-02-30T09:00:00Z' is not an ISO 8601 timestamp",
        ),
    ),
    Case(
        "impossible date (30 February)",
        "timeslips_20260105.csv",
        lines(TIMESLIPS, timeslip("S1", work_date="2026-02-30"), timeslip("S2")),
        Expected(
            2,
            1,
            1,
            "timeslips_20260105.csv line 2: work_date '2026-02-30' is not a YYYY-MM-DD date",
        ),
    ),
    Case(
        "negative hours",
        "timeslips_20260105.csv",
        lines(TIMESLIPS, timeslip("S1", hours_worked="-1")),
        Expected(1, 0, 1, "timeslips_20260105.csv line 2: hours_worked '-1' is outside 0..24"),
    ),
    Case(
        "absurd hours",
        "timeslips_20260105.csv",
        lines(TIMESLIPS, timeslip("S1", hours_billed="1e9"), timeslip("S2", hours_worked="25")),
        Expected(2, 0, 2, "timeslips_20260105.csv line 3: hours_worked '25' is outside 0..24"),
    ),
    Case(
        "timeslip that ends before it starts",
        "timeslips_20260105.csv",
        lines(TIMESLIPS, timeslip("S1", ended_at="2026-01-05T08:00:00Z")),
        Expected(1, 0, 1, "line 2: ended_at 2026-01-05T08:00:00+00:00 is before started_at"),
    ),
    Case(
        "scores out of range",
        "surveys_20260105.csv",
        lines(SURVEYS, survey("R1", score="11"), survey("R2", score="-1"), survey("R3")),
        Expected(3, 1, 2, "surveys_20260105.csv line 3: score '-1' is outside 0..10"),
    ),
    Case(
        "score with a fraction",
        "surveys_20260105.csv",
        lines(SURVEYS, survey("R1", score="7.5")),
        Expected(1, 0, 1, "surveys_20260105.csv line 2: score '7.5' is not a whole number"),
    ),
    Case(
        "number with a thousands separator",
        "surveys_20260105.csv",
        lines(SURVEYS, survey("R1", lost_time_minutes='"1,200"'), survey("R2")),
        Expected(
            2,
            1,
            1,
            "surveys_20260105.csv line 2: lost_time_minutes '1,200' is not a number",
        ),
    ),
    Case(
        "number with a thousands separator, unquoted",
        "surveys_20260105.csv",
        lines(SURVEYS, survey("R1", lost_time_minutes="1,200")),
        Expected(1, 0, 1, "surveys_20260105.csv line 2: row has 8 fields; the header has 7"),
    ),
    Case(
        "unknown client id",
        "tickets_20260105.csv",
        lines(TICKETS, ticket("T1", client_id="C404")),
        Expected(
            1,
            1,
            0,
            "tickets_20260105.csv line 2: client_id 'C404' is not in clients.csv; "
            "the ticket waits in held_tickets until it is added",
        ),
    ),
    Case(
        "unknown engineer id",
        "timeslips_20260105.csv",
        lines(TIMESLIPS, timeslip("S1", engineer_id="E999")),
        Expected(
            1, 1, 0, "timeslips_20260105.csv line 2: engineer_id 'E999' is not in engineers.csv"
        ),
    ),
    Case(
        "NUL bytes in a row",
        "tickets_20260105.csv",
        lines(TICKETS, ticket("T1", "nul\x00here"), ticket("T2")),
        Expected(2, 1, 1, "tickets_20260105.csv line 2: row holds a NUL byte (\\x00)"),
    ),
    Case(
        "header repeated mid-file",
        "tickets_20260105.csv",
        lines(TICKETS, ticket("T1"), TICKETS, ticket("T2")),
        Expected(3, 2, 1, "tickets_20260105.csv line 3: the header row is repeated here"),
    ),
    Case(
        "a name with ../ and backslashes",
        "tickets_20260105_..\\..\\evil.csv",
        lines(TICKETS, ticket("T1")),
        Expected(0, 0, 0, "tickets_20260105_..\\..\\evil.csv: not ingested: the name", True),
    ),
    Case(
        "a name that is a hidden ../ path stays unread until renamed",
        "..tickets_20260105.csv",
        lines(TICKETS, ticket("T1")),
        Expected(0, 0, 0, "", refused=True),
    ),
    Case(
        "a name with spaces",
        "tickets_20260105_ fix 1.csv",
        lines(TICKETS, ticket("T1")),
        Expected(1, 1, 0, "tickets_20260105_ fix 1.csv: 1 rows, 1 loaded, 0 quarantined"),
    ),
    Case(
        "a name with a leading space",
        " tickets_20260105.csv",
        lines(TICKETS, ticket("T1")),
        Expected(0, 0, 0, " tickets_20260105.csv: not ingested: the name is not", True),
    ),
    Case(
        "a name with a newline",
        "tickets_20260105_a\n[2 of 2] forged.csv",
        lines(TICKETS, ticket("T1")),
        Expected(
            0,
            0,
            0,
            "tickets_20260105_a\\n[2 of 2] forged.csv: not ingested: the name holds control",
            True,
        ),
    ),
    Case(
        "a file that is not CSV",
        "report.pdf",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        Expected(0, 0, 0, "report.pdf: not ingested: the name is not", refused=True),
    ),
    Case(
        "a gzip'd CSV named .csv.gz",
        "tickets_20260105.csv.gz",
        gzip.compress(lines(TICKETS, ticket("T1")), mtime=0),
        Expected(
            0, 0, 0, "tickets_20260105.csv.gz: not ingested: compressed files are not read", True
        ),
    ),
    Case(
        "a gzip'd CSV named .csv",
        "tickets_20260105.csv",
        gzip.compress(lines(TICKETS, ticket("T1")), mtime=0),
        Expected(0, 0, 0, "tickets_20260105.csv: not ingested: the file is gzip-compressed", True),
    ),
    Case(
        "an Excel workbook named .csv",
        "tickets_20260105.csv",
        b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 32,
        Expected(0, 0, 0, "tickets_20260105.csv: not ingested: the file is a ZIP archive", True),
    ),
    Case(
        "a symbolic link to a file outside landing/",
        "tickets_20260105.csv",
        b"",
        Expected(0, 0, 0, "tickets_20260105.csv: not ingested: it is a symbolic link", True),
        setup=_symlink_outside,
    ),
    Case(
        "a folder named like an extract",
        "tickets_20260105.csv",
        b"",
        Expected(0, 0, 0, "tickets_20260105.csv: not ingested: it is not a regular file", True),
        setup=_folder,
    ),
]


def _parquet_rows(folder: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for path in sorted(folder.glob("*.parquet")):
        if path.name != SCHEMA_FILE:
            rows += pq.read_table(path).to_pylist()
    return rows


def _settings(root: Path) -> Settings:
    seeds = root / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    (seeds / "clients.csv").write_text("client_id,client_name\nC001,Acme\n")
    (seeds / "engineers.csv").write_text("engineer_id,engineer_name\nE001,Ann\n")
    settings = Settings(data_dir=root / "data", seeds_dir=seeds)
    settings.ensure_dirs()
    return settings


def _said_clearly(case: Case, outcome: InputOutcome, quarantine: list[dict[str, object]]) -> bool:
    """One console line names the file and says what became of it."""
    name = shown_name(case.file_name)
    said = outcome.messages
    if case.file_name.startswith("."):
        # Names starting with '.' are copies in progress by the contract: never read.
        return outcome.refused and not said
    if outcome.refused:
        return any(line.startswith(f"{name}: not ingested: ") for line in said)
    # The console names the first rows quarantined, each with its line and reasons.
    first = sorted(quarantine, key=lambda row: row["line_number"])[:SAMPLE_REASONS]
    if any(f"    {name} line {row['line_number']}: {row['reason']}" not in said for row in first):
        return False
    if outcome.rows_in == 0:
        return any(line.startswith(f"    {name} no rows: ") for line in said)
    return any(
        f"{name}: {outcome.rows_in} rows, {outcome.rows_loaded} loaded, "
        f"{outcome.rows_quarantined} quarantined" in line
        for line in said
    )


def try_input(case: Case, root: Path) -> InputOutcome:
    """Land one case in a fresh data folder under `root`, ingest it, and say what became of it."""
    settings = _settings(root)
    landing = settings.landing_dir
    if case.setup is not None:
        case.setup(landing, root)
    else:
        (landing / case.file_name).write_bytes(case.data)
    messages: list[str] = []
    report = ingest_landing(settings, "run-1", log=messages.append)
    rows_in = sum(o.rows_in for o in report.outcomes if o.status == "ingested")
    if case.later is not None:
        (landing / case.file_name).write_bytes(case.later)
        report = ingest_landing(settings, "run-2", log=messages.append)
        rows_in += sum(o.rows_in for o in report.outcomes if o.status == "ingested")
    quarantine = _parquet_rows(settings.lake_dir / QUARANTINE_DIR)
    loaded = sum(
        len(_parquet_rows(folder))
        for folder in settings.lake_dir.iterdir()
        if folder.is_dir() and folder.name != QUARANTINE_DIR
    )
    outcome = InputOutcome(
        name=case.name,
        rows_in=rows_in,
        rows_loaded=loaded,
        rows_quarantined=len(quarantine),
        messages=messages,
        refused=os.path.lexists(landing / case.file_name),
    )
    conserved = rows_in == loaded + len(quarantine) and all(
        isinstance(row["line_number"], int) and row["line_number"] > 0 and row["reason"]
        for row in quarantine
    )
    outcome.ok = conserved and _said_clearly(case, outcome, quarantine)
    return outcome
