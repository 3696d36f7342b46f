"""Read and validate the MSP's reference files before anything is built.

Every file is read by the product's own CSV reader (the landing files' reader: a BOM,
UTF-16, CRLF, lone CR and mixed line ends, quoted fields spanning lines), its header
matched by name (column order is free, extra columns are ignored), and every value
checked against `spec.py`. Then the files are checked against each other: a calendar, a
contract tier or an engineer that nothing defines, a pause status that is neither the
contract's nor mapped, a client whose tier lacks a policy.

A date-effective file (`valid_from` / `valid_to`, spec.VALIDITY) may hold several rows of
one key, each in force over its own dates; only two in force on a day in common collide.
What one file defines for another is what any of its versions defines: versions that
follow one another in time never make a reference look missing.

Each problem is one `Problem`: file, line, column and reason. A file with problems is
not built from: the run is refused as a whole (exit 2), since reference data that is
half right moves every client's numbers.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import available_timezones

from orchestration.config import DEFAULT_SEEDS_DIR
from orchestration.contract import CANONICAL_VALUES
from orchestration.ingest.reader import decode, has_undecodable, parse, printable
from orchestration.reference.spec import (
    MSP_SETTINGS,
    NOT_PAUSABLE,
    REFERENCE,
    SLA_METRICS,
    XLA_TARGET_RANGES,
    RefColumn,
    ReferenceFile,
)
from orchestration.warehouse.timeslip_rules import timeslip_rules

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_INTEGER = re.compile(r"^[+-]?\d+(?:\.0*)?$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_BOOLEANS = {
    "true": "true",
    "yes": "true",
    "1": "true",
    "false": "false",
    "no": "false",
    "0": "false",
}


@dataclass(frozen=True, order=True)
class Problem:
    """One reason a reference file cannot be built from."""

    file: str
    line: int  # 0: the file as a whole
    column: str
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f" line {self.line}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.reason}"


@dataclass
class ReferenceTable:
    """One reference file as read: its normalised rows, each with its line number."""

    spec: ReferenceFile
    # The SHA-256 of the bytes read; None when the file is not there.
    sha256: str | None = None
    rows: list[dict[str, str]] = field(default_factory=list)
    # The same rows as written (trimmed), for messages that quote a value.
    written: list[dict[str, str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    # Every row could be read: no row was left out for a broken record.
    complete: bool = True
    # (line, column) of every value with a problem of its own: the rules between values
    # leave them alone rather than say the same thing twice.
    invalid: set[tuple[int, str]] = field(default_factory=set)
    # Whether the file could be read with every required column: only then do the
    # other files' references to it mean anything.
    readable: bool = False

    def values(self, column: str) -> set[str]:
        return {row[column] for row in self.rows if row.get(column)}


@dataclass
class Validation:
    """Every reference file as read, and every problem found in them."""

    tables: dict[str, ReferenceTable]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        return [str(p) for p in sorted(self.problems, key=_problem_order)]


def _problem_order(problem: Problem) -> tuple[int, int, str, str]:
    order = list(REFERENCE)
    rank = order.index(problem.file[:-4]) if problem.file[:-4] in order else len(order)
    return (rank, problem.line, problem.column, problem.reason)


def show(value: str, limit: int = 40) -> str:
    """A value as a message quotes it: printable, and cut short when long."""
    value = printable(value)
    value = value if len(value) <= limit else value[: limit - 1] + "…"
    return repr(value)


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _check_value(column: RefColumn, text: str) -> tuple[str, str | None]:
    """The value normalised, and why it is wrong (None when it is right).

    Empty values are judged by the caller; `statuses` are resolved against the value
    map once every file is read.
    """
    kind = column.type
    if kind in ("id", "text", "statuses"):
        return text, None
    if kind == "timezone":
        if text not in _time_zones():
            return text, f"{show(text)} is not an IANA time zone (e.g. Europe/Amsterdam)"
        return text, None
    if kind == "date":
        try:
            if not _DATE.match(text):
                raise ValueError
            return date.fromisoformat(text).isoformat(), None
        except ValueError:
            what = "a date that exists" if _DATE.match(text) else "a YYYY-MM-DD date"
            return text, f"{show(text)} is not {what}"
    if kind == "time":
        match = _TIME.match(text)
        hours, minutes = (int(match[1]), int(match[2])) if match else (-1, -1)
        if not match or minutes > 59 or hours > 24 or (hours == 24 and minutes):
            return text, f"{show(text)} is not a local time HH:MM between 00:00 and 24:00"
        return f"{hours:02d}:{minutes:02d}", None
    if kind == "boolean":
        value = _BOOLEANS.get(text.lower())
        if value is None:
            return text, f"{show(text)} is not true or false"
        return value, None
    if kind == "instant":
        try:
            parsed = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            return text, f"{show(text)} is not an ISO 8601 timestamp"
        if parsed.tzinfo is None:  # an auditor's tool may write UTC without saying so
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.isoformat(), None
    if kind == "enum":
        allowed = column.allowed_values()
        if text not in allowed:
            return text, f"{show(text)} is not one of {', '.join(allowed)}"
        return text, None
    # integer or number
    pattern = _INTEGER if kind == "integer" else _NUMBER
    if not pattern.match(text):
        what = "a whole number" if kind == "integer" else "a number"
        return text, f"{show(text)} is not {what}"
    number = float(text)
    if not math.isfinite(number):
        return text, f"{show(text)} is too large a number"
    # Written out in full (`1e2` is 100), as every loader reads it.
    exact = Decimal(text)
    normalised = str(int(exact)) if kind == "integer" else format(exact, "f")
    return normalised, _out_of_range(
        text, number, column.minimum, column.maximum, column.above_minimum
    )


def _out_of_range(
    text: str, number: float, low: float | None, high: float | None, above: bool = False
) -> str | None:
    if above and low is not None and number <= low:
        return f"{show(text)} must be above {_bound(low)}"
    if (low is not None and number < low) or (high is not None and number > high):
        if high is None:
            return f"{show(text)} must be at least {_bound(low)}"
        if low is None:
            return f"{show(text)} must be at most {_bound(high)}"
        return f"{show(text)} is outside {_bound(low)}..{_bound(high)}"
    return None


def _bound(value: float | None) -> str:
    """A limit as a person writes it: 1000000, not 1e+06."""
    assert value is not None
    return str(int(value)) if float(value).is_integer() else repr(value)


def read_table(spec: ReferenceFile, path: Path, problems: list[Problem]) -> ReferenceTable:
    """Read one reference file, adding a `Problem` for everything wrong within it."""
    table = ReferenceTable(spec)
    name = spec.file_name

    def problem(line: int, column: str, reason: str) -> None:
        problems.append(Problem(name, line, column, reason))

    if not path.exists() and not path.is_symlink():
        if spec.required:
            problem(
                0,
                "",
                "the file is missing; the contract requires it (a header row is "
                "enough when it has no rows)",
            )
        else:
            table.readable = True
        return table
    try:
        data = path.read_bytes()
    except OSError as error:
        problem(0, "", f"cannot be read: {error.strerror or error}")
        return table
    table.sha256 = hashlib.sha256(data).hexdigest()
    parsed = parse(decode(data))
    if parsed.problem is not None:
        problem(1, "", parsed.problem)
        return table
    header = parsed.header
    before = len(problems)
    positions: dict[str, int] = {}
    for column in spec.columns:
        count = header.count(column.name)
        if count > 1:
            problem(1, column.name, "the column is named more than once in the header")
        elif count == 1:
            positions[column.name] = header.index(column.name)
        elif column.required and not column.derived:
            similar = [h for h in header if h.strip().lower() == column.name]
            hint = f" (found {show(similar[0])}: names are lower case)" if similar else ""
            problem(1, column.name, f"the required column is missing from the header{hint}")
    # Without a required column the file's rows are still read (the ids of a file that
    # lacks another column still name its rows), but nothing else may rely on it.
    table.readable = not [p for p in problems[before:] if p.file == name]
    width = len(header)
    for index, fields in enumerate(parsed.records):
        line = parsed.lines[index]
        raw = parsed.raws[index]
        broken = (
            parsed.errors.get(index)
            or ("the row is not valid UTF-8" if has_undecodable(raw) else None)
            or ("the row holds a NUL byte (\\x00)" if "\x00" in raw else None)
        )
        if broken is None and not any(f.strip() for f in fields):
            continue  # a line of empty cells, as spreadsheets leave below the data
        if broken is None and len(fields) != width:
            broken = f"the row has {len(fields)} fields; the header has {width}"
        if broken is not None:
            problem(line, "", broken)
            table.complete = False
            continue
        row: dict[str, str] = {}
        written: dict[str, str] = {}
        for column in spec.columns:
            if column.name not in positions:
                # Derived, optional and left out, or missing (said once, at the header).
                row[column.name] = ""
                continue
            text = fields[positions[column.name]].strip()
            written[column.name] = text
            if not text:
                if not column.nullable:
                    problem(line, column.name, "a value is required")
                row[column.name] = ""
                continue
            value, reason = _check_value(column, text)
            if reason is not None:
                problem(line, column.name, reason)
                table.invalid.add((line, column.name))
            row[column.name] = value
        table.rows.append(row)
        table.written.append(written)
        table.lines.append(line)
    _check_keys(table, problems)
    return table


def _check_keys(table: ReferenceTable, problems: list[Problem]) -> None:
    """A key names one row, or, in a file with `valid_from` / `valid_to`, rows in force one
    after another: two rows of one key are refused when they are in force on a day in
    common. A row is named once, against the first earlier row it collides with."""
    key = table.spec.key
    if not key:
        return
    seen: dict[tuple[str, ...], list[tuple[int, tuple[str, str]]]] = {}
    for line, row in zip(table.lines, table.rows, strict=True):
        values = tuple(row[c] for c in key)
        if not all(values):
            continue
        validity = _validity(table, line, row)
        if validity is None:
            continue  # its own problem is reported already
        earlier = seen.setdefault(values, [])
        other = next(((o, v) for o, v in earlier if _overlap(validity, v)), None)
        earlier.append((line, validity))
        if other is None:
            continue
        other_line, other_validity = other
        shown = ", ".join(f"{c} {show(v)}" for c, v in zip(key, values, strict=True))
        if validity == other_validity == ("", ""):
            reason = f"{shown} repeats line {other_line}"
        else:
            reason = (
                f"{shown} in force {_in_force(validity)} overlaps line {other_line} "
                f"(in force {_in_force(other_validity)})"
            )
        problems.append(Problem(table.spec.file_name, line, key[-1], reason))


# The columns that date a row (spec.VALIDITY): both local dates, both included.
VALID_FROM, VALID_TO = "valid_from", "valid_to"


def _is_dated(spec: ReferenceFile) -> bool:
    return VALID_FROM in spec.column_names


def _validity(table: ReferenceTable, line: int, row: dict[str, str]) -> tuple[str, str] | None:
    """The row's (valid_from, valid_to), `""` for an open end; None when either is not a
    date or valid_to is before valid_from (each is its own problem: the row is in force on
    no day that can be told)."""
    if not _is_dated(table.spec):
        return ("", "")
    if (line, VALID_FROM) in table.invalid or (line, VALID_TO) in table.invalid:
        return None
    first, last = row[VALID_FROM], row[VALID_TO]
    if first and last and last < first:
        return None
    return (first, last)


def _overlap(one: tuple[str, str], other: tuple[str, str]) -> bool:
    """Whether two validity ranges share a day. Both ends are included: a row in force to
    2026-02-28 and one from 2026-03-01 follow one another; to and from 2026-03-01 share it.
    Dates are ISO strings, so they compare as text; an empty end is open."""
    (first, last), (other_first, other_last) = one, other
    return (not last or not other_first or other_first <= last) and (
        not other_last or not first or first <= other_last
    )


def _in_force(validity: tuple[str, str]) -> str:
    first, last = validity
    return f"{first or '(always)'}..{last or '(open)'}"


def _rows(table: ReferenceTable) -> Iterable[tuple[int, dict[str, str]]]:
    return zip(table.lines, table.rows, strict=True)


def _written_rows(
    table: ReferenceTable,
) -> Iterable[tuple[int, dict[str, str], dict[str, str]]]:
    """Each row with its values as read and as written (to quote in a message); a value
    with a problem of its own reads as empty."""
    for line, row, written in zip(table.lines, table.rows, table.written, strict=True):
        valid = {c: ("" if (line, c) in table.invalid else v) for c, v in row.items()}
        yield line, valid, written


def _a(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def _check_references(tables: dict[str, ReferenceTable], problems: list[Problem]) -> None:
    """Every id a file names must be defined by the file that defines it.

    Only against a defining file that could be read whole: a row of it left out for a
    broken record would make every row that names it look wrong, and its own problem
    is reported already. A defining file without rows is said once, not for every row
    that names it.
    """
    empty: dict[str, set[str]] = {}
    for table in tables.values():
        for column in table.spec.columns:
            if column.references is None:
                continue
            target_name, target_column = column.references
            target = tables[target_name]
            if not target.readable or not target.complete:
                continue
            known = target.values(target_column)
            for line, row in _rows(table):
                value = row[column.name]
                if not value or value in known:
                    continue
                if not target.rows:
                    empty.setdefault(target_name, set()).add(table.spec.file_name)
                    continue
                problems.append(
                    Problem(
                        table.spec.file_name,
                        line,
                        column.name,
                        f"{show(value)} is not {_a(target_column)} of {target.spec.file_name}",
                    )
                )
    for target_name, naming in empty.items():
        problems.append(
            Problem(
                tables[target_name].spec.file_name,
                0,
                "",
                f"the file has no rows, yet {', '.join(sorted(naming))} name what it defines",
            )
        )


def _check_pairs(tables: dict[str, ReferenceTable], problems: list[Problem]) -> None:
    """Rules between the columns of one row."""
    pairs = [("clients", "contract_start", "contract_end"), ("engineers", "start_date", "end_date")]
    pairs += [(name, VALID_FROM, VALID_TO) for name, t in tables.items() if _is_dated(t.spec)]
    for name, first, last in pairs:
        for line, row, _ in _written_rows(tables[name]):
            dated = _is_date(row[first]) and _is_date(row[last])
            if dated and row[last] < row[first]:
                problems.append(
                    Problem(
                        f"{name}.csv", line, last, f"{row[last]} is before {first} {row[first]}"
                    )
                )
    for line, row, written in _written_rows(tables["xla_targets"]):
        limits = XLA_TARGET_RANGES.get(row["metric"])
        if limits is None or not _is_number(row["target"]):
            continue
        reason = _out_of_range(written["target"], float(row["target"]), *limits)
        if reason is not None:
            problems.append(
                Problem("xla_targets.csv", line, "target", f"{reason} for {row['metric']}")
            )
    # Each rule's thresholds, as its dbt model declares them; of those, the shares (0-1),
    # which a percentage (60 for 0.6) would silently defeat.
    for line, row, written in _written_rows(tables["timeslip_rules"]):
        rule = row["rule_id"]
        declared = timeslip_rules().get(rule)
        if declared is None:
            continue
        for column in declared.thresholds:
            if row["enabled"] == "true" and not written.get(column):
                problems.append(
                    Problem(
                        "timeslip_rules.csv",
                        line,
                        column,
                        f"rule {rule} is enabled and needs a {column}",
                    )
                )
            share = column in declared.shares and _is_number(row[column])
            if share and float(row[column]) > 1:
                problems.append(
                    Problem(
                        "timeslip_rules.csv",
                        line,
                        column,
                        f"{show(written[column])} is a share from 0 to 1 for rule {rule} "
                        "(0.6 is 60%)",
                    )
                )
    for line, row in _rows(tables["value_map"]):
        allowed = CANONICAL_VALUES.get(row["field"])
        if allowed is not None and row["canonical_value"] and row["canonical_value"] not in allowed:
            problems.append(
                Problem(
                    "value_map.csv",
                    line,
                    "canonical_value",
                    f"{show(row['canonical_value'])} is not a {row['field']} of the "
                    f"contract: one of {', '.join(allowed)}",
                )
            )
    for line, row in _rows(tables["msp_settings"]):
        setting = MSP_SETTINGS.get(row["setting"])
        if setting is None or not row["value"]:
            continue
        if setting.kind in ("date", "integer", "number"):
            kind = setting.kind
            shape = RefColumn(
                setting.name, kind, "", minimum=setting.minimum, maximum=setting.maximum
            )  # type: ignore[arg-type]
            _, reason = _check_value(shape, row["value"])
            if reason is not None:
                problems.append(
                    Problem("msp_settings.csv", line, "value", f"{reason} for {setting.name}")
                )
        elif row["value"] not in setting.allowed:
            problems.append(
                Problem(
                    "msp_settings.csv",
                    line,
                    "value",
                    f"{show(row['value'])} is not one of {', '.join(setting.allowed)} "
                    f"for {setting.name}",
                )
            )


def _is_date(text: str) -> bool:
    return bool(_DATE.match(text))


def _is_number(text: str) -> bool:
    return bool(_NUMBER.match(text))


def _minutes(text: str) -> int | None:
    """Minutes from midnight of a valid time (already normalised to HH:MM), else None."""
    match = _TIME.match(text)
    if not match or len(text) != 5:
        return None
    minutes = int(match[1]) * 60 + int(match[2])
    return minutes if int(match[2]) < 60 and minutes <= 24 * 60 else None


def _check_calendars(tables: dict[str, ReferenceTable], problems: list[Problem]) -> None:
    """Each opening window opens before it closes and overlaps no other of its day that is
    in force on a day in common (the calendar's hours may change from a date on)."""
    table = tables["business_calendars"]
    pieces: dict[tuple[str, str], list[tuple[int, int, int, tuple[str, str]]]] = {}
    for line, row, _ in _written_rows(table):
        opens, closes = _minutes(row["opens_at"]), _minutes(row["closes_at"])
        if opens is None or closes is None:
            continue
        if closes <= opens:
            problems.append(
                Problem(
                    "business_calendars.csv",
                    line,
                    "closes_at",
                    f"{row['closes_at']} is not after opens_at {row['opens_at']}; a window "
                    "that crosses midnight is two rows, one ending 24:00 and one starting "
                    "00:00 the next weekday",
                )
            )
            continue
        validity = _validity(table, line, row)
        if validity is None:
            continue
        pieces.setdefault((row["calendar_id"], row["weekday"]), []).append(
            (opens, closes, line, validity)
        )
    for (calendar, weekday), windows in pieces.items():
        windows.sort()
        for index, (opens, closes, line, validity) in enumerate(windows):
            # Of the windows opening before it (or with it) that are in force with it, the
            # one that reaches latest, the first of those: it overlaps that one if any.
            reach, reach_line, reach_validity = -1, 0, ("", "")
            for _, other_closes, other_line, other_validity in windows[:index]:
                if other_closes > reach and _overlap(validity, other_validity):
                    reach, reach_line, reach_validity = other_closes, other_line, other_validity
            if opens >= reach:
                continue
            where = f"calendar {show(calendar)}, weekday {weekday}"
            if validity == reach_validity == ("", ""):
                reason = (
                    f"{_hhmm(opens)}-{_hhmm(closes)} overlaps the window of "
                    f"line {reach_line} ({where})"
                )
            else:
                reason = (
                    f"{_hhmm(opens)}-{_hhmm(closes)} in force {_in_force(validity)} overlaps "
                    f"the window of line {reach_line} ({where}, in force "
                    f"{_in_force(reach_validity)})"
                )
            problems.append(Problem("business_calendars.csv", line, "opens_at", reason))


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def pause_status_meanings(tables: dict[str, ReferenceTable]) -> dict[str, set[str]]:
    """Each mapped status name with every contract status it is mapped onto (one, unless
    two sources map the same name differently)."""
    meanings: dict[str, set[str]] = {}
    for row in tables["value_map"].rows:
        if row["field"] == "status" and row["canonical_value"] in CANONICAL_VALUES["status"]:
            meanings.setdefault(row["source_value"], set()).add(row["canonical_value"])
    return meanings


def _check_pause_statuses(tables: dict[str, ReferenceTable], problems: list[Problem]) -> None:
    meanings = pause_status_meanings(tables)
    canonical = set(CANONICAL_VALUES["status"])
    for line, row in _rows(tables["sla_policies"]):
        for name in split_statuses(row["pause_statuses"]):
            meaning = {name} if name in canonical else meanings.get(name, set())
            if not meaning:
                problems.append(
                    Problem(
                        "sla_policies.csv",
                        line,
                        "pause_statuses",
                        f"{show(name)} is not a status of the contract "
                        f"({', '.join(CANONICAL_VALUES['status'])}) nor mapped to one "
                        "in value_map.csv",
                    )
                )
            elif len(meaning) > 1:
                problems.append(
                    Problem(
                        "sla_policies.csv",
                        line,
                        "pause_statuses",
                        f"{show(name)} is mapped to {' and '.join(sorted(meaning))} in "
                        "value_map.csv; name the contract's status instead",
                    )
                )
            elif meaning & set(NOT_PAUSABLE):
                problems.append(
                    Problem(
                        "sla_policies.csv",
                        line,
                        "pause_statuses",
                        f"{show(name)} is {next(iter(meaning))}, which stops the clock; "
                        "it cannot pause it",
                    )
                )


def split_statuses(text: str) -> list[str]:
    """A `;`-separated list of statuses, spaces around each name removed."""
    names = [name.strip() for name in text.split(";")]
    return list(dict.fromkeys(name for name in names if name))


def _check_policies_cover_clients(
    tables: dict[str, ReferenceTable], problems: list[Problem]
) -> None:
    """A client's tier must have a policy for every priority and metric: a ticket without
    one would have no SLA clock."""
    policies = tables["sla_policies"]
    if not policies.readable:
        return
    defined = {(r["contract_tier"], r["priority"], r["metric"]) for r in policies.rows}
    tiers = {r["contract_tier"] for r in policies.rows}
    priorities = CANONICAL_VALUES["priority"]
    reported: set[str] = set()
    for line, row in _rows(tables["clients"]):
        tier = row["contract_tier"]
        if tier not in tiers or tier in reported:
            continue
        missing = [
            f"{priority} {metric}"
            for priority in priorities
            for metric in SLA_METRICS
            if (tier, priority, metric) not in defined
        ]
        if missing:
            reported.add(tier)
            problems.append(
                Problem(
                    "clients.csv",
                    line,
                    "contract_tier",
                    f"tier {show(tier)} has no policy in sla_policies.csv for {', '.join(missing)}",
                )
            )


def source_path(seeds_dir: Path, spec: ReferenceFile) -> Path:
    """Where a file is read from: the MSP's folder, or for an optional file the MSP left
    out, the one shipped in the repository's `seeds/`."""
    path = seeds_dir / spec.file_name
    if spec.required or path.exists() or path.is_symlink():
        return path
    return DEFAULT_SEEDS_DIR / spec.file_name


def validate_folder(seeds_dir: Path) -> Validation:
    """Read and check every reference file of `seeds_dir`."""
    problems: list[Problem] = []
    tables = {
        name: read_table(spec, source_path(seeds_dir, spec), problems)
        for name, spec in REFERENCE.items()
    }
    _check_references(tables, problems)
    _check_pairs(tables, problems)
    _check_calendars(tables, problems)
    _check_pause_statuses(tables, problems)
    _check_policies_cover_clients(tables, problems)
    return Validation(tables=tables, problems=sorted(set(problems), key=_problem_order))
