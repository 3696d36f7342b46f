"""Read a landing CSV into records that remember where they came from.

Every record keeps the line it starts on and its raw text, so that a rejected row can be
quarantined exactly as it arrived. RFC 4180 quoting is honoured, including newlines
inside quoted fields (a record may span several physical lines).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from orchestration.contract import LANDING_EXTRACTS, LANDING_FILE

# A field may legitimately be large (a pasted log in a ticket subject); the csv module's
# default limit of 128 KiB would split such a record.
csv.field_size_limit(64 * 1024 * 1024)

# Invalid UTF-8 bytes survive decoding as lone surrogates, so the row that holds them
# can be quarantined instead of the whole file failing.
_UNDECODABLE = re.compile(r"[\udc80-\udcff]")
# A name with these would forge lines in the console and in every listing that shows it.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class LandingFile:
    """A file in the landing folder whose name follows the contract."""

    path: Path
    extract: str
    extract_date: date
    # The client every row belongs to, for an extract that names it in the file name.
    client_id: str | None = None

    @property
    def name(self) -> str:
        return self.path.name


@dataclass
class ParsedFile:
    """The records of one CSV file with their line numbers and raw text."""

    header: list[str]
    records: list[list[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    raws: list[str] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)  # record index -> parse error
    problem: str | None = None  # a reason that rejects every row of the file

    @property
    def row_count(self) -> int:
        return len(self.records)


def shown_name(name: str) -> str:
    """A file name as the console and the site may print it: control characters spelled out."""
    return repr(name)[1:-1] if _CONTROL.search(name) else name


def refusal(path: Path) -> str | None:
    """Why an entry of the landing folder is left there unread, in one line; None to read it.

    Refused entries stay in landing/ and are reported on every run until they are fixed
    or removed: nothing delivered is dropped without a word.
    """
    name = shown_name(path.name)
    if _CONTROL.search(path.name):
        return f"{name}: not ingested: the name holds control characters; rename the file"
    if path.is_symlink():
        return f"{name}: not ingested: it is a symbolic link; deliver the file itself"
    if not path.is_file():
        return f"{name}: not ingested: it is not a regular file"
    if path.name.lower().endswith((".gz", ".gzip", ".zip")):
        return f"{name}: not ingested: compressed files are not read; deliver the CSV uncompressed"
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        return f"{name}: not ingested: it cannot be read ({exc.strerror})"
    if not head:
        return (
            f"{name}: not ingested: the file is empty (0 bytes), perhaps still being "
            "written; copy files in under a name starting with '.' and rename them when "
            "complete"
        )
    if head.startswith(_GZIP_MAGIC):
        return f"{name}: not ingested: the file is gzip-compressed; deliver the CSV uncompressed"
    if head.startswith(_ZIP_MAGIC):
        return (
            f"{name}: not ingested: the file is a ZIP archive (an Excel workbook?); "
            "export it as CSV"
        )
    return None


def classify(path: Path) -> LandingFile | None:
    """Return the landing file's extract and date, or None if its name is not the contract's."""
    match = LANDING_FILE.match(path.name)
    if not match:
        return None
    raw = match.group("date")
    try:
        extract_date = date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        return None
    extract = match.group("extract")
    client_id = match.group("suffix") if LANDING_EXTRACTS[extract].client_in_file_name else None
    return LandingFile(
        path=path, extract=extract, extract_date=extract_date, client_id=client_id or None
    )


def decode(data: bytes) -> str:
    """Decode a landing file: UTF-8 with an optional BOM; UTF-16 when it carries a BOM, or
    when its first character (a column name's, always ASCII) shows UTF-16's zero byte.

    Bytes that are not UTF-8 are kept as surrogates so that only their rows are rejected.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace")
    if len(data) >= 2 and data[0] != 0 and data[1] == 0:
        return data.decode("utf-16-le", errors="replace")
    if len(data) >= 2 and data[0] == 0 and data[1] != 0:
        return data.decode("utf-16-be", errors="replace")
    text = data.decode("utf-8", errors="surrogateescape")
    return text[1:] if text.startswith("\ufeff") else text


def printable(raw: str) -> str:
    """The raw text as it can be stored: undecodable bytes shown as U+FFFD."""
    return _UNDECODABLE.sub("\ufffd", raw)


def _physical_lines(text: str) -> list[str]:
    # Only CR, LF and CRLF end a line in CSV; str.splitlines would also split on U+2028,
    # form feeds and the like, which may sit inside a value.
    return io.StringIO(text, newline="").readlines()


def _line_by_line(lines: list[str], problem: str) -> ParsedFile:
    """A file whose header cannot be read: every later non-blank line is a rejected row."""
    parsed = ParsedFile(header=[], problem=problem)
    for number, line in enumerate(lines[1:], start=2):
        if line.strip():
            parsed.records.append([])
            parsed.lines.append(number)
            parsed.raws.append(line.rstrip("\r\n"))
    return parsed


def parse(text: str) -> ParsedFile:
    """Split CSV text into a header and records, each with its first line number and raw text."""
    physical_lines = _physical_lines(text)
    buffer: list[str] = []
    physical = 0

    def lines() -> Iterator[str]:
        nonlocal physical
        for line in physical_lines:
            physical += 1
            buffer.append(line)
            yield line

    source = lines()
    parsed: ParsedFile | None = None
    start = 1
    while True:
        # A malformed record ends one reader; a fresh one carries on after it, so the
        # rest of the file is still read and every line is accounted for.
        try:
            for fields in csv.reader(source, strict=False):
                raw = "".join(buffer).rstrip("\r\n")
                buffer.clear()
                if parsed is None:
                    if physical > 1:
                        return _line_by_line(
                            physical_lines,
                            "the header row is malformed: a quote opened in it runs on "
                            f"over {physical} lines",
                        )
                    parsed = ParsedFile(header=[h.strip() for h in fields])
                elif fields or raw.strip():
                    parsed.records.append(fields)
                    parsed.lines.append(start)
                    parsed.raws.append(raw)
                start = physical + 1
            break
        except csv.Error as exc:
            raw = "".join(buffer).rstrip("\r\n")
            buffer.clear()
            if parsed is None:
                return _line_by_line(physical_lines, f"the header row is malformed: {exc}")
            parsed.errors[len(parsed.records)] = f"malformed CSV record: {exc}"
            parsed.records.append([])
            parsed.lines.append(start)
            parsed.raws.append(raw)
            start = physical + 1
    if parsed is None:
        return ParsedFile(header=[], problem="empty file: no header row")
    if parsed.raws and parsed.raws[-1].count('"') % 2 == 1:
        # An open quote runs to the end of the file: the last record swallowed the rest.
        last = len(parsed.raws) - 1
        parsed.errors.setdefault(last, "unterminated quoted field runs to the end of the file")
    return parsed


def has_undecodable(raw: str) -> bool:
    """Whether a raw record holds bytes that were not valid UTF-8."""
    return bool(_UNDECODABLE.search(raw))
