"""A corpus of bad reference data, and what the product makes of each.

Every case starts from a copy of the repository's `seeds/` (the demo MSP's reference
folder, which is valid) and changes it the way an MSP's hand or spreadsheet does: a cell
edited, a row added or removed, a column dropped or named twice, a file removed, line
ends or the encoding changed. `expected` lists the exact problem lines the product must
report (file, line, column and a distinctive part of the reason), worked out by hand
from the bytes each case writes; the header is line 1. A case without `expected` is a
tolerance case: the folder must validate clean.

Changes name the line they edit and the key of the row they expect to find there
(`row="C003"`), so that a change to the repository's seeds cannot silently move a case
onto another row: the change fails instead.

`try_case` copies the seeds, applies a case and validates the folder with the product's
own `validate_folder`; `unexplained` says how its problems differ from `expected`.

For the end-to-end layer, `refuse` runs `xla run` on a published data folder with
`XLA_SEEDS_DIR` pointing at a broken copy of the seeds, and reports what changed: exit
code, console, published release, audit store and auditors' site.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.config import Settings
from orchestration.quality import results
from orchestration.reference.validate import Problem, Validation, validate_folder
from tests.reliability.console import console_lines

REPO_ROOT = Path(__file__).resolve().parents[2]
SEEDS = REPO_ROOT / "seeds"
RUN_TIMEOUT = 600

# A change to a copy of the seeds folder.
Change = Callable[[Path], None]


# Changes ---------------------------------------------------------------------------------


def _split(path: Path) -> list[bytes]:
    """The physical lines of a file, each with its line end."""
    return path.read_bytes().splitlines(keepends=True)


def _fields(line: bytes) -> list[str]:
    return next(csv.reader([line.decode().rstrip("\r\n")]))


def _join(fields: Iterable[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(list(fields))
    return out.getvalue()


def _ending(line: bytes) -> bytes:
    return line[len(line.rstrip(b"\r\n")) :] or b"\n"


def _row_at(lines: list[bytes], file: str, line: int, row: str) -> list[str]:
    fields = _fields(lines[line - 1])
    if fields[0] != row:
        raise AssertionError(
            f"{file} line {line} is {fields[0]!r}, not {row!r}: the repository's seeds "
            "changed; work the case out again"
        )
    return fields


def set_cell(file: str, line: int, column: str, value: str, *, row: str) -> Change:
    """Line `line` of `file` (whose first value is `row`) gets `value` in `column`."""

    def change(seeds: Path) -> None:
        path = seeds / file
        lines = _split(path)
        header = _fields(lines[0])
        fields = _row_at(lines, file, line, row)
        fields[header.index(column)] = value
        lines[line - 1] = _join(fields).encode() + _ending(lines[line - 1])
        path.write_bytes(b"".join(lines))

    return change


def set_cells(file: str, line: int, *, row: str, **values: str) -> Change:
    """Several cells of one line."""

    def change(seeds: Path) -> None:
        for column, value in values.items():
            set_cell(file, line, column, value, row=row)(seeds)

    return change


def copy_row(file: str, line: int, *, row: str, to: int, **values: str) -> Change:
    """Insert a copy of line `line` (first value `row`) so that it becomes line `to`,
    with `values` changed."""

    def change(seeds: Path) -> None:
        path = seeds / file
        lines = _split(path)
        header = _fields(lines[0])
        fields = _row_at(lines, file, line, row)
        for column, value in values.items():
            fields[header.index(column)] = value
        lines.insert(to - 1, _join(fields).encode() + b"\n")
        path.write_bytes(b"".join(lines))

    return change


def delete_line(file: str, line: int, *, row: str) -> Change:
    def change(seeds: Path) -> None:
        path = seeds / file
        lines = _split(path)
        _row_at(lines, file, line, row)
        del lines[line - 1]
        path.write_bytes(b"".join(lines))

    return change


def replace_line(file: str, line: int, text: bytes, *, row: str) -> Change:
    """Line `line` (first value `row`) becomes `text` exactly (its line end included)."""

    def change(seeds: Path) -> None:
        path = seeds / file
        lines = _split(path)
        _row_at(lines, file, line, row)
        lines[line - 1] = text
        path.write_bytes(b"".join(lines))

    return change


def append(file: str, data: bytes) -> Change:
    """Bytes added at the end of the file (after its last line end)."""

    def change(seeds: Path) -> None:
        path = seeds / file
        path.write_bytes(path.read_bytes() + data)

    return change


def write(file: str, data: bytes) -> Change:
    def change(seeds: Path) -> None:
        (seeds / file).write_bytes(data)

    return change


def remove(file: str) -> Change:
    def change(seeds: Path) -> None:
        (seeds / file).unlink()

    return change


def _table(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def _write_table(path: Path, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def drop_columns(file: str, *columns: str) -> Change:
    """The columns removed from the header and from every row."""

    def change(seeds: Path) -> None:
        path = seeds / file
        rows = _table(path)
        keep = [i for i, name in enumerate(rows[0]) if name not in columns]
        assert len(keep) == len(rows[0]) - len(columns), f"{file} lacks one of {columns}"
        _write_table(path, [[r[i] for i in keep] for r in rows])

    return change


def add_column(file: str, name: str, value: str, *, at: int | None = None) -> Change:
    """A column the contract does not name, with `value` in every row."""

    def change(seeds: Path) -> None:
        path = seeds / file
        rows = _table(path)
        where = len(rows[0]) if at is None else at
        _write_table(
            path, [[*r[:where], name if i == 0 else value, *r[where:]] for i, r in enumerate(rows)]
        )

    return change


def dated(file: str) -> tuple[Change, Change]:
    """The optional `valid_from` and `valid_to` columns added, empty in every row (every
    row in force always, as without them); a case then dates the rows it needs."""
    return add_column(file, "valid_from", ""), add_column(file, "valid_to", "")


def rename_header(file: str, old: str, new: str) -> Change:
    """A column's name in the header changed; the rows stay as they are."""

    def change(seeds: Path) -> None:
        path = seeds / file
        lines = _split(path)
        header = _fields(lines[0])
        header[header.index(old)] = new
        lines[0] = _join(header).encode() + _ending(lines[0])
        path.write_bytes(b"".join(lines))

    return change


def reverse_columns(file: str) -> Change:
    def change(seeds: Path) -> None:
        path = seeds / file
        _write_table(path, [list(reversed(r)) for r in _table(path)])

    return change


def crlf(file: str) -> Change:
    """Every line end CRLF, as Excel on Windows saves."""

    def change(seeds: Path) -> None:
        path = seeds / file
        path.write_bytes(b"".join(line.rstrip(b"\r\n") + b"\r\n" for line in _split(path)))

    return change


def bom(file: str) -> Change:
    """A UTF-8 byte order mark before the header, as Excel's "CSV UTF-8" writes."""

    def change(seeds: Path) -> None:
        path = seeds / file
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())

    return change


def encode(file: str, encoding: str) -> Change:
    """The file re-encoded (its text unchanged)."""

    def change(seeds: Path) -> None:
        path = seeds / file
        path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))

    return change


# Cases -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """One problem line: where, and text its reason must hold (every part of it)."""

    file: str
    line: int
    column: str
    reason: tuple[str, ...]

    @property
    def where(self) -> str:
        """The start of the printed line: `clients.csv line 4, column timezone: `."""
        return str(Problem(self.file, self.line, self.column, "")).rstrip()

    def matches(self, problem: Problem) -> bool:
        return (problem.file, problem.line, problem.column) == (
            self.file,
            self.line,
            self.column,
        ) and all(part in problem.reason for part in self.reason)

    def __str__(self) -> str:
        return f"{self.where} ...{' ... '.join(self.reason)}..."


def expect(file: str, line: int, column: str, *reason: str) -> Expected:
    return Expected(file, line, column, reason)


@dataclass(frozen=True)
class Case:
    """One change to the reference folder, and every problem line it must cause."""

    name: str
    changes: tuple[Change, ...]
    expected: tuple[Expected, ...] = ()

    @property
    def files(self) -> set[str]:
        return {e.file for e in self.expected}


def case(name: str, *changes: Change, expected: Iterable[Expected] = ()) -> Case:
    return Case(name, tuple(changes), tuple(expected))


C, E = "clients.csv", "engineers.csv"
CAL, HOL, LEAVE = "business_calendars.csv", "holidays.csv", "engineer_leave.csv"
SLA, XLA = "sla_policies.csv", "xla_targets.csv"
RULES, WAIVERS = "timeslip_rules.csv", "timeslip_waivers.csv"
VMAP, SETTINGS = "value_map.csv", "msp_settings.csv"
WAIVER_HEADER = b"rule_id,subject_id,decision,reviewed_by,reviewed_at,reason\n"

REFUSED: list[Case] = [
    # Time zones ------------------------------------------------------------------------
    case(
        "client time zone not IANA",
        set_cell(C, 4, "timezone", "Mars/Base", row="C003"),
        expected=[expect(C, 4, "timezone", "'Mars/Base' is not an IANA time zone")],
    ),
    case(
        "engineer time zone misspelt",
        set_cell(E, 5, "timezone", "Europe/Londen", row="E004"),
        expected=[expect(E, 5, "timezone", "'Europe/Londen' is not an IANA time zone")],
    ),
    case(
        "time zone as an abbreviation",
        set_cell(C, 10, "timezone", "BST", row="C009"),
        expected=[expect(C, 10, "timezone", "'BST' is not an IANA time zone")],
    ),
    # Repeated keys ----------------------------------------------------------------------
    case(
        "client_id twice",
        set_cell(C, 3, "client_id", "C001", row="C002"),
        expected=[expect(C, 3, "client_id", "client_id 'C001' repeats line 2")],
    ),
    case(
        "engineer_id twice (a row copied in)",
        copy_row(E, 2, row="E001", to=3, engineer_name="Marcus Patel Jr"),
        expected=[expect(E, 3, "engineer_id", "engineer_id 'E001' repeats line 2")],
    ),
    case(
        "holiday of one calendar on one date twice",
        set_cell(HOL, 3, "holiday_date", "2026-01-01", row="cal_us"),
        expected=[
            expect(
                HOL,
                3,
                "holiday_date",
                "calendar_id 'cal_us', holiday_date '2026-01-01' repeats line 2",
            )
        ],
    ),
    case(
        "SLA policy of one tier, priority and metric twice",
        copy_row(SLA, 2, row="gold", to=3, target_minutes="20"),
        expected=[
            expect(
                SLA,
                3,
                "metric",
                "contract_tier 'gold', priority 'P1', metric 'first_response' repeats line 2",
            )
        ],
    ),
    case(
        "XLA target of one tier and metric twice",
        set_cell(XLA, 3, "metric", "happiness", row="gold"),
        expected=[
            expect(XLA, 3, "metric", "contract_tier 'gold', metric 'happiness' repeats line 2")
        ],
    ),
    case(
        "timeslip rule twice",
        set_cell(RULES, 3, "rule_id", "overlap", row="excessive_day"),
        expected=[expect(RULES, 3, "rule_id", "rule_id 'overlap' repeats line 2")],
    ),
    case(
        "value map source value twice",
        set_cell(VMAP, 4, "source_value", "Active", row="servicenow"),
        expected=[
            expect(
                VMAP,
                4,
                "source_value",
                "source 'servicenow', field 'status', source_value 'Active' repeats line 3",
            )
        ],
    ),
    # Versions of a row in force one after another (valid_from / valid_to) --------------
    case(
        # Line 5 is gold P2 resolution, now to 2026-03-31; its new version, inserted as
        # line 6, starts on 2026-03-01: both are in force for the whole of March.
        "SLA policy versions in force on a day in common",
        *dated(SLA),
        set_cell(SLA, 5, "valid_to", "2026-03-31", row="gold"),
        copy_row(
            SLA, 5, row="gold", to=6, target_minutes="420", valid_from="2026-03-01", valid_to=""
        ),
        expected=[
            expect(
                SLA,
                6,
                "metric",
                "contract_tier 'gold', priority 'P2', metric 'resolution' in force "
                "2026-03-01..(open) overlaps line 5 (in force (always)..2026-03-31)",
            )
        ],
    ),
    case(
        # A dated version added while the undated row (in force always) was left as it is.
        "timeslip rule version added without ending the row before it",
        *dated(RULES),
        copy_row(RULES, 2, row="overlap", to=3, threshold="10", valid_from="2026-03-01"),
        expected=[
            expect(
                RULES,
                3,
                "rule_id",
                "rule_id 'overlap' in force 2026-03-01..(open) overlaps line 2 "
                "(in force (always)..(open))",
            )
        ],
    ),
    case(
        # Only the reversed range is said: a row in force on no day collides with none,
        # not even gold nps's other version (line 4) in force from 2026-02-01.
        "valid_to before valid_from",
        *dated(XLA),
        set_cells(XLA, 3, row="gold", valid_from="2026-03-01", valid_to="2026-02-28"),
        copy_row(XLA, 3, row="gold", to=4, target="45", valid_from="2026-02-01", valid_to=""),
        expected=[expect(XLA, 3, "valid_to", "2026-02-28 is before valid_from 2026-03-01")],
    ),
    case(
        # C003 to 2025-12-31, its next version (line 5) from a date that is not one: that
        # is the problem, not when the version is in force, which cannot be told.
        "valid_from not a date",
        *dated(C),
        set_cell(C, 4, "valid_to", "2025-12-31", row="C003"),
        copy_row(
            C, 4, row="C003", to=5, contract_tier="gold", valid_from="01/01/2026", valid_to=""
        ),
        expected=[expect(C, 5, "valid_from", "'01/01/2026' is not a YYYY-MM-DD date")],
    ),
    # Calendars --------------------------------------------------------------------------
    case(
        "calendar window closes before it opens",
        set_cell(CAL, 2, "closes_at", "07:00", row="cal_us"),
        expected=[expect(CAL, 2, "closes_at", "07:00 is not after opens_at 08:00")],
    ),
    case(
        "calendar window closes when it opens",
        set_cell(CAL, 13, "closes_at", "09:00", row="cal_uk"),
        expected=[expect(CAL, 13, "closes_at", "09:00 is not after opens_at 09:00")],
    ),
    case(
        "calendar window crossing midnight in one row",
        set_cells(CAL, 28, row="cal_au", opens_at="22:00", closes_at="06:00"),
        expected=[expect(CAL, 28, "closes_at", "06:00 is not after opens_at 22:00", "24:00")],
    ),
    case(
        "two calendar windows of one day overlap",
        set_cell(CAL, 19, "opens_at", "11:30", row="cal_de"),
        expected=[
            expect(
                CAL,
                19,
                "opens_at",
                "11:30-17:00 overlaps the window of line 18 (calendar 'cal_de', weekday 1)",
            )
        ],
    ),
    case(
        # cal_de's Monday (lines 18 08:00-12:00 and 19 13:00-17:00) becomes 09:00-17:00
        # from 2026-03-01 (inserted as line 20), but line 19 is left in force to
        # 2026-03-01 itself: both ends are included, so on that day 13:00-17:00 (opening
        # later) overlaps 09:00-17:00. Line 18 ends on 2026-02-28 and overlaps nothing.
        "calendar windows of one day overlap on a day both are in force",
        *dated(CAL),
        set_cell(CAL, 18, "valid_to", "2026-02-28", row="cal_de"),
        set_cell(CAL, 19, "valid_to", "2026-03-01", row="cal_de"),
        copy_row(
            CAL,
            18,
            row="cal_de",
            to=20,
            opens_at="09:00",
            closes_at="17:00",
            valid_from="2026-03-01",
            valid_to="",
        ),
        expected=[
            expect(
                CAL,
                19,
                "opens_at",
                "13:00-17:00 in force (always)..2026-03-01 overlaps the window of line 20 "
                "(calendar 'cal_de', weekday 1, in force 2026-03-01..(open))",
            )
        ],
    ),
    case(
        "time written 8h",
        set_cell(CAL, 3, "opens_at", "8h", row="cal_us"),
        expected=[expect(CAL, 3, "opens_at", "'8h' is not a local time HH:MM")],
    ),
    case(
        "closing time 25:00",
        set_cell(CAL, 4, "closes_at", "25:00", row="cal_us"),
        expected=[expect(CAL, 4, "closes_at", "'25:00' is not a local time HH:MM")],
    ),
    case(
        # Only the value that is wrong: the window's other check cannot judge a time
        # that is not one.
        "opening time 25:00",
        set_cell(CAL, 6, "opens_at", "25:00", row="cal_us"),
        expected=[expect(CAL, 6, "opens_at", "'25:00' is not a local time HH:MM")],
    ),
    case(
        "weekday 8",
        set_cell(CAL, 5, "weekday", "8", row="cal_us"),
        expected=[expect(CAL, 5, "weekday", "'8' is outside 1..7")],
    ),
    # References between files -----------------------------------------------------------
    case(
        "client calendar that business_calendars.csv does not define",
        set_cell(C, 5, "calendar_id", "cal_fr", row="C004"),
        expected=[
            expect(C, 5, "calendar_id", "'cal_fr' is not a calendar_id of business_calendars.csv")
        ],
    ),
    case(
        "engineer calendar that business_calendars.csv does not define",
        set_cell(E, 6, "calendar_id", "cal_nl", row="E005"),
        expected=[
            expect(E, 6, "calendar_id", "'cal_nl' is not a calendar_id of business_calendars.csv")
        ],
    ),
    case(
        "holiday calendar that business_calendars.csv does not define",
        set_cell(HOL, 2, "calendar_id", "cal_usa", row="cal_us"),
        expected=[
            expect(
                HOL, 2, "calendar_id", "'cal_usa' is not a calendar_id of business_calendars.csv"
            )
        ],
    ),
    case(
        "client tier that sla_policies.csv does not define",
        set_cell(C, 6, "contract_tier", "platinum", row="C005"),
        expected=[
            expect(C, 6, "contract_tier", "'platinum' is not a contract_tier of sla_policies.csv")
        ],
    ),
    case(
        "XLA target tier that sla_policies.csv does not define",
        set_cell(XLA, 10, "contract_tier", "bronze_plus", row="bronze"),
        expected=[
            expect(
                XLA,
                10,
                "contract_tier",
                "'bronze_plus' is not a contract_tier of sla_policies.csv",
            )
        ],
    ),
    case(
        "leave of an engineer not in engineers.csv",
        set_cell(LEAVE, 2, "engineer_id", "E099", row="E001"),
        expected=[expect(LEAVE, 2, "engineer_id", "'E099' is not a", "of engineers.csv")],
    ),
    # Values not allowed -----------------------------------------------------------------
    case(
        "unknown priority P5",
        copy_row(SLA, 9, row="gold", to=10, priority="P5"),
        expected=[expect(SLA, 10, "priority", "'P5' is not one of P1, P2, P3, P4")],
    ),
    case(
        # The tier now lacks a P1 first-response policy: its first client says so too.
        "unknown metric (first response with a space)",
        set_cell(SLA, 2, "metric", "first response", row="gold"),
        expected=[
            expect(SLA, 2, "metric", "'first response' is not one of first_response, resolution"),
            expect(
                C,
                3,
                "contract_tier",
                "tier 'gold' has no policy in sla_policies.csv for P1 first_response",
            ),
        ],
    ),
    case(
        "unknown clock",
        set_cell(SLA, 4, "clock", "business hours", row="gold"),
        expected=[expect(SLA, 4, "clock", "'business hours' is not one of business, 24x7")],
    ),
    case(
        "unknown comparator =>",
        set_cell(XLA, 4, "comparator", "=>", row="gold"),
        expected=[expect(XLA, 4, "comparator", "'=>' is not one of >=, <=")],
    ),
    case(
        "unknown XLA metric",
        set_cell(XLA, 5, "metric", "csat", row="gold"),
        expected=[expect(XLA, 5, "metric", "'csat' is not one of happiness, nps")],
    ),
    case(
        "unknown severity warning",
        set_cell(RULES, 3, "severity", "warning", row="excessive_day"),
        expected=[expect(RULES, 3, "severity", "'warning' is not one of error, warn")],
    ),
    case(
        "unknown rule_id",
        set_cell(RULES, 14, "rule_id", "vague_notes", row="vague_note"),
        expected=[expect(RULES, 14, "rule_id", "'vague_notes' is not one of billed_over_worked,")],
    ),
    case(
        "enabled not true or false",
        set_cell(RULES, 4, "enabled", "on", row="billed_over_worked"),
        expected=[expect(RULES, 4, "enabled", "'on' is not true or false")],
    ),
    case(
        "unknown waiver decision",
        write(
            WAIVERS,
            WAIVER_HEADER
            + b"exact_target,E001:2026-01,rejected,auditor@msp.example,"
            + b"2026-02-03T10:00:00Z,looked fine\n",
        ),
        expected=[expect(WAIVERS, 2, "decision", "'rejected' is not one of cleared, confirmed")],
    ),
    case(
        "waiver reviewed_at not a timestamp",
        write(
            WAIVERS,
            WAIVER_HEADER
            + b"exact_target,E001:2026-01,cleared,auditor@msp.example,"
            + b"03/02/2026 10:00,on call that month\n",
        ),
        expected=[
            expect(WAIVERS, 2, "reviewed_at", "'03/02/2026 10:00' is not an ISO 8601 timestamp")
        ],
    ),
    # Numbers ----------------------------------------------------------------------------
    case(
        "target_minutes negative",
        set_cell(SLA, 5, "target_minutes", "-120", row="gold"),
        expected=[expect(SLA, 5, "target_minutes", "'-120' must be above 0")],
    ),
    case(
        "target_minutes zero",
        set_cell(SLA, 6, "target_minutes", "0", row="gold"),
        expected=[expect(SLA, 6, "target_minutes", "'0' must be above 0")],
    ),
    case(
        "target_minutes not a number (2h)",
        set_cell(SLA, 7, "target_minutes", "2h", row="gold"),
        expected=[expect(SLA, 7, "target_minutes", "'2h' is not a whole number")],
    ),
    case(
        "target_minutes beyond ten years",
        set_cell(SLA, 9, "target_minutes", "6000000", row="gold"),
        expected=[expect(SLA, 9, "target_minutes", "'6000000' is outside 0..5270400")],
    ),
    case(
        "target_minutes with a fraction",
        set_cell(SLA, 7, "target_minutes", "1.5", row="gold"),
        expected=[expect(SLA, 7, "target_minutes", "'1.5' is not a whole number")],
    ),
    case(
        "attainment_target_pct 120",
        set_cell(SLA, 8, "attainment_target_pct", "120", row="gold"),
        expected=[expect(SLA, 8, "attainment_target_pct", "'120' is outside 0..100")],
    ),
    case(
        "billable_target_pct -5",
        set_cell(E, 7, "billable_target_pct", "-5", row="E006"),
        expected=[expect(E, 7, "billable_target_pct", "'-5' is outside 0..100")],
    ),
    case(
        "billable_target_pct with a percent sign",
        set_cell(E, 10, "billable_target_pct", "75%", row="E009"),
        expected=[expect(E, 10, "billable_target_pct", "'75%' is not a number")],
    ),
    case(
        "weekly_contracted_hours 200",
        set_cell(E, 9, "weekly_contracted_hours", "200", row="E008"),
        expected=[expect(E, 9, "weekly_contracted_hours", "'200' is outside 0..168")],
    ),
    case(
        "weekly_contracted_hours with a decimal comma",
        set_cell(E, 5, "weekly_contracted_hours", "37,5", row="E004"),
        expected=[expect(E, 5, "weekly_contracted_hours", "'37,5' is not a number")],
    ),
    case(
        "leave of 25 hours",
        set_cell(LEAVE, 4, "hours", "25", row="E001"),
        expected=[expect(LEAVE, 4, "hours", "'25' is outside 0..24")],
    ),
    case(
        "XLA target out of range (happiness 150)",
        set_cell(XLA, 2, "target", "150", row="gold"),
        expected=[expect(XLA, 2, "target", "'150' is outside -100..100 for happiness")],
    ),
    case(
        # 1e400 is a number too large for a float: infinite, and far out of range.
        "XLA target 1e400",
        set_cell(XLA, 3, "target", "1e400", row="gold"),
        expected=[expect(XLA, 3, "target", "'1e400' is too large a number")],
    ),
    case(
        "min_responses 0",
        set_cell(XLA, 6, "min_responses", "0", row="silver"),
        expected=[expect(XLA, 6, "min_responses", "'0' is outside 1..1000000")],
    ),
    # Dates ------------------------------------------------------------------------------
    case(
        "a date that does not exist (2026-02-30)",
        set_cell(HOL, 4, "holiday_date", "2026-02-30", row="cal_us"),
        expected=[expect(HOL, 4, "holiday_date", "'2026-02-30' is not a date that exists")],
    ),
    case(
        "a date not in ISO form (05/01/2026)",
        set_cell(LEAVE, 3, "leave_date", "05/01/2026", row="E001"),
        expected=[expect(LEAVE, 3, "leave_date", "'05/01/2026' is not a YYYY-MM-DD date")],
    ),
    case(
        "contract_end before contract_start",
        set_cell(C, 7, "contract_end", "2026-02-28", row="C006"),
        expected=[expect(C, 7, "contract_end", "2026-02-28 is before contract_start 2026-03-01")],
    ),
    case(
        "end_date before start_date",
        set_cell(E, 8, "end_date", "2024-05-15", row="E007"),
        expected=[expect(E, 8, "end_date", "2024-05-15 is before start_date 2024-05-16")],
    ),
    case(
        "required value empty",
        set_cell(C, 9, "client_name", "", row="C008"),
        expected=[expect(C, 9, "client_name", "a value is required")],
    ),
    # The shape of a file ----------------------------------------------------------------
    case(
        "required column missing from the header",
        drop_columns(C, "timezone"),
        expected=[expect(C, 1, "timezone", "the required column is missing from the header")],
    ),
    case(
        # engineer_leave.csv names engineers of a file that cannot be read: not reported.
        "engineer_id column missing",
        drop_columns(E, "engineer_id"),
        expected=[expect(E, 1, "engineer_id", "the required column is missing from the header")],
    ),
    case(
        "required column renamed in the header",
        rename_header(HOL, "holiday_date", "date"),
        expected=[expect(HOL, 1, "holiday_date", "the required column is missing from the header")],
    ),
    case(
        "a column named twice",
        rename_header(C, "contract_end", "contract_start"),
        expected=[
            expect(C, 1, "contract_start", "the column is named more than once in the header")
        ],
    ),
    case(
        "a required file missing (holidays.csv)",
        remove(HOL),
        expected=[expect(HOL, 0, "", "the file is missing; the contract requires it")],
    ),
    case(
        # Clients, engineers and holidays name its calendars: not reported again.
        "business_calendars.csv missing",
        remove(CAL),
        expected=[expect(CAL, 0, "", "the file is missing; the contract requires it")],
    ),
    case(
        "a row with too many fields (an unquoted comma)",
        replace_line(
            C,
            8,
            b"C007,Redwood Dental, Sydney,Australia/Sydney,cal_au,bronze,2019-04-01,\n",
            row="C007",
        ),
        expected=[expect(C, 8, "", "the row has 8 fields; the header has 7")],
    ),
    case(
        # The leave of E002 is not leave of an unknown engineer: E002's row is there,
        # it cannot be read. One problem, not one more per day of E002's leave.
        "an engineers.csv row with an unquoted comma",
        replace_line(
            E,
            3,
            b"E002,Sullivan, Derek,service_desk,Service Desk Engineer,cal_us,"
            b"America/New_York,40,75,2015-09-14,,\n",
            row="E002",
        ),
        expected=[expect(E, 3, "", "the row has 12 fields; the header has 11")],
    ),
    case(
        # Only line 17 (E016, Mia Schäfer) holds a byte above 127; as for the row above,
        # E016's leave is not reported again.
        "engineers.csv saved as Windows-1252",
        encode(E, "cp1252"),
        expected=[expect(E, 17, "", "the row is not valid UTF-8")],
    ),
    case(
        "a row holding a NUL byte",
        replace_line(
            C,
            2,
            b"C001,Keystone\x00,America/Los_Angeles,cal_us,bronze,2016-01-01,\n",
            row="C001",
        ),
        expected=[expect(C, 2, "", "the row holds a NUL byte")],
    ),
    case(
        "an empty file (0 bytes)",
        write(C, b""),
        expected=[expect(C, 1, "", "empty file: no header row")],
    ),
    case(
        "a row with too few fields",
        replace_line(XLA, 7, b"silver,nps,>=,30\n", row="silver"),
        expected=[expect(XLA, 7, "", "the row has 4 fields; the header has 5")],
    ),
    case(
        "a quote left open at the end of the file",
        append(HOL, b"cal_uk,2026-12-31,\"New Year's Eve\n"),
        expected=[expect(HOL, 55, "", "unterminated quoted field")],
    ),
    # Rules between rows and files -------------------------------------------------------
    case(
        "pause status neither the contract's nor mapped",
        set_cell(SLA, 10, "pause_statuses", "Waiting Customer;On Hold", row="silver"),
        expected=[
            expect(
                SLA,
                10,
                "pause_statuses",
                "'On Hold' is not a status of the contract",
                "nor mapped to one in value_map.csv",
            )
        ],
    ),
    case(
        "pause status Resolved",
        set_cell(SLA, 11, "pause_statuses", "Waiting Customer;Resolved", row="silver"),
        expected=[
            expect(
                SLA,
                11,
                "pause_statuses",
                "'Resolved' is Resolved, which stops the clock; it cannot pause it",
            )
        ],
    ),
    case(
        "pause status Closed",
        set_cell(SLA, 12, "pause_statuses", "Closed;Waiting Vendor", row="silver"),
        expected=[expect(SLA, 12, "pause_statuses", "'Closed' is Closed, which stops the clock")],
    ),
    case(
        "pause status a name value_map.csv maps two ways",
        append(
            VMAP,
            b"psa,status,Pending,Waiting Customer\nservicenow,status,Pending,Scheduled\n",
        ),
        set_cell(SLA, 2, "pause_statuses", "Pending", row="gold"),
        expected=[
            expect(
                SLA,
                2,
                "pause_statuses",
                "'Pending' is mapped to Scheduled and Waiting Customer in value_map.csv",
            )
        ],
    ),
    case(
        "enabled rule without a threshold it needs",
        set_cell(RULES, 9, "secondary_threshold", "", row="round_heaping"),
        expected=[
            expect(
                RULES,
                9,
                "secondary_threshold",
                "rule round_heaping is enabled and needs a secondary_threshold",
            )
        ],
    ),
    case(
        "share threshold written as a percentage (exact_target 60)",
        set_cell(RULES, 10, "threshold", "60", row="exact_target"),
        expected=[
            expect(
                RULES,
                10,
                "threshold",
                "'60' is a share from 0 to 1 for rule exact_target (0.6 is 60%)",
            )
        ],
    ),
    case(
        "negative threshold",
        set_cell(RULES, 3, "threshold", "-1", row="excessive_day"),
        expected=[expect(RULES, 3, "threshold", "'-1' must be at least 0")],
    ),
    case(
        "value map canonical value not the contract's",
        set_cell(VMAP, 3, "canonical_value", "Working", row="servicenow"),
        expected=[
            expect(
                VMAP,
                3,
                "canonical_value",
                "'Working' is not a status of the contract: one of New, In Progress",
            )
        ],
    ),
    case(
        "value map source not psa or servicenow",
        set_cell(VMAP, 10, "source", "autotask", row="servicenow"),
        expected=[expect(VMAP, 10, "source", "'autotask' is not one of psa, servicenow")],
    ),
    case(
        "msp_settings unknown setting",
        write(SETTINGS, b"setting,value\nbillable_goal_period,month\nweek_start,monday\n"),
        expected=[
            expect(SETTINGS, 3, "setting", "'week_start' is not one of billable_goal_period")
        ],
    ),
    case(
        "msp_settings billable_goal_period fortnight",
        write(SETTINGS, b"setting,value\nbillable_goal_period,fortnight\n"),
        expected=[
            expect(
                SETTINGS,
                2,
                "value",
                "'fortnight' is not one of week, month, quarter for billable_goal_period",
            )
        ],
    ),
    case(
        "engineer billable_goal_period fortnight",
        set_cell(E, 11, "billable_goal_period", "fortnight", row="E010"),
        expected=[
            expect(E, 11, "billable_goal_period", "'fortnight' is not one of week, month, quarter")
        ],
    ),
    case(
        # Reported once, on the tier's first client (C001, line 2), not on each of them.
        "client whose tier lacks a P4 resolution policy",
        delete_line(SLA, 25, row="bronze"),
        expected=[
            expect(
                C,
                2,
                "contract_tier",
                "tier 'bronze' has no policy in sla_policies.csv for P4 resolution",
            )
        ],
    ),
    # Several at once --------------------------------------------------------------------
    case(
        "several problems in one folder",
        set_cell(C, 4, "timezone", "Mars/Base", row="C003"),
        set_cell(C, 5, "calendar_id", "cal_fr", row="C004"),
        set_cell(SLA, 6, "target_minutes", "0", row="gold"),
        set_cell(HOL, 4, "holiday_date", "2026-02-30", row="cal_us"),
        set_cell(RULES, 3, "severity", "warning", row="excessive_day"),
        write(SETTINGS, b"setting,value\nbillable_goal_period,fortnight\n"),
        expected=[
            expect(C, 4, "timezone", "'Mars/Base' is not an IANA time zone"),
            expect(C, 5, "calendar_id", "'cal_fr' is not a calendar_id of business_calendars.csv"),
            expect(SLA, 6, "target_minutes", "'0' must be above 0"),
            expect(HOL, 4, "holiday_date", "'2026-02-30' is not a date that exists"),
            expect(RULES, 3, "severity", "'warning' is not one of error, warn"),
            expect(SETTINGS, 2, "value", "'fortnight' is not one of week, month, quarter"),
        ],
    ),
]

# holidays.csv as Excel on Windows saves it, with a column the contract does not name.
EXCEL_HOLIDAYS: tuple[Change, ...] = (
    add_column(HOL, "observed_by", "whole office"),
    crlf(HOL),
    bom(HOL),
)

TOLERATED: list[Case] = [
    case("UTF-8 BOM", bom(C)),
    case("CRLF line ends", crlf(SLA)),
    case(
        "a row added in a Windows editor to an LF file",
        append(LEAVE, b"E002,2026-12-24,4\r\n"),
    ),
    case(
        "one CRLF line in the middle of an LF file",
        replace_line(
            C,
            4,
            b"C003,Bayview Credit Union,America/Chicago,cal_us,silver,2017-08-01,\r\n",
            row="C003",
        ),
    ),
    case("extra columns", add_column(C, "account_manager", "Dana"), add_column(E, "notes", "")),
    case("an extra column first", add_column(XLA, "comment", "agreed 2025", at=0)),
    case("columns in another order", reverse_columns(E)),
    case("a trailing line of empty cells", append(XLA, b",,,,\n,,,,\n")),
    case("value_map.csv and msp_settings.csv absent", remove(VMAP), remove(SETTINGS)),
    case(
        "clients.csv with the contract's columns only",
        drop_columns(C, "contract_start", "contract_end"),
    ),
    case("engineers.csv without billable_goal_period", drop_columns(E, "billable_goal_period")),
    case("CRLF, BOM and an extra column in holidays.csv", *EXCEL_HOLIDAYS),
    case("UTF-16 with a BOM", encode(E, "utf-16")),
    case("spaces around values", set_cell(C, 2, "timezone", " America/Los_Angeles ", row="C001")),
    case("time written H:MM", set_cell(CAL, 2, "opens_at", "8:00", row="cal_us")),
    case(
        "pause status a PSA's own name mapped in value_map.csv",
        set_cell(SLA, 18, "pause_statuses", "Awaiting User Info;Awaiting Vendor", row="bronze"),
    ),
    case(
        "a disabled rule without its threshold",
        set_cells(RULES, 2, row="overlap", enabled="false", threshold=""),
    ),
    case("a header-only waivers file with a blank line", append(WAIVERS, b"\n")),
    case(
        # An auditor's tool may write UTC without saying so.
        "waiver reviewed_at without a UTC offset",
        write(
            WAIVERS,
            WAIVER_HEADER
            + b"exact_target,E001:2026-01,cleared,auditor@msp.example,"
            + b"2026-02-03T10:00:00,on call that month\n",
        ),
    ),
    case(
        "a window ending at 24:00 and the next starting at 00:00",
        set_cell(CAL, 12, "closes_at", "24:00", row="cal_us_retail"),
        copy_row(
            CAL, 12, row="cal_us_retail", to=13, weekday="7", opens_at="00:00", closes_at="02:00"
        ),
    ),
]

# Versions of a row in force one after another: a day apart, nothing in common.
TOLERATED += [
    case(
        # Line 5 (gold P2 resolution) to 2026-02-28, its new version from 2026-03-01.
        "SLA policy versions one after another",
        *dated(SLA),
        set_cell(SLA, 5, "valid_to", "2026-02-28", row="gold"),
        copy_row(
            SLA, 5, row="gold", to=6, target_minutes="420", valid_from="2026-03-01", valid_to=""
        ),
    ),
    case(
        # Three versions of C003: silver, then gold for 2026, then silver again. The
        # references and the tier's policies hold for each.
        "client versions changing tier",
        *dated(C),
        set_cell(C, 4, "valid_to", "2025-12-31", row="C003"),
        copy_row(
            C, 4, row="C003", to=5, contract_tier="gold", valid_from="2026-01-01", valid_to=""
        ),
        set_cell(C, 5, "valid_to", "2026-12-31", row="C003"),
        copy_row(C, 4, row="C003", to=6, valid_from="2027-01-01", valid_to=""),
    ),
    case(
        # cal_de's Monday, 08:00-12:00 and 13:00-17:00 to 2026-02-28, then 09:00-17:00:
        # the windows overlap in time but are never in force on one day.
        "calendar hours changing on a date",
        *dated(CAL),
        set_cell(CAL, 18, "valid_to", "2026-02-28", row="cal_de"),
        set_cell(CAL, 19, "valid_to", "2026-02-28", row="cal_de"),
        copy_row(
            CAL,
            18,
            row="cal_de",
            to=20,
            opens_at="09:00",
            closes_at="17:00",
            valid_from="2026-03-01",
            valid_to="",
        ),
    ),
    case(
        # round_heaping switched off from 2026-01-01: the disabled version needs no
        # secondary_threshold, the enabled one before it still has it.
        "timeslip rule disabled from a date",
        *dated(RULES),
        set_cell(RULES, 9, "valid_to", "2025-12-31", row="round_heaping"),
        copy_row(
            RULES,
            9,
            row="round_heaping",
            to=10,
            enabled="false",
            secondary_threshold="",
            valid_from="2026-01-01",
            valid_to="",
        ),
    ),
    case("validity columns present and empty", *dated(E), *dated(HOL), *dated(XLA)),
]

CASES: list[Case] = REFUSED + TOLERATED


def apply(case: Case, seeds: Path) -> Path:
    """A copy of the repository's seeds in `seeds`, with the case's changes made."""
    shutil.copytree(SEEDS, seeds)
    for change in case.changes:
        change(seeds)
    return seeds


def try_case(case: Case, root: Path) -> Validation:
    """Validate the repository's seeds with the case's changes made (under `root`)."""
    return validate_folder(apply(case, root / "seeds"))


def unexplained(case: Case, problems: list[Problem]) -> list[str]:
    """How the problems found differ from the case's: every expected line found exactly
    once, and no other problem (in its own files or any other)."""
    wrong = []
    for expected in case.expected:
        found = [p for p in problems if expected.matches(p)]
        if len(found) != 1:
            wrong.append(f"expected once, found {len(found)} times: {expected}")
    for problem in problems:
        if not any(e.matches(problem) for e in case.expected):
            wrong.append(f"not expected: {problem}")
    return wrong


# End to end ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Workspace:
    """A data folder and the reference folder `xla` reads."""

    data_dir: Path
    seeds_dir: Path

    @property
    def settings(self) -> Settings:
        return Settings(data_dir=self.data_dir, seeds_dir=self.seeds_dir)

    def env(self) -> dict[str, str]:
        return {
            "XLA_DATA_DIR": str(self.data_dir),
            "XLA_SEEDS_DIR": str(self.seeds_dir),
            "DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "GX_ANALYTICS_ENABLED": "false",
        }

    def xla(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The `xla` command, in a process of its own."""
        return subprocess.run(
            [sys.executable, "-m", "orchestration.cli", *args],
            env={**os.environ, **self.env()},
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )

    def xla_here(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The `xla` command's `main` in this process: the same code without the cost of
        starting Python, for the many refused runs of the corpus."""
        from orchestration import cli

        saved = dict(os.environ)
        os.environ.update(self.env())
        output = io.StringIO()
        try:
            with contextlib.redirect_stdout(output):
                code = cli.main(list(args))
        finally:
            os.environ.clear()
            os.environ.update(saved)
        return subprocess.CompletedProcess(["xla", *args], code, output.getvalue(), "")


@dataclass(frozen=True)
class Release:
    """What `published` is: its link target, the file's bytes and time, the releases."""

    target: str
    sha256: str
    size: int
    mtime_ns: int
    releases: tuple[str, ...]

    @classmethod
    def of(cls, data_dir: Path) -> Release:
        db = data_dir / "published" / "warehouse.duckdb"
        stat = db.stat()
        return cls(
            target=os.readlink(data_dir / "published"),
            sha256=hashlib.sha256(db.read_bytes()).hexdigest(),
            size=stat.st_size,
            mtime_ns=stat.st_mtime_ns,
            releases=tuple(sorted(p.name for p in (data_dir / "releases").iterdir())),
        )


@dataclass
class Refusal:
    """What one `xla run` on broken reference data did."""

    case: Case
    workspace: Workspace
    problems: list[Problem]  # what validate_folder finds in the broken folder
    returncode: int
    stdout: str
    before: Release
    after: Release
    run_ids: list[str] = field(default_factory=list)  # runs the audit store gained
    checks: list[results.CheckResult] = field(default_factory=list)
    history_rows: list[dict[str, object]] = field(default_factory=list)
    site: str = ""

    def console(self) -> list[str]:
        """The console's lines without their time stamps and indentation."""
        return console_lines(self.stdout)


def _runs(data_dir: Path) -> set[str]:
    folder = data_dir / "audit" / "check_results"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def refuse(case: Case, data_dir: Path, root: Path, *, in_process: bool = True) -> Refusal:
    """`xla run` on the published data folder `data_dir` with the case's seeds (written
    under `root`). A refused run changes nothing published, so every case can use the
    same folder."""
    seeds = apply(case, root / "seeds")
    workspace = Workspace(data_dir, seeds)
    runs = _runs(data_dir)
    before = Release.of(data_dir)
    run = workspace.xla_here("run") if in_process else workspace.xla("run")
    new_runs = sorted(_runs(data_dir) - runs)
    checks = [c for run_id in new_runs for c in results.for_run(workspace.settings, run_id)]
    history = results.history(workspace.settings).to_pylist()
    site = data_dir / "audit" / "site" / "index.html"
    return Refusal(
        case=case,
        workspace=workspace,
        problems=validate_folder(seeds).problems,
        returncode=run.returncode,
        stdout=run.stdout + run.stderr,
        before=before,
        after=Release.of(data_dir),
        run_ids=new_runs,
        checks=checks,
        history_rows=[row for row in history if row["run_id"] in new_runs],
        site=site.read_text(encoding="utf-8") if site.exists() else "",
    )
