"""Validate a parsed landing file against its extract's contract.

Each rejected row gets every reason that applies, in words an MSP's data engineer can
act on ("priority 'P9' is not one of P1, P2, P3, P4"). Accepted rows come out typed:
timestamps as UTC instants, local timestamps as wall-clock times (read in the client's
time zone by the warehouse), dates as dates, numbers as floats.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa

from orchestration.contract import CANONICAL_VALUES, Column, Extract
from orchestration.ingest.reader import ParsedFile, has_undecodable, printable
from orchestration.reference.view import Vocabulary, shipped

_TIMESTAMP = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|z|[+-]\d{2}:?\d{2})$"
)
_TIMESTAMP_NO_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

ARROW_TYPES: dict[str, pa.DataType] = {
    "text": pa.string(),
    "enum": pa.string(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "local_timestamp": pa.timestamp("us"),
    "date": pa.date32(),
    "number": pa.float64(),
    "integer": pa.int64(),
}
LINEAGE_TYPES: dict[str, pa.DataType] = {
    "_source_file": pa.string(),
    "_source_line": pa.int64(),
    "_extract_date": pa.date32(),
    "_file_sha256": pa.string(),
    "_client_id": pa.string(),
    "_ingest_seq": pa.int64(),
}
_FORMAT_WORDS = {"%d": "dd", "%m": "mm", "%Y": "yyyy", "%H": "HH", "%M": "MM", "%S": "SS"}


# How far past its file's extract date a timestamp may lie: a file extracted late on its
# date in any time zone, and a day to spare.
PLAUSIBLE_DAYS_AFTER = 2


@dataclass(frozen=True)
class Plausible:
    """The window a file's dates and timestamps must fall in: from the first day the
    MSP's history can hold to `PLAUSIBLE_DAYS_AFTER` days after the file's extract date.
    Outside it a value is a typo (`9999-12-31`, `0001-01-01`, `2062` for `2026`), and one
    such row would move `as_of` for every client or make the warehouse span millennia."""

    earliest: date
    extract_date: date

    @property
    def latest(self) -> date:
        """The first day not allowed."""
        return self.extract_date + timedelta(days=PLAUSIBLE_DAYS_AFTER)

    def reasons(self, name: str) -> tuple[Callable[[str], str], Callable[[str], str]]:
        """The reasons for a value too early and too late."""
        return (
            lambda v: (
                f"{name} {_show(v)} is implausible: before {self.earliest}, where the "
                "MSP's history starts (history_start in msp_settings.csv)"
            ),
            lambda v: (
                f"{name} {_show(v)} is implausible: more than {PLAUSIBLE_DAYS_AFTER} "
                f"days after the file's date, {self.extract_date}"
            ),
        )


@dataclass
class Validated:
    """The outcome of validating one file: typed accepted rows and rejected rows."""

    accepted: pd.DataFrame
    rejected: pd.DataFrame  # line_number, raw_line, reason
    # What an MSP should know about the file although no row was rejected for it.
    notices: list[str] = dataclass_field(default_factory=list)

    @property
    def rows_in(self) -> int:
        return len(self.accepted) + len(self.rejected)


def _show(value: str, limit: int = 40) -> str:
    value = printable(value)
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")


def arrow_schema(extract: Extract, extras: list[str]) -> pa.Schema:
    """The lake schema of an extract: contract columns, extra text columns, lineage."""
    fields = [pa.field(c.name, ARROW_TYPES[c.type]) for c in extract.columns]
    fields += [pa.field(name, pa.string()) for name in extras]
    fields += [pa.field(name, LINEAGE_TYPES[name]) for name in extract.lineage_columns]
    return pa.schema(fields)


def _format_in_words(strptime_format: str) -> str:
    """`%d-%m-%Y %H:%M` as a person writes it: `dd-mm-yyyy HH:MM`."""
    for code, words in _FORMAT_WORDS.items():
        strptime_format = strptime_format.replace(code, words)
    return strptime_format


class _Reasons:
    """Collects the reasons against each row, vectorised by mask.

    A message is a fixed text, or a function of the row's value that is called only for
    the rows the mask selects. Rows in `skip` (already broken structurally) get no more.
    """

    def __init__(self, n: int, skip: np.ndarray | None = None) -> None:
        self.items: list[list[str]] = [[] for _ in range(n)]
        self.skip = skip

    def add(
        self,
        mask: np.ndarray | pd.Series,
        message: str | Callable[[str], str] | pd.Series,
        values: list[str] | None = None,
    ) -> None:
        mask = np.asarray(mask, dtype=bool)
        if self.skip is not None:
            mask = mask & ~self.skip
        if not mask.any():
            return
        positions = np.flatnonzero(mask)
        if isinstance(message, str):
            for i in positions:
                self.items[i].append(message)
            return
        if callable(message):
            assert values is not None
            messages = [message(values[i]) for i in positions]
        else:
            messages = list(message.to_numpy()[positions])
        for i, text in zip(positions, messages, strict=True):
            self.items[i].append(text)

    def skipping(self, rows: np.ndarray) -> _Reasons:
        """A view that adds to the same reasons, but never to `rows`."""
        view = _Reasons(0, skip=rows)
        view.items = self.items
        return view

    def bad(self) -> np.ndarray:
        return np.array([bool(r) for r in self.items], dtype=bool)

    def joined(self, positions: np.ndarray) -> list[str]:
        return ["; ".join(self.items[i]) for i in positions]


def _matches(pattern: re.Pattern[str], texts: list[str]) -> np.ndarray:
    return np.fromiter((pattern.match(t) is not None for t in texts), dtype=bool, count=len(texts))


def _objects(items: list[object]) -> pd.Series:
    return pd.Series(items, dtype=object)


def _unmapped(
    column: Column, field: str, source: str, vocabulary: Vocabulary
) -> Callable[[str], str]:
    """The reason for a value that is neither the contract's nor mapped for the source,
    naming the values the file does map (the first few)."""
    contract = ", ".join((*CANONICAL_VALUES[field], *column.allowed))
    mapped = vocabulary.listed.get((source, field), ())
    named = ", ".join(mapped[:10]) + (", ..." if len(mapped) > 10 else "")
    listed = f": {named}" if mapped else ""
    return lambda v: (
        f"{column.name} {_show(v)} is not one of {contract} nor mapped in value_map.csv "
        f"(source {source}, field {field}{listed})"
    )


def _check_vocabulary(
    column: Column,
    text: list[str],
    present: np.ndarray,
    vocabulary: Vocabulary,
    source: str,
    fields: list[str] | None,
    reasons: _Reasons,
) -> None:
    """Each value must be the contract's or mapped for the source in value_map.csv; for a
    column whose field another column names (ticket events' old and new values), only
    rows naming a mapped field are judged."""
    if fields is None:
        field = column.vocabulary
        known = np.fromiter(
            (
                t in column.allowed or vocabulary.canonical(source, field, t) is not None
                for t in text
            ),
            dtype=bool,
            count=len(text),
        )
        reasons.add(present & ~known, _unmapped(column, field, source, vocabulary), text)
        return
    for field in sorted(set(fields)):
        if field not in CANONICAL_VALUES or not vocabulary.has_field(source, field):
            continue
        rows = np.fromiter((f == field for f in fields), dtype=bool, count=len(fields))
        known = np.fromiter(
            (vocabulary.canonical(source, field, t) is not None for t in text),
            dtype=bool,
            count=len(text),
        )
        reasons.add(rows & present & ~known, _unmapped(column, field, source, vocabulary), text)


def _check_column(
    column: Column,
    values: pd.Series,
    reasons: _Reasons,
    vocabulary: Vocabulary,
    source: str,
    fields: list[str] | None = None,
) -> pd.Series:
    """Check one column's text values; return them typed (invalid ones as null).

    The per-value work is plain Python over lists: a file holds a few hundred rows, for
    which pandas' per-call cost would outweigh the work itself.
    """
    raw: list[str] = values.tolist()
    text = [v.strip() for v in raw]
    present = np.fromiter((t != "" for t in text), dtype=bool, count=len(text))
    if column.required:
        reasons.add(~present, f"missing required value in {column.name}")
    name = column.name
    if column.vocabulary or column.vocabulary_column:
        _check_vocabulary(column, text, present, vocabulary, source, fields, reasons)
        if column.type == "enum":
            return _objects([t or None for t in text])
    elif column.type == "enum":
        allowed = ", ".join(column.allowed)
        allowed_values = set(column.allowed)
        known = np.fromiter((t in allowed_values for t in text), dtype=bool, count=len(text))
        bad = present & ~known
        reasons.add(bad, lambda v: f"{name} {_show(v)} is not one of {allowed}", text)
        return _objects([t or None for t in text])
    if column.type == "timestamp":
        shaped = _matches(_TIMESTAMP, text)
        no_offset = present & ~shaped & _matches(_TIMESTAMP_NO_OFFSET, text)
        reasons.add(no_offset, lambda v: f"{name} {_show(v)} has no UTC offset", text)
        parsed = pd.to_datetime(
            _objects([t if ok else None for t, ok in zip(text, shaped, strict=True)]),
            format="ISO8601",
            utc=True,
            errors="coerce",
        )
        unparseable = present & ~no_offset & parsed.isna().to_numpy()
        reasons.add(unparseable, lambda v: f"{name} {_show(v)} is not an ISO 8601 timestamp", text)
        return parsed.dt.floor("us")
    if column.type == "local_timestamp":
        parsed = pd.to_datetime(
            _objects([t or None for t in text]), format=column.format, errors="coerce"
        )
        shown = _format_in_words(column.format)
        reasons.add(
            present & parsed.isna().to_numpy(),
            lambda v: f"{name} {_show(v)} is not a local time {shown}",
            text,
        )
        return parsed.dt.floor("us")
    if column.type == "date":
        shaped = _matches(_DATE, text)
        parsed = pd.to_datetime(
            _objects([t if ok else None for t, ok in zip(text, shaped, strict=True)]),
            format="%Y-%m-%d",
            errors="coerce",
        )
        reasons.add(
            present & parsed.isna().to_numpy(),
            lambda v: f"{name} {_show(v)} is not a YYYY-MM-DD date",
            text,
        )
        return parsed.dt.date
    if column.type in ("number", "integer"):
        number = pd.to_numeric(_objects([t or None for t in text]), errors="coerce").astype(
            "float64"
        )
        finite = np.isfinite(number.to_numpy(dtype=float, na_value=np.nan))
        number = number.where(finite)
        numbers = number.to_numpy(dtype=float, na_value=np.nan)
        reasons.add(present & ~finite, lambda v: f"{name} {_show(v)} is not a number", text)
        if column.type == "integer":
            fractional = present & finite & (np.nan_to_num(numbers) % 1 != 0)
            reasons.add(fractional, lambda v: f"{name} {_show(v)} is not a whole number", text)
        lo, hi = column.minimum, column.maximum
        if lo is not None or hi is not None:
            with np.errstate(invalid="ignore"):
                out = (
                    present
                    & finite
                    & (
                        (numbers < (lo if lo is not None else -np.inf))
                        | (numbers > (hi if hi is not None else np.inf))
                    )
                )
            reasons.add(out, lambda v: f"{name} {_show(v)} is outside {lo:g}..{hi:g}", text)
        if column.type == "number":
            return number
        # Rows with values out of range are rejected above; nulling them keeps the cast safe.
        return number.where(number.abs() < 2**53).round().astype("Int64")
    if not _is_id(name):
        # Free text is kept as written.
        return _objects([v if ok else None for v, ok in zip(raw, present, strict=True)])
    return _objects([t or None for t in text])


def _is_id(name: str) -> bool:
    return name.endswith("_id")


def _check_plausible(
    column: Column,
    typed: pd.Series,
    text: list[str],
    window: Plausible,
    reasons: _Reasons,
) -> None:
    """Dates and timestamps within the window; values already rejected are left alone."""
    earliest, latest = (
        datetime.combine(window.earliest, time()),
        datetime.combine(window.latest, time()),
    )
    if column.type == "timestamp":
        low, high = pd.Timestamp(earliest, tz=UTC), pd.Timestamp(latest, tz=UTC)
    elif column.type == "local_timestamp":
        low, high = pd.Timestamp(earliest), pd.Timestamp(latest)
    elif column.type == "date":
        low, high = window.earliest, window.latest
    else:
        return
    present = typed.notna().to_numpy()
    if column.type == "date":
        values = typed.where(typed.notna(), None).tolist()
        early = np.fromiter(
            (p and v < low for p, v in zip(present, values, strict=True)),
            dtype=bool,
            count=len(text),
        )
        late = np.fromiter(
            (p and v >= high for p, v in zip(present, values, strict=True)),
            dtype=bool,
            count=len(text),
        )
    else:
        # Instants compare column-wise; a missing one compares false.
        early = present & (typed < low).to_numpy(dtype=bool, na_value=False)
        late = present & (typed >= high).to_numpy(dtype=bool, na_value=False)
    too_early, too_late = window.reasons(column.name)
    reasons.add(early, too_early, text)
    reasons.add(late, too_late, text)


def _check_together(extract: Extract, frame: pd.DataFrame, reasons: _Reasons) -> None:
    """Each `together` group's columns hold values all together or not at all ("score '7'
    without responded_at"); a row with none of them needs the group's `absent_needs`
    ("an unanswered survey needs sent_at")."""
    n = len(frame)

    def text(name: str) -> list[str]:
        return [v.strip() for v in frame[name].tolist()] if name in frame.columns else [""] * n

    for group in extract.together:
        values = {name: text(name) for name in group.columns}
        present = {
            name: np.fromiter((t != "" for t in texts), dtype=bool, count=n)
            for name, texts in values.items()
        }
        some = np.logical_or.reduce(list(present.values()))
        every = np.logical_and.reduce(list(present.values()))
        for name in group.columns:
            # A value given without the rest of its group: say which are missing.
            messages = pd.Series(
                [
                    f"{name} {_show(values[name][i])} without "
                    + ", ".join(o for o in group.columns if not present[o][i])
                    if present[name][i] and not every[i]
                    else ""
                    for i in range(n)
                ],
                dtype=object,
            )
            reasons.add(present[name] & ~every, messages)
        for needed in group.absent_needs:
            empty = np.fromiter((t == "" for t in text(needed)), dtype=bool, count=n)
            reasons.add(~some & empty, f"{group.absent} needs {needed}")


def validate(
    extract: Extract,
    parsed: ParsedFile,
    vocabulary: Vocabulary | None = None,
    window: Plausible | None = None,
) -> Validated:
    """Split a parsed file into typed accepted rows and rejected rows with reasons.

    A status, priority or channel must be the contract's or mapped for the extract's
    source in `vocabulary` (default: the shipped value map); the lake keeps it as the
    source wrote it, and the warehouse maps it. With a `window`, every date and timestamp
    must fall in it. Ids are not looked up in the reference
    data here: the lake must not depend on the seeds of the day it was loaded (see
    docs/metrics/ingest.md#unknown-clients-and-engineers).
    """
    vocabulary = vocabulary or shipped().vocabulary
    header = parsed.header
    n = parsed.row_count
    lines = np.asarray(parsed.lines, dtype=np.int64)
    file_problem = parsed.problem
    if file_problem is None:
        duplicated = sorted({h for h in header if header.count(h) > 1 and h})
        missing = [c for c in extract.header_required if c not in header]
        if duplicated:
            file_problem = f"the header repeats column(s) {', '.join(duplicated)}"
        elif missing:
            file_problem = f"the header lacks required column(s) {', '.join(missing)}"
    if file_problem is not None:
        rejected = pd.DataFrame(
            {
                "line_number": lines,
                "raw_line": [printable(r) for r in parsed.raws],
                "reason": [file_problem] * n,
            }
        )
        notices = [] if n else [f"no rows: {file_problem}"]
        return Validated(accepted=_empty_frame(extract, []), rejected=rejected, notices=notices)

    width = len(header)
    reasons = _Reasons(n)
    rows: list[list[str]] = []
    for i, fields in enumerate(parsed.records):
        if i in parsed.errors:
            reasons.items[i].append(parsed.errors[i])
        elif len(fields) != width:
            reasons.items[i].append(f"row has {len(fields)} fields; the header has {width}")
        elif fields[0].strip() == header[0] and [f.strip() for f in fields] == header:
            reasons.items[i].append("the header row is repeated here")
        if has_undecodable(parsed.raws[i]):
            reasons.items[i].append("row is not valid UTF-8")
        if "\x00" in parsed.raws[i]:
            reasons.items[i].append("row holds a NUL byte (\\x00)")
        # A structurally broken row carries only that reason; its fields are not read.
        rows.append([""] * width if reasons.items[i] else fields)

    frame = pd.DataFrame(rows, columns=header, dtype=object) if n else pd.DataFrame(columns=header)
    frame = frame.astype(object).fillna("")
    if extract.null_markers:
        # The export's own word for "empty" (ServiceNow's `?`) is read as an empty field.
        frame = frame.mask(frame.apply(lambda c: c.str.strip().isin(extract.null_markers)), "")
    structural = reasons.bad()
    # Rows already broken structurally carry only that reason.
    column_reasons = reasons.skipping(structural)
    typed: dict[str, pd.Series] = {}
    for column in extract.columns:
        if column.name in frame.columns:
            fields = None
            if column.vocabulary_column:
                named = column.vocabulary_column
                fields = (
                    [f.strip() for f in frame[named].tolist()]
                    if named in frame.columns
                    else [""] * n
                )
            typed[column.name] = _check_column(
                column, frame[column.name], column_reasons, vocabulary, extract.source, fields
            )
            if window is not None:
                _check_plausible(
                    column,
                    typed[column.name],
                    [v.strip() for v in frame[column.name].tolist()],
                    window,
                    column_reasons,
                )
        else:
            typed[column.name] = pd.Series([None] * n, dtype=object)
    _check_together(extract, frame, column_reasons)
    for earlier, later in extract.ordered:
        a, b = typed[earlier], typed[later]
        inverted = (a.notna() & b.notna()).to_numpy() & (b < a).fillna(False).to_numpy()
        inverted &= ~structural
        if inverted.any():
            messages = pd.Series(
                [
                    f"{later} {b.iloc[i].isoformat()} is before {earlier} {a.iloc[i].isoformat()}"
                    if inverted[i]
                    else ""
                    for i in range(n)
                ]
            )
            reasons.add(inverted, messages)

    bad = reasons.bad()
    good = np.flatnonzero(~bad)
    extras = [
        h
        for h in header
        if h and h not in extract.column_names and h not in extract.lineage_columns
    ]
    accepted = pd.DataFrame(
        {name: series.iloc[good].reset_index(drop=True) for name, series in typed.items()}
    )
    for name in extras:
        accepted[name] = frame[name].iloc[good].reset_index(drop=True).astype(object)
    accepted["_source_line"] = lines[good]
    bad_positions = np.flatnonzero(bad)
    rejected = pd.DataFrame(
        {
            "line_number": lines[bad_positions],
            "raw_line": [printable(parsed.raws[i]) for i in bad_positions],
            "reason": reasons.joined(bad_positions),
        }
    )
    notices = _repeated_keys(extract, accepted) if n else ["no rows: the file has a header only"]
    notices += [
        f"column {_show(h)} is not loaded: the warehouse writes its own {h} on every row"
        for h in header
        if h in extract.lineage_columns
    ]
    return Validated(accepted=accepted, rejected=rejected, notices=notices)


def _repeated_keys(extract: Extract, accepted: pd.DataFrame) -> list[str]:
    """Rows of one file that share their key (and version): the later line wins in the
    warehouse, as between files; say so, since the PSA sent two answers for one row."""
    columns = [extract.key, *([extract.version_column] if extract.version_column else [])]
    if not len(accepted) or any(c not in accepted.columns for c in columns):
        return []
    keyed = accepted[columns].astype(str)
    later = keyed.duplicated(keep="first")
    if not later.any():
        return []
    first_line = accepted["_source_line"].groupby([keyed[c] for c in columns]).transform("min")
    versioned = f" and {extract.version_column}" if extract.version_column else ""
    return [
        f"line {line}: {extract.key} {_show(str(key))} repeats line {first}{versioned}; "
        "the later line wins"
        for line, key, first in zip(
            accepted["_source_line"][later],
            accepted[extract.key][later],
            first_line[later],
            strict=True,
        )
    ]


def unknown_ids(
    extract: Extract, accepted: pd.DataFrame, clients: set[str], engineers: set[str]
) -> list[str]:
    """Accepted rows naming a client or engineer the reference data does not hold.

    They stay in the lake (docs/metrics/ingest.md#unknown-clients-and-engineers): a ticket waits
    in `held_tickets` until its client is added, the build's relationship tests judge the
    others. Said at ingest so that the MSP learns it from the line.
    """
    checks = [
        ("client_id", clients, "clients.csv"),
        ("engineer_id", engineers, "engineers.csv"),
        ("assigned_engineer_id", engineers, "engineers.csv"),
    ]
    notices: list[str] = []
    for column, known, seed in checks:
        if not known or column not in accepted.columns or column not in extract.column_names:
            continue
        values = accepted[column]
        unknown = values.notna() & ~values.isin(known)
        then = (
            "the ticket waits in held_tickets until it is added"
            if extract.name == "tickets" and column == "client_id"
            else "kept for the build's reference checks"
        )
        notices += [
            f"line {line}: {column} {_show(str(value))} is not in {seed}; {then}"
            for line, value in zip(accepted["_source_line"][unknown], values[unknown], strict=True)
        ]
    return notices


def _empty_frame(extract: Extract, extras: list[str]) -> pd.DataFrame:
    columns = [*extract.column_names, *extras, "_source_line"]
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})


def to_arrow(extract: Extract, accepted: pd.DataFrame, lineage: dict[str, object]) -> pa.Table:
    """The accepted rows as an Arrow table in the lake schema, with lineage columns filled."""
    extras = [
        c
        for c in accepted.columns
        if c not in extract.column_names and c not in extract.lineage_columns
    ]
    schema = arrow_schema(extract, extras)
    n = len(accepted)
    arrays = []
    for field in schema:
        if field.name == "_source_line":
            arrays.append(
                pa.array(accepted["_source_line"].to_numpy(dtype=np.int64), type=field.type)
            )
        elif field.name in lineage:
            arrays.append(pa.array([lineage[field.name]] * n, type=field.type))
        else:
            # from_pandas: NaN, NaT and pd.NA are nulls, as in the contract's typed columns.
            arrays.append(pa.array(accepted[field.name], type=field.type, from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=schema)


def canonical_view(extract: Extract, frame: pd.DataFrame, vocabulary: Vocabulary) -> pd.DataFrame:
    """Accepted rows with each mapped value (status, priority, channel) as the contract
    names it: what the warehouse reads, for the checks that judge it by the contract."""
    columns = [c for c in extract.columns if c.vocabulary and c.name in frame.columns]
    if not columns:
        return frame
    frame = frame.copy()
    for column in columns:
        frame[column.name] = [
            vocabulary.canonical(extract.source, column.vocabulary, v) or v
            if isinstance(v, str)
            else v
            for v in frame[column.name].tolist()
        ]
    return frame
