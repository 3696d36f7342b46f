"""Take every new file from the landing folder into the lake or quarantine.

Good rows go to `lake/<extract>/`, rejected rows to `lake/quarantine/`, both Parquet,
named after the file's identity (its hash) so that repeating the work rewrites the same
files. The landing file is archived with its identity and recorded in the ledger; a file
whose identity was already ingested is a no-op. A file with no data rows (an extract's
empty day) is identified by its name as well as its bytes: every day's empty file has
the same bytes, and each is a delivery of its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.config import Settings
from orchestration.contract import LANDING_EXTRACTS, Extract
from orchestration.faults import maybe_crash
from orchestration.files import write_atomic, write_parquet
from orchestration.ingest import ledger
from orchestration.ingest.accepted import AcceptedRows
from orchestration.ingest.reader import (
    LandingFile,
    ParsedFile,
    classify,
    decode,
    parse,
    refusal,
)
from orchestration.ingest.validate import (
    Plausible,
    arrow_schema,
    to_arrow,
    unknown_ids,
    validate,
)
from orchestration.reference.view import IngestReference

QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("file_name", pa.string()),
        pa.field("extract", pa.string()),
        pa.field("line_number", pa.int64()),
        pa.field("raw_line", pa.string()),
        pa.field("reason", pa.string()),
        pa.field("file_sha256", pa.string()),
        pa.field("run_id", pa.string()),
        pa.field("ingested_at", pa.timestamp("us", tz="UTC")),
    ]
)
QUARANTINE_DIR = "quarantine"
SCHEMA_FILE = "_schema.parquet"
SAMPLE_REASONS = 3
# No header is this long: a larger file holds rows, and is not parsed to tell.
EMPTY_FILE_MAX_BYTES = 64 * 1024


@dataclass
class FileOutcome:
    """What happened to one landing file."""

    file_name: str
    extract: str
    sha256: str
    status: str  # "ingested" or "duplicate"
    rows_in: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_written: int = 0  # read back from the Parquet files written
    problems: list[str] = field(default_factory=list)  # "line N: reason", the first few

    def summary(self) -> str:
        if self.status == "duplicate":
            return f"{self.file_name}: identical to a file already ingested; nothing to do"
        line = (
            f"{self.file_name}: {self.rows_in} rows, {self.rows_loaded} loaded, "
            f"{self.rows_quarantined} quarantined"
        )
        return line


@dataclass
class IngestReport:
    """The outcome of one ingest over the landing folder."""

    outcomes: list[FileOutcome] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    # The rows accepted into the lake, for the run's Great Expectations suites.
    accepted: AcceptedRows = field(default_factory=AcceptedRows)

    def for_extract(self, extract: str) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.extract == extract and o.status == "ingested"]

    @property
    def new_files(self) -> int:
        return sum(1 for o in self.outcomes if o.status == "ingested")


def _client_problem(landing: LandingFile, clients: frozenset[str]) -> str | None:
    """Why a file whose name must carry its client cannot be ingested yet, if it cannot.

    Its rows carry no client of their own, and its local times are read in the named
    client's time zone: a file under a missing or unknown client id waits in landing/,
    where renaming it (or adding the client to the reference data) lets the next run take
    it. Ingested, it could not be corrected by delivering the same bytes again.
    """
    if landing.client_id is None:
        return (
            f"{landing.name}: not ingested: the client id is missing; name it "
            f"{landing.extract}_<YYYYMMDD>_<client_id>.csv"
        )
    if landing.client_id not in clients:
        return (
            f"{landing.name}: not ingested: client id {landing.client_id!r} is not in "
            "clients.csv; add the client there or rename the file"
        )
    return None


def has_no_rows(data: bytes, parsed: ParsedFile | None = None) -> bool:
    """Whether a delivery holds no data row: a header only (or blank lines), as an
    extract's file of a day with nothing to report does. `parsed` is the file already
    parsed, if it was."""
    if len(data) > EMPTY_FILE_MAX_BYTES:
        return False
    return (parsed or parse(decode(data))).row_count == 0


def file_identity(landing: LandingFile, data: bytes, parsed: ParsedFile | None = None) -> str:
    """What identifies a delivery, in the ledger, the archive and the lake: the SHA-256 of
    its bytes; for an extract whose file name names its client, of the client and the
    bytes, since the same bytes delivered for two clients are two clients' data.

    A file with no data rows is identified by its name as well: every empty day of an
    extract has the same bytes (the header), and each is a delivery of its own date, so
    freshness sees that it arrived. The same empty file again under the same name is the
    same delivery. `parsed` is the file already parsed, if it was.
    """
    return _identity(landing, data, by_name=has_no_rows(data, parsed))


def _identity(landing: LandingFile, data: bytes, by_name: bool) -> str:
    digest = hashlib.sha256()
    if by_name:
        digest.update(f"empty file {landing.name}\0".encode())
    if landing.client_id is not None and LANDING_EXTRACTS[landing.extract].client_in_file_name:
        digest.update(f"client {landing.client_id}\0".encode())
    digest.update(data)
    return digest.hexdigest()


def recorded_identities(landing: LandingFile, data: bytes) -> set[str]:
    """Every identity a ledger record of this delivery may hold: its identity now, and
    those of records made before a file's identity named its client (the bytes' hash) or
    an empty file's name (the identity of its bytes)."""
    return {
        file_identity(landing, data),
        _identity(landing, data, by_name=False),
        hashlib.sha256(data).hexdigest(),
    }


def _already_ingested(landing: LandingFile, data: bytes, sha: str, known: dict[str, str]) -> bool:
    """Whether the ledger (`known`: file name by identity) holds this delivery: its
    identity, or, for a file with no rows recorded before empty files were told apart by
    name, its bytes' identity under the same file name."""
    if sha in known:
        return True
    legacy = _identity(landing, data, by_name=False)
    return legacy != sha and known.get(legacy) == landing.name


def _future_problem(landing: LandingFile) -> str | None:
    """A file dated after tomorrow cannot have been extracted yet: its name is wrong (a
    typo'd year), and its rows, plausible against that date, would move `as_of` for every
    client. It waits in landing/ until renamed (or until its date comes)."""
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    if landing.extract_date <= tomorrow:
        return None
    return (
        f"{landing.name}: not ingested: its date {landing.extract_date} is in the future; "
        "check the date in the file name"
    )


def pending_files(
    settings: Settings, reference: IngestReference | None = None
) -> tuple[list[LandingFile], list[str]]:
    """Landing files in ingest order, and why each other file in landing/ is not taken.

    A file whose name must carry its client is judged against `reference`'s clients (by
    default, the reference folder as it is now).
    """
    files: list[LandingFile] = []
    ignored: list[str] = []
    if not settings.landing_dir.exists():
        return files, ignored
    clients: frozenset[str] | None = reference.clients if reference is not None else None
    for path in sorted(settings.landing_dir.iterdir()):
        if path.name.startswith("."):
            continue
        refused = refusal(path)
        if refused is not None:
            ignored.append(refused)
            continue
        landing = classify(path)
        if landing is None:
            ignored.append(
                f"{path.name}: not ingested: the name is not <extract>_<YYYYMMDD>[_<any>].csv "
                f"with extract one of {', '.join(LANDING_EXTRACTS)}"
            )
            continue
        problem = _future_problem(landing)
        if problem is None and LANDING_EXTRACTS[landing.extract].client_in_file_name:
            if clients is None:
                clients = IngestReference.of_folder(settings.seeds_dir).clients
            problem = _client_problem(landing, clients)
        if problem is None:
            files.append(landing)
        else:
            ignored.append(problem)
    files.sort(key=lambda f: (f.extract_date, f.name))
    return files, ignored


def ensure_lake_layout(settings: Settings) -> None:
    """Give every lake folder a schema-only file, so readers work before anything landed."""
    for extract in LANDING_EXTRACTS.values():
        target = settings.lake_dir / extract.name / SCHEMA_FILE
        schema = arrow_schema(extract, [])
        # Rewritten when the lake schema gained a column (a lake from before `_ingest_seq`),
        # so every reader finds every column even before a file with it has landed.
        if not target.exists() or not pq.read_schema(target).equals(schema):
            write_parquet(schema.empty_table(), target)
    target = settings.lake_dir / QUARANTINE_DIR / SCHEMA_FILE
    if not target.exists():
        write_parquet(QUARANTINE_SCHEMA.empty_table(), target)


def _parquet_rows(path: Path | None) -> int:
    return pq.ParquetFile(path).metadata.num_rows if path is not None else 0


def ingest_landing(
    settings: Settings,
    run_id: str,
    log: Callable[[str], None] = print,
    dates: tuple[date, date] | None = None,
    reference: IngestReference | None = None,
) -> IngestReport:
    """Ingest every new landing file (of the extract dates `dates`, first to last, when
    given) with the reference data of `reference` (default: the reference folder as it
    is now); return what happened to each."""
    settings.ensure_dirs()
    ensure_lake_layout(settings)
    reference = reference or IngestReference.of_folder(settings.seeds_dir)
    report = IngestReport()
    files, report.ignored = pending_files(settings, reference)
    if dates is not None:
        files = [f for f in files if dates[0] <= f.extract_date <= dates[1]]
    for message in report.ignored:
        log(message)
    known = {sha: entry.file_name for sha, entry in ledger.load(settings).items()}
    seq = ledger.next_seq(settings)
    for number, landing in enumerate(files, start=1):
        # Hash, parse and archive the same bytes, read once and parsed once.
        data = landing.path.read_bytes()
        parsed = parse(decode(data))
        sha = file_identity(landing, data, parsed)
        if landing.path.stat().st_size != len(data):
            log(f"{landing.name}: not ingested: it changed while being read; left for the next run")
            continue
        if _already_ingested(landing, data, sha, known):
            outcome = FileOutcome(landing.name, landing.extract, sha, status="duplicate")
            landing.path.unlink()
        else:
            outcome = _ingest_file(
                settings, landing, data, parsed, sha, seq, run_id, report, reference
            )
            landing.path.unlink()
            known[sha] = landing.name
            seq += 1
        report.outcomes.append(outcome)
        log(f"[{number}/{len(files)}] {outcome.summary()}")
        for problem in outcome.problems:
            log(f"    {landing.name} {problem}")
        maybe_crash("ingest.between_files")
    return report


def _ingest_file(
    settings: Settings,
    landing: LandingFile,
    data: bytes,
    parsed: ParsedFile,
    sha: str,
    seq: int,
    run_id: str,
    report: IngestReport,
    reference: IngestReference,
) -> FileOutcome:
    extract: Extract = LANDING_EXTRACTS[landing.extract]
    window = Plausible(earliest=reference.history_start, extract_date=landing.extract_date)
    result = validate(extract, parsed, reference.vocabulary, window)
    notices = result.notices + unknown_ids(
        extract, result.accepted, reference.clients, reference.engineers
    )
    stem = f"{landing.extract_date:%Y%m%d}_{sha[:16]}"
    # A run that crashed after writing these files but before the ledger entry may have
    # left one behind that this attempt would not rewrite; start from neither.
    for stale in (
        settings.lake_dir / extract.name / f"{stem}.parquet",
        settings.lake_dir / QUARANTINE_DIR / f"{extract.name}_{stem}.parquet",
    ):
        stale.unlink(missing_ok=True)
    lake_file: Path | None = None
    quarantine_file: Path | None = None
    if len(result.accepted):
        lineage = {
            "_source_file": landing.name,
            "_extract_date": landing.extract_date,
            "_file_sha256": sha,
            "_client_id": landing.client_id,
            "_ingest_seq": seq,
        }
        lake_file = settings.lake_dir / extract.name / f"{stem}.parquet"
        write_parquet(to_arrow(extract, result.accepted, lineage), lake_file)
        report.accepted.add(extract.name, lake_file, len(result.accepted), reference.vocabulary)
    if len(result.rejected):
        quarantine_file = settings.lake_dir / QUARANTINE_DIR / f"{extract.name}_{stem}.parquet"
        rejected = result.rejected
        n = len(rejected)
        table = pa.table(
            {
                "file_name": [landing.name] * n,
                "extract": [extract.name] * n,
                "line_number": rejected["line_number"].to_numpy(),
                "raw_line": rejected["raw_line"].tolist(),
                "reason": rejected["reason"].tolist(),
                "file_sha256": [sha] * n,
                "run_id": [run_id] * n,
                "ingested_at": [datetime.now(UTC)] * n,
            },
            schema=QUARANTINE_SCHEMA,
        )
        write_parquet(table, quarantine_file)
    maybe_crash("ingest.after_lake_write")
    archive_file = (
        settings.archive_dir / f"{landing.extract_date:%Y%m%d}" / f"{sha[:16]}_{landing.name}"
    )
    write_atomic(archive_file, data)
    outcome = FileOutcome(
        file_name=landing.name,
        extract=extract.name,
        sha256=sha,
        status="ingested",
        rows_in=parsed.row_count,
        rows_loaded=len(result.accepted),
        rows_quarantined=len(result.rejected),
        rows_written=_parquet_rows(lake_file) + _parquet_rows(quarantine_file),
        problems=[
            f"line {row.line_number}: {row.reason}"
            for row in result.rejected.head(SAMPLE_REASONS).itertuples()
        ]
        + (
            [f"... and {len(result.rejected) - SAMPLE_REASONS} more rows quarantined"]
            if len(result.rejected) > SAMPLE_REASONS
            else []
        )
        + notices[:SAMPLE_REASONS]
        + (
            [f"... and {len(notices) - SAMPLE_REASONS} more"]
            if len(notices) > SAMPLE_REASONS
            else []
        ),
    )
    ledger.record(
        settings,
        ledger.IngestedFile(
            sha256=sha,
            file_name=landing.name,
            extract=extract.name,
            extract_date=landing.extract_date.isoformat(),
            rows_in=outcome.rows_in,
            rows_loaded=outcome.rows_loaded,
            rows_quarantined=outcome.rows_quarantined,
            lake_file=str(lake_file.relative_to(settings.data_dir)) if lake_file else None,
            quarantine_file=(
                str(quarantine_file.relative_to(settings.data_dir)) if quarantine_file else None
            ),
            archive_file=str(archive_file.relative_to(settings.data_dir)),
            run_id=run_id,
            ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
            seq=seq,
        ),
    )
    maybe_crash("ingest.after_ledger")
    return outcome


def rederive_archived(
    settings: Settings,
    run_id: str,
    dates: tuple[date, date],
    log: Callable[[str], None] = print,
    reference: IngestReference | None = None,
) -> IngestReport:
    """Ingest again, with today's validation, every archived file of the extract dates
    `dates` (first to last).

    Each file's lake and quarantine Parquet are rewritten under the same names and its
    ledger entry replaced, so nothing is counted twice and the ledger keeps one entry per
    file hash.
    """
    settings.ensure_dirs()
    ensure_lake_layout(settings)
    reference = reference or IngestReference.of_folder(settings.seeds_dir)
    report = IngestReport()
    entries = sorted(
        (
            entry
            for entry in ledger.load(settings).values()
            if dates[0].isoformat() <= entry.extract_date <= dates[1].isoformat()
        ),
        key=lambda entry: (entry.extract_date, entry.file_name),
    )
    # A re-derived file gets a new seq, so an incremental build rebuilds what it touches.
    seq = ledger.next_seq(settings)
    for number, entry in enumerate(entries, start=1):
        archived = settings.data_dir / entry.archive_file
        data = archived.read_bytes()
        named = classify(settings.landing_dir / entry.file_name)
        if named is None:
            raise ValueError(f"{entry.file_name}: the ledger holds a name that is not an extract's")
        # Records made before may hold another identity of the same bytes.
        if entry.sha256 not in recorded_identities(named, data):
            raise ValueError(f"{archived}: the archived copy of {entry.file_name} has changed")
        outcome = _ingest_file(
            settings, named, data, parse(decode(data)), entry.sha256, seq, run_id, report, reference
        )
        seq += 1
        report.outcomes.append(outcome)
        log(f"[{number}/{len(entries)}] re-derived {outcome.summary()}")
        for problem in outcome.problems:
            log(f"    {entry.file_name} {problem}")
    return report
