"""Hostile text in the extracts stays inert in every page and CSV a publication writes.

One small generated MSP whose ticket subjects, survey comments and timeslip notes are
replaced by HTML, JavaScript, SQL, spreadsheet formulas and control characters (plus
one quarantined row carrying a script) goes through `xla run` once; then every HTML file
of the release (service reviews, auditors' site, Great Expectations Data Docs, dbt docs)
and every CSV is read back. With the default setting the BI file holds none of it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.static_html.text import csv_cell
from tests.browser import chromium, load_page
from tests.published_workspace import Workspace
from xla_lab.generate import generate

SCRIPT = "<script>alert('xss')</script>"
IMAGE = "<img src=x onerror=alert(1)>"
LINK = '<a href="javascript:alert(1)">click</a>'
SQL = "'; drop table fct_tickets; --"
FORMULA = '=HYPERLINK("http://evil.example","click")'
CONTROL = "bell\x07 and \u202ereversed"
# Short enough (< 15 characters) for the vague_note rule to quote them in its evidence.
SHORT = ["<i>x</i>", "=cmd|'/C calc'", "@SUM(1+1)", "+1+1", "-2+3", "\t=1+1"]
PAYLOADS = [SCRIPT, IMAGE, LINK, SQL, FORMULA, CONTROL]
RAW_HTML = [SCRIPT, IMAGE, LINK, "<i>x</i>"]


def _rewrite(
    folder: Path, extract: str, column: str, values: list[str], long_values: list[str] | None = None
) -> None:
    """Set `column` of every row of the extract's files, cycling through `values`
    (`long_values` for timeslips of 2 h or more, which the vague_note rule reads)."""
    count = long_count = 0
    for path in sorted(folder.glob(f"{extract}_2*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            names = list(reader.fieldnames or [])
            rows = list(reader)
        for row in rows:
            if long_values and float(row.get("hours_worked") or 0) >= 2:
                row[column] = long_values[long_count % len(long_values)]
                long_count += 1
            else:
                row[column] = values[count % len(values)]
            count += 1
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, names, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    assert count, f"no {extract} rows generated"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("hostile-msp")
    landing = root / "data" / "landing"
    generate(landing, scale=0.1, months=1, seed=11, seeds_dir=root / "seeds")
    _rewrite(landing, "tickets", "subject", PAYLOADS)
    _rewrite(landing, "surveys", "comment", PAYLOADS)
    _rewrite(landing, "timeslips", "notes", PAYLOADS, long_values=SHORT)
    header = "ticket_id,client_id,priority,status,created_at,updated_at,subject"
    (landing / "tickets_20260131_hostile.csv").write_text(
        f'{header}\nTX1,C001,P9,New,2026-01-05T09:00:00Z,2026-01-05T09:00:00Z,"{SCRIPT}"\n'
    )
    workspace = Workspace(data_dir=root / "data", seeds_dir=root / "seeds")
    run = workspace.xla("run")
    assert run.returncode == 0, run.stdout + run.stderr
    return workspace


def _pages(workspace: Workspace) -> list[Path]:
    release = (workspace.data_dir / "published").resolve()
    return sorted(release.rglob("*.html")) + sorted(
        (workspace.data_dir / "build" / "gx_docs").rglob("*.html")
    )


def test_no_page_carries_hostile_markup_as_markup(hostile: Workspace) -> None:
    pages = _pages(hostile)
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8", errors="replace")
        for payload in RAW_HTML:
            assert payload not in text, (page, payload)
        assert "\x07" not in text and "\u202e" not in text, page


def test_the_hostile_text_is_shown_as_text_where_the_pages_show_data(hostile: Workspace) -> None:
    release = (hostile.data_dir / "published").resolve()
    reviews = "".join(p.read_text(encoding="utf-8") for p in (release / "reports").rglob("*.html"))
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in reviews  # a survey comment
    assert "bell\\x07 and \\u202ereversed" in reviews
    quarantine = (release / "audit" / "quarantine.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in quarantine
    flags = (release / "audit" / "flags.html").read_text(encoding="utf-8")
    assert "&lt;i&gt;x&lt;/i&gt;" in flags  # a vague note quoted in the evidence


def test_every_csv_cell_is_safe_to_open_in_a_spreadsheet(hostile: Workspace) -> None:
    release = (hostile.data_dir / "published").resolve()
    sheets = sorted(release.rglob("*.csv"))
    assert sheets
    seen_notes = False
    for sheet in sheets:
        with sheet.open(newline="", encoding="utf-8-sig") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    seen_notes |= "=cmd|'/C calc'" in cell
                    if cell.lstrip(" \t\r\n").startswith(("=", "+", "@", "-")):
                        assert cell.startswith("'") or _is_number(cell), (sheet, cell)
    assert seen_notes


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\n=1+1", "'\n=1+1"),
        (" =1+1", "' =1+1"),
        ("\uff1dHYPERLINK(1)", "'\uff1dHYPERLINK(1)"),
        ("plain text", "plain text"),
        ("a=b", "a=b"),
        (-3, "-3"),
        (2.5, "2.5"),
    ],
)
def test_a_csv_cell_never_starts_a_formula(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


def test_the_bi_file_holds_no_free_text_by_default(hostile: Workspace) -> None:
    con = duckdb.connect(str(hostile.published), read_only=True)
    try:
        assert con.execute("select count(*) from fct_tickets").fetchone()[0] > 0
        assert con.execute("select count(subject) from fct_tickets").fetchone()[0] == 0
        assert con.execute(
            "select count(comment) + count(follow_up_outcome) from fct_survey_responses"
        ).fetchone() == (0,)
        # Every published column of these names, in the marts the reviews read too.
        carrying = con.execute(
            "select table_name, column_name from duckdb_columns()"
            " where database_name = current_database() and schema_name = 'main'"
            " and column_name in ('subject', 'comment', 'follow_up_outcome')"
        ).fetchall()
        assert {"fct_sla_breaches", "fct_survey_follow_ups"} <= {t for t, _ in carrying}
        for table, column in carrying:
            (held,) = con.execute(f'select count("{column}") from main."{table}"').fetchone()
            assert held == 0, f"{table}.{column}"
        assert con.execute(
            "select count(*), count(raw_line) from quarantine_rows where file_name = "
            "'tickets_20260131_hostile.csv'"
        ).fetchone() == (1, 0)
        evidence = [
            text
            for (text,) in con.execute(
                "select evidence from fct_timeslip_flags where rule_id = 'vague_note'"
            ).fetchall()
        ]
    finally:
        con.close()
    assert evidence
    assert all("notes withheld (" in text or "no notes" in text for text in evidence)
    assert not any(payload in text for text in evidence for payload in SHORT)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


def test_pages_in_chromium_run_nothing_and_show_the_text(browser: Any, hostile: Workspace) -> None:
    release = (hostile.data_dir / "published").resolve()
    review = next(
        page
        for page in sorted((release / "reports").rglob("C*.html"))
        if "alert(&#39;xss&#39;)" in page.read_text(encoding="utf-8")
    )
    assert SCRIPT in load_page(browser, review)
    assert SCRIPT in load_page(browser, release / "audit" / "quarantine.html")
    assert "<i>x</i>" in load_page(browser, release / "audit" / "flags.html")
