"""Ingest: reading, validating and landing files, with hand-made inputs and expectations."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from ingest_workspace import ingest_settings

from orchestration.config import Settings
from orchestration.contract import SURVEYS, TICKET_EVENTS, TICKETS, TIMESLIPS
from orchestration.ingest import ledger
from orchestration.ingest.expectations import SuiteRunner
from orchestration.ingest.landing import ingest_landing
from orchestration.ingest.reader import classify, decode, parse
from orchestration.ingest.validate import Plausible, canonical_view, to_arrow, validate
from orchestration.reference import snapshot
from orchestration.reference.view import Vocabulary

TICKET_HEADER = "ticket_id,client_id,priority,status,created_at,updated_at,subject"


def test_records_keep_their_first_line_and_raw_text() -> None:
    text = 'a,b\r\n1,"two\r\nlines"\r\n\r\n3,"say ""hi"""\r\n'
    parsed = parse(text)
    assert parsed.header == ["a", "b"]
    assert parsed.records == [["1", "two\r\nlines"], ["3", 'say "hi"']]
    assert parsed.lines == [2, 5]
    assert parsed.raws == ['1,"two\r\nlines"', '3,"say ""hi"""']


def test_an_unterminated_quote_swallows_the_rest_of_the_file_into_one_bad_record() -> None:
    parsed = parse('a,b\n1,2\n3,"open\n4,5\n')
    assert parsed.lines == [2, 3]
    assert parsed.records[1] == ["3", "open\n4,5\n"]
    result = validate(TICKETS, parse(TICKET_HEADER + '\nT1,C001,P1,New,x,y,"open\nT2,C001\n'))
    assert list(result.rejected["line_number"]) == [2]
    assert result.rejected["reason"][0] == "unterminated quoted field runs to the end of the file"


def test_bom_and_utf16_are_decoded() -> None:
    assert decode("\ufeffa,b\n".encode()) == "a,b\n"
    assert decode("a,b\n".encode("utf-16")) == "a,b\n"


def test_landing_file_names() -> None:
    assert classify(Path("tickets_20260105.csv")).extract == "tickets"
    assert classify(Path("ticket_events_20260105_eu.csv")).extract == "ticket_events"
    assert classify(Path("ticket_events_20260105.csv")).extract_date == date(2026, 1, 5)
    assert classify(Path("tickets_20261305.csv")) is None
    assert classify(Path("tickets.csv")) is None
    assert classify(Path("tickets_20260105.csv.gz")) is None


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            "T1,C001,P9,New,2026-01-05T09:00:00Z,2026-01-05T09:00:00Z,s",
            "priority 'P9' is not one of P1, P2, P3, P4",
        ),
        (
            ",C001,P1,New,2026-01-05T09:00:00Z,2026-01-05T09:00:00Z,s",
            "missing required value in ticket_id",
        ),
        (
            "T1,C001,P1,New,yesterday,2026-01-05T09:00:00Z,s",
            "created_at 'yesterday' is not an ISO 8601 timestamp",
        ),
        (
            "T1,C001,P1,New,2026-01-05T09:00:00,2026-01-05T09:00:00Z,s",
            "created_at '2026-01-05T09:00:00' has no UTC offset",
        ),
        (
            "T1,C001,P1,New,2026-02-30T09:00:00Z,2026-02-30T09:00:00Z,s",
            "created_at '2026-02-30T09:00:00Z' is not an ISO 8601 timestamp",
        ),
        ("T1,C001,P1,New", "row has 4 fields; the header has 7"),
    ],
)
def test_each_broken_ticket_row_gets_its_reason(row: str, reason: str) -> None:
    result = validate(TICKETS, parse(f"{TICKET_HEADER}\n{row}\n"))
    assert len(result.accepted) == 0
    assert list(result.rejected["line_number"]) == [2]
    assert result.rejected["raw_line"][0] == row
    assert reason in result.rejected["reason"][0]


def test_a_row_with_several_faults_lists_them_all() -> None:
    row = "T1,C001,P9,Lost,2026-01-05T09:00:00Z,2026-01-05T09:00:00Z,s"
    reason = validate(TICKETS, parse(f"{TICKET_HEADER}\n{row}\n")).rejected["reason"][0]
    assert reason == (
        "priority 'P9' is not one of P1, P2, P3, P4 nor mapped in value_map.csv (source psa, "
        "field priority); status 'Lost' is not one of New, In Progress, Waiting Customer, "
        "Waiting Vendor, Scheduled, Resolved, Closed nor mapped in value_map.csv (source psa, "
        "field status)"
    )


TIMESLIP_HEADER = (
    "timeslip_id,engineer_id,work_date,started_at,ended_at,hours_worked,hours_billed,"
    "billable,entered_at,updated_at,notes"
)


def _timeslip(started: str, ended: str, worked: str = "1", billed: str = "1") -> str:
    return (
        f"S1,E001,2026-01-05,{started},{ended},{worked},{billed},Billable,"
        "2026-01-05T18:00:00Z,2026-01-05T18:00:00Z,fixed printer"
    )


def test_timeslip_that_ends_before_it_starts_is_rejected() -> None:
    row = _timeslip("2026-01-05T10:00:00+01:00", "2026-01-05T08:30:00Z")
    result = validate(TIMESLIPS, parse(f"{TIMESLIP_HEADER}\n{row}\n"))
    assert result.rejected["reason"][0] == (
        "ended_at 2026-01-05T08:30:00+00:00 is before started_at 2026-01-05T09:00:00+00:00"
    )


def test_timeslip_offsets_are_normalised_to_utc_and_hours_bounded() -> None:
    good = _timeslip("2026-01-05T10:00:00+01:00", "2026-01-05T09:30:00Z")
    absurd = _timeslip("2026-01-05T10:00:00Z", "2026-01-05T11:00:00Z", worked="-1", billed="99")
    result = validate(TIMESLIPS, parse(f"{TIMESLIP_HEADER}\n{good}\n{absurd}\n"))
    assert result.accepted["started_at"][0].isoformat() == "2026-01-05T09:00:00+00:00"
    assert result.rejected["reason"][0] == (
        "hours_worked '-1' is outside 0..24; hours_billed '99' is outside 0..24"
    )


def test_a_header_without_required_columns_quarantines_every_row() -> None:
    result = validate(TIMESLIPS, parse("timeslip_id,engineer\nS1,E001\nS2,E001\n"))
    assert len(result.accepted) == 0
    assert list(result.rejected["line_number"]) == [2, 3]
    assert result.rejected["reason"][0].startswith(
        "the header lacks required column(s) engineer_id"
    )


def test_extra_columns_are_kept_and_optional_ones_filled() -> None:
    row = "T1,C001,P1,New,2026-01-05T09:00:00Z,2026-01-05T09:00:00Z,s,blue"
    result = validate(TICKETS, parse(f"{TICKET_HEADER},colour\n{row}\n"))
    assert result.accepted["colour"][0] == "blue"
    assert result.accepted["closed_at"].isna().all()


def test_extra_columns_named_with_an_underscore_reach_the_lake_and_lineage_names_are_said() -> None:
    row = "T1,C001,P1,New,2026-01-05T09:00:00Z,2026-01-05T09:00:00Z,s,blue,elsewhere.csv"
    result = validate(TICKETS, parse(f"{TICKET_HEADER},_colour,_source_file\n{row}\n"))
    lineage = {
        "_source_file": "tickets_20260105.csv",
        "_extract_date": date(2026, 1, 5),
        "_file_sha256": "0" * 64,
        "_ingest_seq": 1,
    }
    table = to_arrow(TICKETS, result.accepted, lineage)
    assert table.column("_colour").to_pylist() == ["blue"]
    # The delivered `_source_file` gives way to the warehouse's own, and is said to.
    assert table.column("_source_file").to_pylist() == ["tickets_20260105.csv"]
    assert table.column_names.count("_source_file") == 1
    assert result.notices == [
        "column '_source_file' is not loaded: the warehouse writes its own _source_file on "
        "every row"
    ]


@pytest.fixture
def workspace(tmp_path: Path) -> Settings:
    return ingest_settings(tmp_path)


def _land(settings: Settings, name: str, text: str) -> Path:
    path = settings.landing_dir / name
    path.write_text(text)
    return path


def test_ingest_splits_rows_between_lake_and_quarantine_and_archives_the_file(
    workspace: Settings,
) -> None:
    good = "T1,C001,P1,New,2026-01-05T09:00:00-05:00,2026-01-05T09:00:00-05:00,hello"
    bad = "T2,C001,P7,New,2026-01-05T09:00:00Z,2026-01-05T09:00:00Z,oops"
    _land(workspace, "tickets_20260105.csv", f"{TICKET_HEADER}\n{good}\n{bad}\n")
    _land(workspace, "notes.txt", "not an extract")
    lines: list[str] = []
    report = ingest_landing(workspace, "run-1", log=lines.append)

    (outcome,) = report.outcomes
    assert (outcome.rows_in, outcome.rows_loaded, outcome.rows_quarantined) == (2, 1, 1)
    assert outcome.rows_written == 2
    assert any("notes.txt: not ingested" in line for line in lines)
    assert "tickets_20260105.csv: 2 rows, 1 loaded, 1 quarantined" in lines[-2]
    assert lines[-1].strip() == (
        "tickets_20260105.csv line 3: priority 'P7' is not one of P1, P2, P3, P4 nor mapped in "
        "value_map.csv (source psa, field priority)"
    )

    (lake_file,) = [p for p in (workspace.lake_dir / "tickets").glob("2026*.parquet")]
    lake = pq.read_table(lake_file).to_pylist()
    assert lake[0]["ticket_id"] == "T1"
    assert lake[0]["created_at"].isoformat() == "2026-01-05T14:00:00+00:00"
    assert (lake[0]["_source_file"], lake[0]["_source_line"]) == ("tickets_20260105.csv", 2)
    (quarantine_file,) = (workspace.lake_dir / "quarantine").glob("tickets_*.parquet")
    quarantined = pq.read_table(quarantine_file).to_pylist()
    assert (quarantined[0]["line_number"], quarantined[0]["raw_line"]) == (3, bad)

    assert not (workspace.landing_dir / "tickets_20260105.csv").exists()
    assert (workspace.landing_dir / "notes.txt").exists()
    (entry,) = ledger.load(workspace).values()
    assert (workspace.data_dir / entry.archive_file).read_text().endswith(f"{bad}\n")
    assert entry.sha256[:16] in entry.archive_file


def test_the_same_file_delivered_again_is_a_no_op(workspace: Settings) -> None:
    text = f"{TICKET_HEADER}\nT1,C001,P1,New,2026-01-05T09:00:00Z,2026-01-05T09:00:00Z,s\n"
    _land(workspace, "tickets_20260105.csv", text)
    ingest_landing(workspace, "run-1", log=lambda _: None)
    lake_before = sorted(p.name for p in workspace.lake_dir.rglob("*.parquet"))

    _land(workspace, "tickets_20260105_again.csv", text)
    report = ingest_landing(workspace, "run-2", log=lambda _: None)
    (outcome,) = report.outcomes
    assert outcome.status == "duplicate"
    assert report.new_files == 0
    assert sorted(p.name for p in workspace.lake_dir.rglob("*.parquet")) == lake_before
    assert len(ledger.load(workspace)) == 1
    assert not any(workspace.landing_dir.iterdir())


def test_ledger_entries_are_json_with_counts(workspace: Settings) -> None:
    text = f"{TICKET_HEADER}\nT1,C001,P1,New,2026-01-05T09:00:00Z,2026-01-05T09:00:00Z,s\n"
    _land(workspace, "tickets_20260105.csv", text)
    ingest_landing(workspace, "run-1", log=lambda _: None)
    (path,) = (workspace.audit_dir / "ingested").glob("*.json")
    record = json.loads(path.read_text())
    assert (record["rows_in"], record["rows_loaded"], record["rows_quarantined"]) == (1, 1, 0)
    assert record["run_id"] == "run-1"


def test_unknown_ids_are_not_judged_at_ingest() -> None:
    # The lake must not depend on the seeds of the day it was loaded
    # (docs/metrics/ingest.md#unknown-clients-and-engineers).
    row = "T1,C404,P1,New,2026-01-05T09:00:00Z,2026-01-05T09:00:00Z,s"
    result = validate(TICKETS, parse(f"{TICKET_HEADER}\n{row}\n"))
    assert list(result.accepted["client_id"]) == ["C404"]


def test_bytes_that_are_not_utf8_reject_only_their_row() -> None:
    data = (
        f"{TICKET_HEADER}\n"
        "T1,C001,P1,New,2026-01-05T09:00:00Z,2026-01-05T09:00:00Z,caf\xe9\n"
        "T2,C001,P1,New,2026-01-05T09:00:00Z,2026-01-05T09:00:00Z,cafe\n"
    ).encode("latin-1")
    result = validate(TICKETS, parse(decode(data)))
    assert list(result.accepted["ticket_id"]) == ["T2"]
    assert result.rejected.to_dict("records") == [
        {
            "line_number": 2,
            "raw_line": "T1,C001,P1,New,2026-01-05T09:00:00Z,2026-01-05T09:00:00Z,caf\ufffd",
            "reason": "row is not valid UTF-8",
        }
    ]


def test_huge_and_infinite_scores_are_rejected_not_crashed_on() -> None:
    header = "response_id,survey_type,client_id,responded_at,score"
    rows = [
        f"R{i},csat,C001,2026-01-05T09:00:00Z,{score}"
        for i, score in enumerate(["1e400", "1e19", "inf", "7.5", "7"])
    ]
    result = validate(SURVEYS, parse("\n".join([header, *rows]) + "\n"))
    assert list(result.accepted["score"]) == [7]
    assert list(result.rejected["reason"]) == [
        "score '1e400' is not a number",
        "score '1e19' is outside 0..10",
        "score 'inf' is not a number",
        "score '7.5' is not a whole number",
    ]


SURVEY_HEADER = "response_id,survey_type,client_id,sent_at,responded_at,score"


def test_an_unanswered_survey_is_a_row_and_half_an_answer_is_quarantined() -> None:
    rows = [
        "R1,csat,C001,2026-01-05T09:00:00Z,2026-01-05T10:00:00Z,7",  # line 2: answered
        "U1,csat,C001,2026-01-05T09:00:00Z,,",  # line 3: sent, not answered
        "R2,csat,C001,2026-01-05T09:00:00Z,,7",  # line 4: a score without its time
        "R3,nps,C001,2026-01-05T09:00:00Z,2026-01-05T10:00:00+01:00,",  # line 5
        "U2,nps,C001,,,",  # line 6: neither sent nor answered
        "R4,csat,C001,,2026-01-05T10:00:00Z,9",  # line 7: answered, sent_at unknown
    ]
    result = validate(SURVEYS, parse("\n".join([SURVEY_HEADER, *rows]) + "\n"))
    assert list(result.accepted["response_id"]) == ["R1", "U1", "R4"]
    assert list(result.accepted["_source_line"]) == [2, 3, 7]
    unanswered = result.accepted.iloc[1]
    assert pd.isna(unanswered["responded_at"]) and pd.isna(unanswered["score"])
    assert result.rejected[["line_number", "reason"]].to_dict("records") == [
        {"line_number": 4, "reason": "score '7' without responded_at"},
        {"line_number": 5, "reason": "responded_at '2026-01-05T10:00:00+01:00' without score"},
        {"line_number": 6, "reason": "an unanswered survey needs sent_at"},
    ]


def test_a_survey_header_must_carry_responded_at_and_score_though_they_may_be_empty() -> None:
    result = validate(SURVEYS, parse("response_id,survey_type,client_id,sent_at\nU1,csat,C001,x\n"))
    assert list(result.rejected["reason"]) == [
        "the header lacks required column(s) responded_at, score"
    ]


def test_unanswered_surveys_are_conserved_in_the_lake(workspace: Settings) -> None:
    _land(
        workspace,
        "surveys_20260105.csv",
        f"{SURVEY_HEADER}\n"
        "R1,csat,C001,2026-01-05T09:00:00Z,2026-01-05T10:00:00Z,7\n"
        "U1,csat,C001,2026-01-05T09:00:00Z,,\n"
        "U2,csat,C001,,,\n",
    )
    (outcome,) = ingest_landing(workspace, "run-1", log=lambda _: None).outcomes
    assert (outcome.rows_in, outcome.rows_loaded, outcome.rows_quarantined) == (3, 2, 1)
    (lake_file,) = (workspace.lake_dir / "surveys").glob("2026*.parquet")
    lake = pq.read_table(lake_file).to_pylist()
    assert [(r["response_id"], r["responded_at"], r["score"]) for r in lake] == [
        ("R1", datetime(2026, 1, 5, 10, tzinfo=UTC), 7),
        ("U1", None, None),
    ]
    (quarantine_file,) = (workspace.lake_dir / "quarantine").glob("surveys_*.parquet")
    (quarantined,) = pq.read_table(quarantine_file).to_pylist()
    assert (quarantined["line_number"], quarantined["reason"]) == (
        4,
        "an unanswered survey needs sent_at",
    )
    # The contract suite's second look passes the unanswered row, and would catch half an
    # answer or an unanswered row without sent_at had the validator let one through.
    runner = SuiteRunner()
    frame = pq.read_table(lake_file).to_pandas()
    assert runner.validate(SURVEYS, frame).passed
    frame.loc[0, "responded_at"] = pd.NaT
    frame.loc[1, "sent_at"] = pd.NaT
    failed = runner.validate(SURVEYS, frame)
    assert not failed.passed and failed.failing_count == 2
    assert "expect_column_values_to_not_be_null(responded_at)" in failed.detail
    assert "expect_column_values_to_not_be_null(sent_at)" in failed.detail


def test_a_stray_quote_in_the_header_quarantines_every_line_instead_of_losing_them() -> None:
    parsed = parse('"ticket_id,client_id\nT1,C001\nT2,C001\n')
    result = validate(TICKETS, parsed)
    assert list(result.rejected["line_number"]) == [2, 3]
    assert result.rejected["reason"][0].startswith("the header row is malformed")


def test_only_cr_lf_and_crlf_end_a_line() -> None:
    parsed = parse('a,b\n1,"x\u2028y"\n2,z\u2029\n3,\x0c\n')
    assert parsed.lines == [2, 3, 4]
    assert parsed.records[1] == ["2", "z\u2029"]


def test_a_field_larger_than_the_csv_modules_default_limit_is_read_whole() -> None:
    big = "x" * 1_000_000
    parsed = parse(f'a,b\n1,"{big}"\n2,3\n')
    assert parsed.lines == [2, 3]
    assert len(parsed.records[0][1]) == 1_000_000


# -- A PSA's own words, mapped in value_map.csv ---------------------------------------

PSA_WORDS = Vocabulary.from_rows(
    snapshot.complete_value_map(
        [
            {
                "source": "psa",
                "field": "status",
                "source_value": "On Hold",
                "canonical_value": "Waiting Customer",
            },
            {
                "source": "psa",
                "field": "priority",
                "source_value": "Critical",
                "canonical_value": "P1",
            },
            {
                "source": "psa",
                "field": "channel",
                "source_value": "Web",
                "canonical_value": "portal",
            },
        ]
    )
)
EVENT_HEADER = "event_id,ticket_id,occurred_at,field,old_value,new_value"


def test_mapped_values_are_accepted_as_written_and_unmapped_ones_quarantined() -> None:
    text = "\n".join(
        [
            "ticket_id,client_id,priority,status,channel,created_at,updated_at",
            "T1,C001,Critical,On Hold,Web,2026-01-05T09:00:00Z,2026-01-05T09:00:00Z",
            "T2,C001,P2,Parked,email,2026-01-05T09:00:00Z,2026-01-05T09:00:00Z",
            "T3,C001,Urgent,New,Fax,2026-01-05T09:00:00Z,2026-01-05T09:00:00Z",
        ]
    )
    result = validate(TICKETS, parse(text), PSA_WORDS)
    # The lake keeps what the PSA wrote; the warehouse maps it.
    assert result.accepted[["ticket_id", "priority", "status", "channel"]].values.tolist() == [
        ["T1", "Critical", "On Hold", "Web"]
    ]
    reasons = dict(zip(result.rejected["line_number"], result.rejected["reason"], strict=True))
    assert reasons == {
        # Each names what the file does map.
        3: "status 'Parked' is not one of New, In Progress, Waiting Customer, Waiting Vendor, "
        "Scheduled, Resolved, Closed nor mapped in value_map.csv (source psa, field status: "
        "On Hold)",
        4: "priority 'Urgent' is not one of P1, P2, P3, P4 nor mapped in value_map.csv "
        "(source psa, field priority: Critical); channel 'Fax' is not one of phone, email, "
        "portal, chat, walk_in, monitoring nor mapped in value_map.csv (source psa, field "
        "channel: Web)",
    }
    # What the Great Expectations suite reads: the contract's words.
    viewed = canonical_view(TICKETS, result.accepted, PSA_WORDS)
    assert viewed[["priority", "status", "channel"]].values.tolist() == [
        ["P1", "Waiting Customer", "portal"]
    ]


def test_event_values_of_status_and_priority_changes_must_be_known() -> None:
    text = "\n".join(
        [
            EVENT_HEADER,
            "V1,T1,2026-01-05T09:00:00Z,status,New,On Hold",
            "V2,T1,2026-01-05T10:00:00Z,status,On Hold,Parked",
            "V3,T1,2026-01-05T11:00:00Z,priority,,Critical",
            "V4,T1,2026-01-05T12:00:00Z,priority,P3,Low",
            # An assignee is an engineer id: any value.
            "V5,T1,2026-01-05T13:00:00Z,assignee,,E042",
            # Spaces around a value do not make it unknown.
            "V6,T1,2026-01-05T14:00:00Z,status, On Hold ,Closed",
        ]
    )
    result = validate(TICKET_EVENTS, parse(text), PSA_WORDS)
    assert result.accepted["event_id"].tolist() == ["V1", "V3", "V5", "V6"]
    reasons = dict(zip(result.rejected["line_number"], result.rejected["reason"], strict=True))
    assert reasons[3].startswith("new_value 'Parked' is not one of New, In Progress")
    assert reasons[5].startswith("new_value 'Low' is not one of P1, P2, P3, P4 nor mapped")
    assert set(reasons) == {3, 5}


def test_without_a_vocabulary_the_contract_values_and_servicenow_states_are_known() -> None:
    text = "\n".join(
        [TICKET_HEADER, "T1,C001,P1,On Hold,2026-01-05T09:00:00Z,2026-01-05T09:00:00Z,s"]
    )
    result = validate(TICKETS, parse(text))
    assert "nor mapped in value_map.csv (source psa, field status)" in result.rejected["reason"][0]


# -- Plausible dates and timestamps ------------------------------------------------------

WINDOW = Plausible(earliest=date(2000, 1, 1), extract_date=date(2026, 1, 21))


@pytest.mark.parametrize(
    ("created", "updated", "reason"),
    [
        # Up to two days after the file's date (00:00 UTC): the end of the 22nd, UTC.
        ("2026-01-20T10:00:00Z", "2026-01-22T23:59:59Z", None),
        # 23:59 in New York on the 22nd is 04:59 UTC on the 23rd: too late.
        (
            "2026-01-20T10:00:00Z",
            "2026-01-22T23:59:00-05:00",
            "updated_at '2026-01-22T23:59:00-05:00' is implausible: more than 2 days after "
            "the file's date, 2026-01-21",
        ),
        (
            "2026-01-20T10:00:00Z",
            "9999-12-31T00:00:00+00:00",
            "updated_at '9999-12-31T00:00:00+00:00' is implausible: more than 2 days after "
            "the file's date, 2026-01-21",
        ),
        ("2000-01-01T00:00:00Z", "2026-01-20T10:00:00Z", None),
        (
            "1999-12-31T23:59:59Z",
            "2026-01-20T10:00:00Z",
            "created_at '1999-12-31T23:59:59Z' is implausible: before 2000-01-01, where the "
            "MSP's history starts (history_start in msp_settings.csv)",
        ),
    ],
)
def test_dates_and_timestamps_must_be_plausible_for_their_file(
    created: str, updated: str, reason: str | None
) -> None:
    text = f"{TICKET_HEADER}\nT1,C001,P1,New,{created},{updated},s\n"
    result = validate(TICKETS, parse(text), window=WINDOW)
    assert list(result.rejected["reason"]) == ([reason] if reason else [])


def test_a_work_date_is_judged_like_a_timestamp() -> None:
    row = (
        "S1,E001,2026-01-23,2026-01-22T09:00:00Z,2026-01-22T10:00:00Z,1,1,Billable,"
        "2026-01-22T18:00:00Z,2026-01-22T18:00:00Z,fixed printer"
    )
    result = validate(TIMESLIPS, parse(f"{TIMESLIP_HEADER}\n{row}\n"), window=WINDOW)
    assert list(result.rejected["reason"]) == [
        "work_date '2026-01-23' is implausible: more than 2 days after the file's date, 2026-01-21"
    ]


def test_a_file_dated_after_tomorrow_waits_in_landing(workspace: Settings) -> None:
    from orchestration.ingest.landing import pending_files

    (workspace.landing_dir / "tickets_20620101.csv").write_text(f"{TICKET_HEADER}\n")
    files, ignored = pending_files(workspace)
    assert files == []
    assert ignored == [
        "tickets_20620101.csv: not ingested: its date 2062-01-01 is in the future; check the "
        "date in the file name"
    ]


def test_a_servicenow_exports_identity_holds_its_client() -> None:
    from orchestration.ingest.landing import file_identity

    data = b"number,incident_state\nINC1,New\n"
    first = classify(Path("servicenow_incidents_20260105_C001.csv"))
    second = classify(Path("servicenow_incidents_20260105_C002.csv"))
    tickets = classify(Path("tickets_20260105.csv"))
    assert file_identity(first, data) != file_identity(second, data)
    assert file_identity(tickets, data) == hashlib.sha256(data).hexdigest()
    # A file with rows is the same delivery under any name.
    assert (
        file_identity(classify(Path("tickets_20260106.csv")), data)
        == hashlib.sha256(data).hexdigest()
    )


def test_an_empty_files_identity_holds_its_name() -> None:
    from orchestration.ingest.landing import file_identity, has_no_rows

    header = f"{TICKET_HEADER}\n".encode()
    monday = classify(Path("tickets_20260105.csv"))
    tuesday = classify(Path("tickets_20260106.csv"))
    assert has_no_rows(header) and has_no_rows(header + b"\n\n")
    assert not has_no_rows(header + b"T1\n")
    assert file_identity(monday, header) != file_identity(tuesday, header)
    assert file_identity(monday, header) == file_identity(monday, header)
    assert file_identity(monday, header) != hashlib.sha256(header).hexdigest()


def test_an_empty_file_of_another_date_is_a_delivery_of_its_own(workspace: Settings) -> None:
    """Every empty day of an extract has the same bytes (its header); each is ingested as
    a delivery of 0 rows of its date, so freshness sees that it arrived."""
    from orchestration.ingest.freshness import freshness_results

    header = f"{TICKET_HEADER}\n"
    _land(workspace, "tickets_20260105.csv", header)
    ingest_landing(workspace, "run-1", log=lambda _: None)
    lines: list[str] = []
    _land(workspace, "tickets_20260106.csv", header)
    report = ingest_landing(workspace, "run-2", log=lines.append)

    (outcome,) = report.outcomes
    assert (outcome.status, outcome.rows_in, report.new_files) == ("ingested", 0, 1)
    assert lines[0] == "[1/1] tickets_20260106.csv: 0 rows, 0 loaded, 0 quarantined"
    entries = sorted(ledger.load(workspace).values(), key=lambda e: e.extract_date)
    assert [(e.file_name, e.extract_date, e.rows_in) for e in entries] == [
        ("tickets_20260105.csv", "2026-01-05", 0),
        ("tickets_20260106.csv", "2026-01-06", 0),
    ]
    assert all(e.lake_file is None and e.quarantine_file is None for e in entries)
    assert all((workspace.data_dir / e.archive_file).read_text() == header for e in entries)
    assert not [p for p in workspace.lake_dir.rglob("*.parquet") if p.name != "_schema.parquet"]
    (tickets,) = [
        r
        for r in freshness_results(workspace, date(2026, 1, 7), 3)
        if r.target == TICKETS.asset_key
    ]
    assert tickets.detail.startswith("newest file dated 2026-01-06, 1 days before 2026-01-07")
    # The ledger's rows still equal the lake's and quarantine's, as the gate counts them.
    from orchestration.contract import LANDING_EXTRACTS
    from orchestration.engine import lake

    stored = sum(lake.row_count(workspace.lake_dir / name) for name in LANDING_EXTRACTS)
    stored += lake.row_count(workspace.lake_dir / "quarantine")
    assert sum(e.rows_in for e in entries) == stored == 0


def test_the_same_empty_file_delivered_again_is_a_no_op(workspace: Settings) -> None:
    header = f"{TICKET_HEADER}\n"
    _land(workspace, "tickets_20260105.csv", header)
    ingest_landing(workspace, "run-1", log=lambda _: None)
    before = ledger.load(workspace)

    _land(workspace, "tickets_20260105.csv", header)
    report = ingest_landing(workspace, "run-2", log=lambda _: None)
    (outcome,) = report.outcomes
    assert outcome.status == "duplicate"
    assert report.new_files == 0
    assert ledger.load(workspace) == before
    assert not any(workspace.landing_dir.iterdir())


def test_an_empty_file_recorded_by_its_bytes_alone_is_still_recognised(
    workspace: Settings,
) -> None:
    """A ledger made before empty files were told apart by name holds the identity of
    their bytes: the same file again is still nothing to do, another date's still lands,
    and a backfill still finds the archived copy unchanged."""
    from dataclasses import replace

    from orchestration.ingest.landing import rederive_archived

    header = f"{TICKET_HEADER}\n"
    _land(workspace, "tickets_20260105.csv", header)
    ingest_landing(workspace, "run-1", log=lambda _: None)
    (entry,) = ledger.load(workspace).values()
    old = hashlib.sha256(header.encode()).hexdigest()
    (ledger.ledger_dir(workspace) / f"{entry.sha256}.json").unlink()
    ledger.record(workspace, replace(entry, sha256=old))

    _land(workspace, "tickets_20260105.csv", header)
    _land(workspace, "tickets_20260106.csv", header)
    report = ingest_landing(workspace, "run-2", log=lambda _: None)
    assert [(o.file_name, o.status) for o in report.outcomes] == [
        ("tickets_20260105.csv", "duplicate"),
        ("tickets_20260106.csv", "ingested"),
    ]
    again = rederive_archived(
        workspace, "run-3", (date(2026, 1, 5), date(2026, 1, 6)), log=lambda _: None
    )
    assert [(o.file_name, o.rows_in) for o in again.outcomes] == [
        ("tickets_20260105.csv", 0),
        ("tickets_20260106.csv", 0),
    ]
    assert len(ledger.load(workspace)) == 2
