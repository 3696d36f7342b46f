"""The synthetic-data generator: deterministic, contract-valid, internally consistent.

Small scales and one month keep this file fast; the committed seeds are compared with a
fresh write of the reference data for the arguments they were made with.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections import defaultdict
from datetime import UTC, date, datetime
from itertools import pairwise
from pathlib import Path

import pytest

from orchestration.config import DEFAULT_SEEDS_DIR
from orchestration.contract import EXTRACTS, Extract
from orchestration.reference.spec import REFERENCE_FILES
from xla_lab.generate import GenerateSummary, generate, write_reference

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
HOURS = re.compile(r"^\d{1,2}(\.\d{1,2})?$")


def _run(root: Path, *, scale: float = 0.2, seed: int = 7) -> GenerateSummary:
    """One month from 2026-01-01 with seeds and answer key, into `root`."""
    return generate(
        root / "landing",
        scale=scale,
        months=1,
        seed=seed,
        seeds_dir=root / "seeds",
        answer_key_path=root / "answer_key.json",
    )


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerateSummary]:
    root = tmp_path_factory.mktemp("small")
    return root, _run(root)


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def _records(root: Path, name: str) -> list[dict[str, str]]:
    records: list[dict[str, str]] = []
    for path in sorted((root / "landing").glob(f"{name}_*.csv")):
        header, rows = _read(path)
        records += [dict(zip(header, row, strict=True)) | {"_file": path.name} for row in rows]
    return records


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _optional(value: str) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _latest_tickets(root: Path) -> dict[str, dict[str, str]]:
    """Each ticket's newest row (by updated_at as an instant)."""
    latest: dict[str, dict[str, str]] = {}
    for row in _records(root, "tickets"):
        held = latest.get(row["ticket_id"])
        if held is None or _instant(row["updated_at"]) >= _instant(held["updated_at"]):
            latest[row["ticket_id"]] = row
    return latest


def _problems(extract: Extract, row: dict[str, str]) -> list[str]:
    """Why a row breaks the contract (empty when it is valid)."""
    problems: list[str] = []
    typed: dict[str, datetime] = {}
    for column in extract.columns:
        value = row[column.name]
        if not value:
            if column.required:
                problems.append(f"{column.name} missing")
            continue
        if column.type == "enum" and value not in column.contract_values:
            problems.append(f"{column.name} {value!r} not allowed")
        elif column.type == "timestamp":
            if not TIMESTAMP.match(value):
                problems.append(f"{column.name} {value!r} is not ISO 8601 with offset")
            else:
                typed[column.name] = _instant(value)
        elif column.type == "date" and not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
            problems.append(f"{column.name} {value!r} is not YYYY-MM-DD")
        elif column.type in ("number", "integer"):
            number = float(value)
            if not math.isfinite(number):
                problems.append(f"{column.name} not finite")
            if column.type == "integer" and number != int(number):
                problems.append(f"{column.name} not whole")
            if column.minimum is not None and number < column.minimum:
                problems.append(f"{column.name} below minimum")
            if column.maximum is not None and number > column.maximum:
                problems.append(f"{column.name} above maximum")
    for earlier, later in extract.ordered:
        if earlier in typed and later in typed and typed[later] < typed[earlier]:
            problems.append(f"{later} before {earlier}")
    for group in extract.together:
        given = [name for name in group.columns if row[name]]
        if given and len(given) < len(group.columns):
            problems.append(f"{', '.join(given)} without the rest of {group.columns}")
        if not given:
            problems += [f"{group.absent} without {n}" for n in group.absent_needs if not row[n]]
    return problems


def _digests(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_same_arguments_give_identical_bytes(
    small: tuple[Path, GenerateSummary], tmp_path: Path
) -> None:
    root, summary = small
    again = _run(tmp_path)
    assert _digests(root) == _digests(tmp_path)
    assert again.rows == summary.rows


def test_another_seed_gives_other_data(small: tuple[Path, GenerateSummary], tmp_path: Path) -> None:
    root, _ = small
    _run(tmp_path, seed=8)
    name = "landing/tickets_20260105.csv"
    assert (root / name).read_bytes() != (tmp_path / name).read_bytes()


def test_one_file_per_extract_per_day_with_the_contract_header(
    small: tuple[Path, GenerateSummary],
) -> None:
    _, summary = small
    assert len(summary.files) == 4 * 31
    assert summary.files == sorted(summary.files)
    for path in summary.files:
        extract = EXTRACTS[path.name.split("_2026")[0]]
        header, _ = _read(path)
        assert tuple(header) == extract.column_names, path.name
        assert path.read_bytes().endswith(b"\n")


def test_row_counts_scale_with_scale(tmp_path: Path) -> None:
    # From scale 0.4 up the roster grows with scale too (it never drops below 10 people).
    single = _run(tmp_path / "single", scale=0.4)
    double = _run(tmp_path / "double", scale=0.8)
    assert (single.clients, single.engineers) == (20, 10)
    assert (double.clients, double.engineers) == (40, 20)
    for name in EXTRACTS:
        assert single.rows[name] > 0
        assert 1.5 < double.rows[name] / single.rows[name] < 2.8, name


def test_every_row_is_valid_per_the_contract(small: tuple[Path, GenerateSummary]) -> None:
    root, summary = small
    seeds = root / "seeds"
    clients = {r[0] for r in _read(seeds / "clients.csv")[1]}
    engineers = {r[0] for r in _read(seeds / "engineers.csv")[1]}
    for name, extract in EXTRACTS.items():
        records = _records(root, name)
        assert len(records) == summary.rows[name]
        for row in records:
            assert not _problems(extract, row), (row["_file"], row, _problems(extract, row))
            if "client_id" in row:
                assert row["client_id"] in clients or (name == "timeslips" and not row["ticket_id"])
            if "engineer_id" in row:
                assert row["engineer_id"] in engineers
    for row in _records(root, "timeslips"):
        assert HOURS.match(row["hours_worked"]) and HOURS.match(row["hours_billed"])
        minutes = (_instant(row["ended_at"]) - _instant(row["started_at"])).total_seconds() / 60
        assert abs(float(row["hours_worked"]) - minutes / 60) < 0.006


def test_tickets_latest_state_agrees_with_their_events(small: tuple[Path, GenerateSummary]) -> None:
    root, _ = small
    latest = _latest_tickets(root)
    events: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in _records(root, "ticket_events"):
        events[row["ticket_id"]].append(row)
    assert set(events) == set(latest)
    open_tickets = 0
    for ticket_id, ticket in latest.items():
        trail = sorted(events[ticket_id], key=lambda e: (_instant(e["occurred_at"]), e["event_id"]))
        statuses = [e for e in trail if e["field"] == "status"]
        assert statuses[0]["new_value"] == "New" and not statuses[0]["old_value"]
        for before, after in pairwise(statuses):
            assert after["old_value"] == before["new_value"]
        status = statuses[-1]["new_value"]
        assert ticket["status"] == status
        priorities = [e["new_value"] for e in trail if e["field"] == "priority"]
        if priorities:
            assert ticket["priority"] == priorities[-1]
        assignees = [e["new_value"] for e in trail if e["field"] == "assignee"]
        assert ticket["assigned_engineer_id"] == (assignees[-1] if assignees else "")
        # First response is the first move to In Progress; resolved_at is the last
        # resolution while the ticket stays resolved (a reopen clears it).
        started = [e["occurred_at"] for e in statuses if e["new_value"] == "In Progress"]
        assert _optional(ticket["first_response_at"]) == _optional(started[0] if started else "")
        resolved = [e["occurred_at"] for e in statuses if e["new_value"] == "Resolved"]
        expected = resolved[-1] if status in ("Resolved", "Closed") else ""
        assert _optional(ticket["resolved_at"]) == _optional(expected)
        closed = [e["occurred_at"] for e in statuses if e["new_value"] == "Closed"]
        expected = closed[-1] if status == "Closed" else ""
        assert _optional(ticket["closed_at"]) == _optional(expected)
        assert _instant(ticket["updated_at"]) == max(_instant(e["occurred_at"]) for e in trail)
        open_tickets += status not in ("Resolved", "Closed")
    assert open_tickets > 0


def test_each_row_lands_in_the_file_of_its_utc_day(small: tuple[Path, GenerateSummary]) -> None:
    root, _ = small
    stamp_of = {
        "tickets": ("updated_at",),
        "ticket_events": ("occurred_at",),
        "timeslips": ("updated_at",),
        # A follow-up is a new version; a survey never answered is in the file of its day sent.
        "surveys": ("follow_up_at", "responded_at", "sent_at"),
    }
    for name, columns in stamp_of.items():
        seen: set[tuple[str, str]] = set()
        for row in _records(root, name):
            stamp = next(row[c] for c in columns if row[c])
            utc = _instant(stamp).astimezone(UTC)
            assert row["_file"] == f"{name}_{utc.strftime('%Y%m%d')}.csv"
            key = (row["_file"], row[EXTRACTS[name].key])
            assert key not in seen  # a row is in a day's file once, at its end-of-day state
            seen.add(key)


def test_answer_key_names_what_is_in_the_data(small: tuple[Path, GenerateSummary]) -> None:
    root, summary = small
    key = json.loads((root / "answer_key.json").read_text(encoding="utf-8"))
    assert key["seed"] == 7 and key["months"] == 1 and key["start"] == "2026-01-01"
    assert len(key["client_profiles"]) == summary.clients
    assert set(key["client_profiles"].values()) == {"happy", "normal", "struggling", "watermelon"}
    assert key["engineer_habits"] == {
        "E003": ["exact_target", "round_heaping"],
        "E005": ["overlap"],
        "E008": ["outside_ticket_life"],
        "E010": ["post_target_slowdown"],
    }
    timeslips = {r["timeslip_id"]: r for r in _records(root, "timeslips")}
    days = {(r["engineer_id"], r["work_date"]) for r in timeslips.values()}
    tickets = {(r["engineer_id"], r["ticket_id"]) for r in timeslips.values()}
    rules = {a["rule_id"] for a in key["timeslip_anomalies"]}
    assert rules == {r[0] for r in _read(root / "seeds" / "timeslip_rules.csv")[1]}
    for anomaly in key["timeslip_anomalies"]:
        subject, kind = anomaly["subject_id"], anomaly["subject_type"]
        if kind == "timeslip":
            assert timeslips[subject]["engineer_id"] == anomaly["engineer_id"]
        elif kind == "engineer_day":
            assert tuple(subject.split("|")) in days
        elif kind == "ticket":
            assert tuple(subject.split("|")) in tickets
        else:
            assert subject.startswith(anomaly["engineer_id"] + "|")
        assert anomaly["detail"]


def test_unanswered_surveys_and_the_planted_survey_cases(
    small: tuple[Path, GenerateSummary],
) -> None:
    """Surveys sent and not answered carry `sent_at` alone and ids of their own; a csat
    one is sent when its ticket closed. The low-rate client answers fewer than 20 % of
    its csat surveys, every other client at least 20 %; the hurting clients' answers on
    the hurting category are all negative, with at least 90 minutes lost."""
    root, _ = small
    key = json.loads((root / "answer_key.json").read_text(encoding="utf-8"))
    cases = key["survey_cases"]
    surveys = {r["response_id"]: r for r in _records(root, "surveys")}
    tickets = _latest_tickets(root)
    unanswered = [r for r in surveys.values() if not r["responded_at"]]
    assert {r["survey_type"] for r in unanswered} == {"csat", "nps"}
    for row in unanswered:
        assert re.fullmatch(r"U\d{6}", row["response_id"])
        assert row["sent_at"] and not any(
            row[c] for c in ("score", "comment", "lost_time_minutes", "follow_up_at")
        )
        if row["survey_type"] == "csat":
            assert _instant(row["sent_at"]) == _instant(tickets[row["ticket_id"]]["closed_at"])
    assert all(re.fullmatch(r"R\d{6}", r["response_id"]) for r in surveys.values() if r["score"])
    sent: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in surveys.values():
        if row["survey_type"] == "csat":
            sent[row["client_id"]][0] += 1
            sent[row["client_id"]][1] += bool(row["responded_at"])
    low = cases["low_response_rate"]["client_id"]
    assert key["client_profiles"][low] == "happy"
    assert sent[low][1] >= 10 and sent[low][1] / sent[low][0] < 0.2
    others = {c: a / n for c, (n, a) in sent.items() if c != low and a >= 10}
    assert others and min(others.values()) >= 0.2
    hurting = cases["category_that_hurts"]
    assert hurting and all(key["client_profiles"][c["client_id"]] == "normal" for c in hurting)
    hurt = [
        r
        for r in surveys.values()
        if r["score"]
        and r["survey_type"] == "csat"
        and {"client_id": r["client_id"], "category": tickets[r["ticket_id"]]["category"]}
        in hurting
    ]
    assert hurt
    assert all(int(r["score"]) <= 6 and float(r["lost_time_minutes"]) >= 90 for r in hurt)


def test_fast_profiles_are_inside_their_sla_on_the_calendar_clock(
    small: tuple[Path, GenerateSummary],
) -> None:
    """Happy and watermelon clients: created -> first response and -> last resolution
    within 80 % of the target in calendar minutes, for the ticket's final priority."""
    root, _ = small
    key = json.loads((root / "answer_key.json").read_text(encoding="utf-8"))
    tiers = {r[0]: r[4] for r in _read(root / "seeds" / "clients.csv")[1]}
    targets = {(r[0], r[1], r[2]): int(r[3]) for r in _read(root / "seeds" / "sla_policies.csv")[1]}
    checked = 0
    for ticket in _latest_tickets(root).values():
        if key["client_profiles"][ticket["client_id"]] not in ("happy", "watermelon"):
            continue
        created = _instant(ticket["created_at"]).replace(second=0)
        for metric, column in (
            ("first_response", "first_response_at"),
            ("resolution", "resolved_at"),
        ):
            if ticket[column]:
                stop = _instant(ticket[column]).replace(second=0)
                target = targets[(tiers[ticket["client_id"]], ticket["priority"], metric)]
                assert (stop - created).total_seconds() / 60 <= 0.8 * target
                checked += 1
    assert checked > 50


def test_reference_files_have_the_contract_columns(small: tuple[Path, GenerateSummary]) -> None:
    root, _ = small
    # Every column but the validity ones: the generated MSP's rows are always in force.
    for name, columns in REFERENCE_FILES.items():
        header, rows = _read(root / "seeds" / f"{name}.csv")
        assert tuple(header) == tuple(c for c in columns if c not in ("valid_from", "valid_to"))
        assert rows or name in ("timeslip_waivers", "restatement_approvals")


def test_generate_writes_the_reference_that_write_reference_writes(
    small: tuple[Path, GenerateSummary], tmp_path: Path
) -> None:
    root, _ = small
    write_reference(tmp_path, scale=0.2, seed=7, start=date(2026, 1, 1), months=1)
    assert _digests(root / "seeds") == _digests(tmp_path)


def test_committed_seeds_are_the_generators_reference(tmp_path: Path) -> None:
    written = write_reference(tmp_path, scale=1.0, seed=42, start=date(2026, 1, 1), months=12)
    committed = sorted(p.name for p in DEFAULT_SEEDS_DIR.glob("*.csv"))
    assert committed == sorted(p.name for p in written)
    for path in written:
        assert (DEFAULT_SEEDS_DIR / path.name).read_bytes() == path.read_bytes(), path.name


def test_demo_msp_at_scale_one() -> None:
    clients = _read(DEFAULT_SEEDS_DIR / "clients.csv")[1]
    engineers = _read(DEFAULT_SEEDS_DIR / "engineers.csv")[1]
    assert len(clients) == 50 and len(engineers) == 25
    zones = {c[2] for c in clients}
    assert len(zones) >= 4 and "Australia/Sydney" in zones
    assert {c[4] for c in clients} == {"gold", "silver", "bronze"}
    holidays = _read(DEFAULT_SEEDS_DIR / "holidays.csv")[1]
    calendars = {c[3] for c in clients} | {e[4] for e in engineers}
    for calendar_id in calendars:
        in_2026 = [h for h in holidays if h[0] == calendar_id and h[1].startswith("2026-")]
        assert len(in_2026) >= 8, calendar_id
    assert ("cal_us", "2026-11-26", "Thanksgiving Day") in {tuple(h) for h in holidays}
    assert ("cal_au", "2026-04-03", "Good Friday") in {tuple(h) for h in holidays}
    leavers = [e for e in engineers if e[9]]
    assert any(date(2026, 1, 1) < date.fromisoformat(e[9]) < date(2026, 12, 31) for e in leavers)
